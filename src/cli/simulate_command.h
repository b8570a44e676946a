#pragma once
// `gpufleet simulate`: the saturation experiment or an event replay over a trace or a
// synthetic fleet, with a table on the terminal and CSV / JSON / SVG files.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

// Adds the subcommand to `app`; its callback runs the simulation and sets the exit code.
void AddSimulateCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
