#pragma once
// `gpufleet check`: every asset and site of a fleet against the rules in force on a date.
// Violations, chips needing manual classification, warnings, sourcing-quota figures and the
// signs of diversion found at import; exit status 3 when there are violations.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddCheckCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
