#include "cli/plan_command.h"

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/plan_output.h"
#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/what_if.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

struct PlanFlags {
  std::string scenario;
  std::string what_if;
  std::string format = "table";
  std::string svg;
  bool wide = false;
  std::optional<double> time_limit_s;
  std::optional<double> gap_pct;
};

int Fail(const Status& status) {
  std::cerr << "gpufleet plan: " << status.message() << "\n";
  return 1;
}

int Run(const PlanFlags& f) {
  auto scenario = planner::LoadScenario(f.scenario);
  if (!scenario.ok()) return Fail(scenario.status());
  std::optional<planner::Scenario> changed;
  if (!f.what_if.empty()) {
    auto s = planner::LoadWhatIf(*scenario, f.what_if);
    if (!s.ok()) return Fail(s.status());
    changed = std::move(s).value();
  }
  const planner::PlanOptions options{f.time_limit_s, f.gap_pct};
  auto plan = planner::MakePlan(*scenario, options);
  if (!plan.ok()) return Fail(plan.status());
  std::optional<planner::Plan> other;
  if (changed) {
    auto p = planner::MakePlan(*changed, options);
    if (!p.ok()) return Fail(p.status());
    other = std::move(p).value();
  }
  // The chart shows the plan the user asked about last: the what-if when there is one.
  if (!f.svg.empty()) {
    std::ofstream svg(f.svg);
    WritePlanSvg(changed ? *changed : *scenario, other ? *other : *plan, svg);
    if (!svg) return Fail(Status::IOError(f.svg + ": cannot write"));
  }
  if (f.format == "json") {
    nlohmann::json j = PlanJson(*scenario, *plan);
    if (other) j = {{"base", j}, {"what_if", PlanJson(*changed, *other)}};
    std::cout << report::DumpJson(j, 2) << "\n";
  } else if (f.format == "csv") {
    WritePlanCsv(changed ? *changed : *scenario, other ? *other : *plan, std::cout);
  } else if (f.format == "lines-csv") {
    WritePlanLinesCsv(other ? *other : *plan, std::cout);
  } else {
    const size_t width = f.wide ? 0 : kPlanTextWidth;
    WritePlanText(*scenario, *plan, std::cout, width);
    if (other) {
      std::cout << "\n=== What-if: " << f.what_if << " ===\n\n";
      WritePlanText(*changed, *other, std::cout, width);
      std::cout << "\n=== Base vs. what-if ===\n\n";
      WriteComparisonText(*scenario, *plan, *other, std::cout, width);
    }
  }
  const bool all_planned = plan->has_plan() && (!other || other->has_plan());
  return all_planned ? 0 : 2;
}

}  // namespace

void AddPlanCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Procurement plan for a scenario (docs/planner.md): what to buy, rent and sell, where and "
      "when, under budgets, the domestic share, supply limits and the rules in force each month");
  cmd->add_option("scenario", f->scenario, "Scenario YAML (see examples/planner/plan-2025.yaml)")
      ->required();
  cmd->add_option("--what-if", f->what_if,
                  "Change YAML (a rule overlay, supply cut, price, lead-time or budget change; "
                  "docs/planner.md): re-plan and compare side by side");
  cmd->add_option("--format", f->format,
                  "table (default), json, csv (the month x location x model rows) or lines-csv "
                  "(order, sale and rental lines to act on)")
      ->check(CLI::IsMember({"table", "json", "csv", "lines-csv"}));
  cmd->add_flag("--wide", f->wide,
                "Table output: no limit on line length (default: lines of at most 120 "
                "characters, wide tables split by months or written as records)");
  cmd->add_option("--svg", f->svg, "Write an SVG chart of capacity and demand to this file");
  cmd->add_option("--time-limit", f->time_limit_s,
                  "Solver time limit in seconds (default: the scenario's, else 10); the best "
                  "plan found is returned with its gap")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--gap", f->gap_pct, "Stop at this optimality gap, percent (default 0.5)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([f, &exit_code] { exit_code = Run(*f); });
}

}  // namespace gpufleet::cli
