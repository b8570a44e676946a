#pragma once
// `gpufleet place`: places a batch of jobs on an inventory's fleet on a date, compliance-aware
// (tenant organisation and data class exclude nodes; the resale cap holds external tenants
// back), and says for every pending job why, with counts (docs/scheduling.md).

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddPlaceCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
