#pragma once
// A generated fleet inventory in the inventory format (inventory.h), for the demo service,
// the benchmarks and tests that need a fleet of a given size without shipping one: the
// company "acme" with owned sites in China (one state-funded, one public hub), Hong Kong and a
// Singapore subsidiary, capacity rented from a foreign provider in Malaysia, the UAE and
// Japan, and an external resale customer. Accelerators arrive in purchases of one catalog
// model at one site, acquired 2021-01-01..2026-06-30. Which purchases break the rules is left
// to chance, as in a real fleet: `gpufleet check` finds them and the scheduler quarantines
// them.
// Thread safety: free functions, safe to call concurrently with distinct directories.

#include <cstdint>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/status.h"

namespace gpufleet::inventory {

struct DemoFleetOptions {
  int64_t accelerators = 4096;  // rounded up to whole purchases
  int32_t per_purchase = 64;    // accelerators per purchase
  uint64_t seed = 7;
  // Models drawn from; empty = every catalog model.
  std::vector<std::string> models;
};

// Writes "fleet.yaml" and "assets.csv" into `dir` (created if needed) and returns the path of
// fleet.yaml. InvalidArgument for non-positive sizes or an unknown model, IOError when the
// files cannot be written.
Result<std::string> WriteDemoFleet(const catalog::Catalog& catalog, const DemoFleetOptions& options,
                                   const std::string& dir);

}  // namespace gpufleet::inventory
