// How MakePlan solves: one time limit over every phase (rules, program, relaxation, rounding,
// CBC), a plan outside the gap reported as feasible with its gap, never optimal, and the
// rounded relaxation proving the generated benchmark instance within the gap without branch
// and bound.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario_generator.h"

namespace gpufleet::planner {
namespace {

Scenario Generated(int months, int sites, uint64_t seed) {
  GeneratorOptions o;
  o.months = months;
  o.sites = sites;
  o.seed = seed;
  Result<Scenario> s = GenerateScenario(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// Fails before: the limit was given whole to CBC, counted in CPU seconds, and again to the
// relaxation for shadow values afterwards; 0.5 s asked took 1.49 s on this instance and 2 s
// asked 3.2 s. The issue allows the larger of 10% and 0.5 s.
TEST(PlanSolveTest, TimeLimitBoundsTheWholePlan) {
  const Scenario s = Generated(12, 20, 1);
  for (const double limit : {0.5, 1.0}) {
    SCOPED_TRACE("time limit " + std::to_string(limit));
    // Gap 0: nothing short of a proof of the optimum ends the search before the limit.
    const Result<Plan> plan = MakePlan(s, PlanOptions{limit, 0.0});
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_LE(plan->total_seconds, limit + std::max(0.1 * limit, 0.5));
    EXPECT_TRUE(plan->status == "feasible" || plan->status == "optimal" ||
                plan->status == "no_solution")
        << plan->status;
    if (plan->status == "optimal") {
      EXPECT_LE(plan->gap_pct, 1e-9);  // proven, gap 0 asked
    }
    if (plan->status == "feasible") {
      EXPECT_GT(plan->gap_pct, 0);
    }
  }
}

// A plan whose gap is above the one asked for says "feasible" with that gap.
TEST(PlanSolveTest, PlanOutsideTheGapIsFeasibleNotOptimal) {
  const Scenario s = Generated(6, 10, 2);
  const Result<Plan> plan = MakePlan(s, PlanOptions{0.3, 0.0});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  if (!plan->has_plan()) GTEST_SKIP() << "no plan within 0.3 s on this machine";
  EXPECT_LE(plan->bound, plan->objective);
  EXPECT_NEAR(plan->gap_pct,
              100 * (plan->objective - plan->bound) / std::max(1.0, std::abs(plan->objective)),
              1e-9);
  EXPECT_EQ(plan->status, plan->gap_pct <= 1e-9 ? "optimal" : "feasible");
}

// Fails before: CBC searched for every plan, 0.55-1.23 s at 12 months and 2.9-6.4 s at 24
// (docs/benchmarks.md, "Planner"). The rounded relaxation is within 0.5% of its bound on the
// benchmark instance, so the plan is proven without branch and bound.
TEST(PlanSolveTest, RoundedRelaxationIsProvenWithinTheGap) {
  const Scenario s = Generated(12, 20, 1);
  const Result<Plan> plan = MakePlan(s, PlanOptions{30.0, 0.5});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->status, "optimal");
  EXPECT_EQ(plan->found_by, "rounding");
  EXPECT_EQ(plan->nodes, 0);
  EXPECT_LE(plan->gap_pct, 0.5);
  EXPECT_LE(plan->bound, plan->objective);
  // Whole lots, every budget kept although order months now cost their full amount.
  std::map<std::string, int> lots;
  for (const PurchaseOption& p : s.purchases) lots[p.id] = p.lot;
  for (const OrderLine& o : plan->orders) {
    EXPECT_GT(o.units, 0);
    EXPECT_EQ(o.units % lots.at(o.option), 0) << o.option;
  }
  for (const AreaSpend& a : plan->spend) {
    if (a.limit) {
      EXPECT_LE(a.spent, *a.limit * (1 + 1e-9)) << a.area;
    }
  }
}

}  // namespace
}  // namespace gpufleet::planner
