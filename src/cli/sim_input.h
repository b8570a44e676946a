#pragma once
// Where a simulation's fleet and pods come from: trace files, or a synthetic generator so the
// product runs with no downloaded data.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "gpufleet/codec/alibaba_trace.h"
#include "gpufleet/model/fleet.h"
#include "gpufleet/status.h"

namespace gpufleet::cli {

struct SimInputFlags {
  std::string nodes;      // node list CSV
  std::string pods;       // pod list CSV
  std::string synthetic;  // "demo" or "large:<gpus>"
  uint64_t synthetic_seed = 1;
  // Event replays of a synthetic workload: the offered GPU load as a multiple of capacity
  // (arrival rate x mean GPUs per job x mean duration / GPUs); 0 = the generator's defaults,
  // enough pods to fill the cluster once (the saturation experiment).
  double synthetic_load = 0;
};

struct SimInput {
  std::string label;
  Fleet fleet;
  std::vector<codec::TracePod> pods;
};

void AddSimInputOptions(CLI::App& cmd, SimInputFlags& flags);
Result<SimInput> LoadSimInput(const SimInputFlags& flags);

// Checks a node order read from `path` (codec::ReadNodeOrder: no name twice) against `fleet`:
// every name must be a node of it, and unless `partial`, every node must be named, since a
// node left out would silently rank after the named ones.
Status CheckNodeOrder(const Fleet& fleet, const std::vector<std::string>& names,
                      const std::string& path, bool partial);

}  // namespace gpufleet::cli
