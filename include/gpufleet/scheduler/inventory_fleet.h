#pragma once
// The placement view of an inventory on a date: one placement node per inventory node, with
// the inventory's sites and the catalog's models. The scheduler places jobs on it and
// compliance judges its (site, model) pairs.
//
// The inventory records accelerators, not hosts: CPU and memory per node are not in it, so
// every node gets `NodeResources` per accelerator. Assets are grouped into nodes by
// (site, node); a node holding two models becomes one node per model ("<node>/<model>"), one
// with more than kMaxGpusPerNode accelerators is cut into nodes of that size
// ("<node>#2", ...), and assets with no node recorded are packed eight to a node per
// (site, model) ("<site>/<model>#1", ...). A serial recorded twice counts once (the first
// record): a board cannot run jobs in two places. Node names are "<site>/<node>"; a name
// another node already has gets "~2", "~3", ... (recorded names are free text). Assets
// the fleet check finds in violation are quarantined, not placed on.
// Thread safety: immutable after construction.

#include <cstdint>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/date.h"
#include "gpufleet/model/fleet.h"
#include "gpufleet/model/job.h"
#include "gpufleet/status.h"

namespace gpufleet::scheduler {

struct NodeResources {
  int64_t cpu_milli_per_gpu = 16000;                // 16 cores
  int64_t memory_mib_per_gpu = int64_t{128} << 10;  // 128 GiB
};

// Accelerators kept out of the placement fleet because `gpufleet check` finds them in
// violation on the date (held without a licence they need, say): jobs must not run on them.
// Grouped by site, model and the rules behind the violation.
struct Quarantined {
  std::string site;   // inventory site id
  std::string model;  // catalog id
  std::string rules;  // the deciding rule ids, ", "-separated
  int64_t gpus = 0;
};

struct InventoryFleet {
  Fleet fleet;  // site names and model names are inventory site ids and catalog ids
  std::vector<const catalog::AcceleratorSpec*> chips;  // by ChipModelId
  std::vector<const inventory::Site*> sites;           // by SiteId; point into the inventory
  std::vector<Quarantined> quarantined;
};

// Assets acquired on or before `at`, less those `check` (the fleet check on `at`) finds in
// violation. The result points into `inv` and `cat`, which must outlive it. Errors only when
// the fleet has more models than a placement fleet can hold.
Result<InventoryFleet> BuildInventoryFleet(const inventory::Inventory& inv,
                                           const catalog::Catalog& cat, Date at,
                                           const compliance::FleetCheckReport& check,
                                           const NodeResources& resources = {});

}  // namespace gpufleet::scheduler
