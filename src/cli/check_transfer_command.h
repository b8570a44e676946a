#pragma once
// `gpufleet check-transfer`: may N units of a model go to a place, for an end user, by a given
// route, on a date? One situation through the compliance engine, with its explanation.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddCheckTransferCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
