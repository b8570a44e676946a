#pragma once
// `gpufleet plan SCENARIO`: the procurement plan of a scenario file (docs/planner.md) as a
// text summary, JSON or CSV, with an SVG chart on request; `--what-if CHANGE` re-plans under a
// change and shows both side by side. Exit 0 with a plan, 1 on bad input, 2 when no plan
// meets every constraint (the conflicting limits are listed) or none was found in time.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddPlanCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
