// gpufleet_planner_scaling: how the planner's solve time grows with sites and months, on the
// seeded generator's scenarios (planner/scenario_generator.h). For every instance of the grid
// and every seed it generates the scenario, runs planner::MakePlan and prints one markdown
// table row; then a summary per instance (docs/benchmarks.md, "Planner", quotes both).
//
//   build/default/bench/gpufleet_planner_scaling                    # the grid, seeds 1-3
//   build/default/bench/gpufleet_planner_scaling --sites 20 --months 12 --seeds 5
//   build/default/bench/gpufleet_planner_scaling --write out/gen   # the target's YAML files,
//       then: gpufleet plan out/gen/scenario.yaml
//
// The target (issue 6): 12 months x 20 sites x 15 models x 4 classes solved to a gap under
// 0.5% in under 2 s. "Solved" is MakePlan's total_seconds: rules, program, MIP, the LP
// relaxation for shadow values and the report, not counting reading the scenario.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario_generator.h"

namespace {

namespace planner = gpufleet::planner;

struct Flags {
  std::vector<int> sites;
  std::vector<int> months;
  int models = 15;
  int classes = 4;
  int seeds = 3;
  uint64_t first_seed = 1;
  double time_limit_s = 10;
  double gap_pct = 0.5;
  std::string hq = "CN";
  std::string write_dir;
};

struct Instance {
  int months;
  int sites;
};

struct Row {
  Instance instance;
  uint64_t seed;
  double generate_s;
  planner::Plan plan;
};

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The default grid: sites at 12 months, then months at 20 sites.
std::vector<Instance> Grid(const Flags& f) {
  std::vector<Instance> out;
  if (!f.sites.empty() || !f.months.empty()) {
    const std::vector<int> months = f.months.empty() ? std::vector<int>{12} : f.months;
    const std::vector<int> sites = f.sites.empty() ? std::vector<int>{20} : f.sites;
    for (int m : months) {
      for (int s : sites) out.push_back({m, s});
    }
    return out;
  }
  for (int s : {5, 10, 20, 40}) out.push_back({12, s});
  for (int m : {6, 24}) out.push_back({m, 20});
  return out;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int WriteFiles(const Flags& flags, const planner::GeneratorOptions& o) {
  auto files = planner::GenerateScenarioFiles(o);
  if (!files.ok()) {
    std::fprintf(stderr, "%s\n", files.status().ToString().c_str());
    return 1;
  }
  const std::filesystem::path dir = flags.write_dir;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "scenario.yaml") << files->scenario_yaml;
  std::ofstream(dir / "fleet.yaml") << files->fleet_yaml;
  std::ofstream(dir / "classifications.yaml") << files->classifications_yaml;
  std::printf("wrote %s and %s\n", (dir / "scenario.yaml").c_str(), (dir / "fleet.yaml").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"Planner solve time against sites and months on generated scenarios"};
  app.add_option("--sites", flags.sites, "Sites (several allowed; default grid: 5 10 20 40)");
  app.add_option("--months", flags.months, "Months (several allowed; default grid: 6 12 24)");
  app.add_option("--models", flags.models, "Purchase options (catalog models), 1-15");
  app.add_option("--classes", flags.classes, "Demand classes");
  app.add_option("--seeds", flags.seeds, "Seeds per instance")->check(CLI::PositiveNumber);
  app.add_option("--first-seed", flags.first_seed, "First seed");
  app.add_option("--time-limit", flags.time_limit_s, "Solver time limit, seconds");
  app.add_option("--gap", flags.gap_pct, "Stop at this gap, percent");
  app.add_option("--hq", flags.hq, "HQ country of the planning organisation (CN, SG, ...)");
  app.add_option("--write", flags.write_dir,
                 "Write scenario.yaml and fleet.yaml of one instance (12 x 20 unless --sites or "
                 "--months say) and the first seed to this directory, and exit");
  CLI11_PARSE(app, argc, argv);

  const std::vector<Instance> grid = Grid(flags);
  auto options = [&](const Instance& in, uint64_t seed) {
    planner::GeneratorOptions o;
    o.months = in.months;
    o.sites = in.sites;
    o.models = flags.models;
    o.classes = flags.classes;
    o.seed = seed;
    o.hq_country = flags.hq;
    return o;
  };
  if (!flags.write_dir.empty()) {  // the target instance unless --sites or --months say
    const Instance in =
        flags.sites.empty() && flags.months.empty() ? Instance{12, 20} : grid.front();
    return WriteFiles(flags, options(in, flags.first_seed));
  }

  planner::PlanOptions plan_options;
  plan_options.time_limit_s = flags.time_limit_s;
  plan_options.gap_pct = flags.gap_pct;
  std::printf(
      "| months | sites | models | classes | seed | variables | integers | rows | status | "
      "gap %% | gap M USD | found by | nodes | generate s | solve s | total s |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---:|\n");
  std::fflush(stdout);
  std::vector<Row> rows;
  for (const Instance& in : grid) {
    for (int k = 0; k < flags.seeds; ++k) {
      const uint64_t seed = flags.first_seed + static_cast<uint64_t>(k);
      const auto t0 = std::chrono::steady_clock::now();
      auto scenario = planner::GenerateScenario(options(in, seed));
      const double generate_s = Since(t0);
      if (!scenario.ok()) {
        std::fprintf(stderr, "%s\n", scenario.status().ToString().c_str());
        return 1;
      }
      auto plan = planner::MakePlan(*scenario, plan_options);
      if (!plan.ok()) {
        std::fprintf(stderr, "%s\n", plan.status().ToString().c_str());
        return 1;
      }
      const planner::Plan& p = *plan;
      // The gap in money too: the objective includes the penalty of demand no plan can serve.
      std::printf(
          "| %d | %d | %d | %d | %llu | %d | %d | %d | %s | %.3f | %.1f | %s | %d | %.2f | %.2f | "
          "%.2f |\n",
          in.months, in.sites, flags.models, flags.classes, static_cast<unsigned long long>(seed),
          p.variables, p.integer_variables, p.constraints, p.status.c_str(), p.gap_pct,
          (p.objective - p.bound) / 1e6, p.found_by.c_str(), p.nodes, generate_s, p.solve_seconds,
          p.total_seconds);
      std::fflush(stdout);
      rows.push_back(Row{in, seed, generate_s, std::move(plan).value()});
    }
  }

  std::printf(
      "\n| months | sites | seeds | median solve s | median total s | max total s | max gap %% | "
      "all under 2 s and 0.5%% |\n|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (const Instance& in : grid) {
    std::vector<double> solve, total;
    double max_gap = 0;
    bool met = true;
    for (const Row& r : rows) {
      if (r.instance.months != in.months || r.instance.sites != in.sites) continue;
      solve.push_back(r.plan.solve_seconds);
      total.push_back(r.plan.total_seconds);
      max_gap = std::max(max_gap, r.plan.gap_pct);
      met = met && r.plan.has_plan() && r.plan.total_seconds < 2 && r.plan.gap_pct < 0.5;
    }
    std::printf("| %d | %d | %zu | %.2f | %.2f | %.2f | %.3f | %s |\n", in.months, in.sites,
                solve.size(), Median(solve), Median(total),
                *std::max_element(total.begin(), total.end()), max_gap, met ? "yes" : "no");
  }
  return 0;
}
