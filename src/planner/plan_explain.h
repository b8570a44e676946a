#pragma once
// The binding limits of a plan in words (BindingConstraint::explanation): a sentence a buyer
// or a finance reader understands, from the limit's kind, months, use and shadow value, and
// the plan's own orders (which models the domestic share trades against each other).

#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario.h"

namespace gpufleet::planner {

// Fills `explanation` of every entry of plan.binding; needs plan.orders.
void ExplainBinding(const Scenario& s, Plan& plan);

// 15610 -> "15,610", 5.5e9 -> "5.5 billion", 0.4426 -> "0.443": numbers as a sentence
// writes them.
std::string SpokenNumber(double v);

}  // namespace gpufleet::planner
