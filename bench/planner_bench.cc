// Planner speed (issue 6, "Speed"): planner::MakePlan on the seeded generator's scenarios
// (planner/scenario_generator.h; 15 models, 4 demand classes, seed 1), sites at 12 months
// and months at 20 sites. The target instance is BM_MakePlan/12/20: a gap under 0.5% in
// under 2 s. gpufleet_planner_scaling prints the same grid over several seeds as a table
// (docs/benchmarks.md, "Planner").
//
// Each iteration is one whole MakePlan (rules, program, CBC, the LP relaxation, the report);
// generating the scenario is outside the timing.

#include <benchmark/benchmark.h>

#include <utility>

#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario_generator.h"

namespace gpufleet {
namespace {

// Args: months, sites.
void BM_MakePlan(benchmark::State& state) {
  planner::GeneratorOptions options;
  options.months = static_cast<int>(state.range(0));
  options.sites = static_cast<int>(state.range(1));
  const Result<planner::Scenario> scenario = planner::GenerateScenario(options);
  if (!scenario.ok()) {
    state.SkipWithError(scenario.status().ToString().c_str());
    return;
  }
  planner::Plan plan;
  for (auto _ : state) {
    Result<planner::Plan> p = planner::MakePlan(*scenario);
    if (!p.ok()) {
      state.SkipWithError(p.status().ToString().c_str());
      return;
    }
    plan = std::move(p).value();
  }
  state.counters["variables"] = plan.variables;
  state.counters["integer_variables"] = plan.integer_variables;
  state.counters["constraints"] = plan.constraints;
  state.counters["has_plan"] = plan.has_plan() ? 1 : 0;          // 0: none found in the time limit
  state.counters["optimal"] = plan.status == "optimal" ? 1 : 0;  // within the 0.5% gap
  state.counters["gap_pct"] = plan.gap_pct;
  state.counters["solve_s"] = plan.solve_seconds;
  state.counters["total_s"] = plan.total_seconds;
}

BENCHMARK(BM_MakePlan)
    ->ArgNames({"months", "sites"})
    ->Args({12, 5})
    ->Args({12, 10})
    ->Args({12, 20})
    ->Args({12, 40})
    ->Args({6, 20})
    ->Args({24, 20})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace gpufleet
