#pragma once
// The planner's rounding heuristic: from the LP relaxation's optimum to whole lots, units and
// order months. With the integers fixed, the relaxation re-solved for the continuous columns
// (Relaxation::SolveFixed) is a plan, and its distance to the relaxation's bound is a proven
// gap: when that is within the gap asked for, no branch and bound is needed.

#include <vector>

#include "planner/formulation.h"

namespace gpufleet::planner {

// Integer values for every integer column of `f` from the relaxation's `x` (continuous
// columns keep their values): lots bought, units sold and units rented rounded down, so no
// supply, stock or rental limit is passed; an order month is 1 exactly when a lot is left
// ordered at its site in its month; then lots dropped, latest first, while a budget is
// exceeded (whole order months cost more than the relaxation's fractions) or the domestic
// share is short. Commitments may still be missed, which the re-solve then reports as
// infeasible.
std::vector<double> RoundDown(const Formulation& f, const std::vector<double>& x);

}  // namespace gpufleet::planner
