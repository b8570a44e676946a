#pragma once
// The placement view of an inventory on a date: one placement node per inventory node, with
// the inventory's sites and the catalog's models. The scheduler places jobs on it and
// compliance judges its (site, model) pairs.
//
// CPU and memory per node come from the inventory's node record for (site, node) when it has
// one (shared among the placement nodes cut from that host by their accelerators), and are
// otherwise `NodeResources` per accelerator. Assets are grouped into nodes by
// (site, node); a node holding two models becomes one node per model ("<node>/<model>"), one
// with more than kMaxGpusPerNode accelerators is cut into nodes of that size
// ("<node>#2", ...), and assets with no node recorded are packed eight to a node per
// (site, model) ("<site>/<model>#1", ...). A serial recorded twice counts once (the first
// record): a board cannot run jobs in two places. Node names are "<site>/<node>"; a name
// another node already has gets "~2", "~3", ... (recorded names are free text). Assets
// the fleet check finds in violation are quarantined, not placed on, and so are assets that
// are not the fleet's (HeldByFleet): run by a counterparty, or owned and run by a customer
// (sold, the buyer running them).
//
// Node names follow from the inventory alone, so a rebuild after a change keeps the names of
// the nodes it does not touch (the service rebuilds its fleet as the living inventory
// changes). The inventory records which node an asset is in, not where in it: a node that
// loses an accelerator keeps GPUs 0..n-2, a group packed eight to a node loses its last
// node's last GPU, whichever asset left. Two changes rename nodes: a named node growing past
// kMaxGpusPerNode ("n1" becomes "n1#1", "n1#2") or back, and a named node gaining or losing
// its second model ("n1" becomes "n1/<model>").
// Thread safety: immutable after construction.

#include <cstdint>
#include <map>
#include <string>
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
// Hardware a finding holds (HeldBack) is quarantined too, its `rules` naming the findings.
struct Quarantined {
  std::string site;   // inventory site id
  std::string model;  // catalog id
  std::string rules;  // the deciding rule ids, ", "-separated; or "finding f-3, f-7"
  int64_t gpus = 0;
};

// Accelerators left out because the fleet does not hold them (HeldByFleet). Grouped by site,
// model and owner.
struct HeldByOthers {
  std::string site;   // inventory site id
  std::string model;  // catalog id
  std::string owner;  // organisation id
  int64_t gpus = 0;
};

// The assets one or more placement nodes are made from: those of one (site, node, model) of
// the inventory that are placed (not quarantined, not held by others, acquired by the date).
// A group over kMaxGpusPerNode, or with no node recorded, makes several nodes; which of its
// assets sits in which of them is not recorded.
struct NodeGroup {
  std::string site;                             // inventory site id
  std::string node;                             // as recorded; "" = none
  std::string model;                            // catalog id
  std::vector<const inventory::Asset*> assets;  // in inventory order; point into it
};

struct InventoryFleet {
  Fleet fleet;  // site names and model names are inventory site ids and catalog ids
  std::vector<const catalog::AcceleratorSpec*> chips;  // by ChipModelId
  std::vector<const inventory::Site*> sites;           // by SiteId; point into the inventory
  std::vector<Quarantined> quarantined;
  std::vector<HeldByOthers> held_by_others;
  std::vector<NodeGroup> groups;      // by (site, node, model)
  std::vector<uint32_t> node_groups;  // by NodeId: the index of the node's group in `groups`
};

// Hardware the operator's findings policy keeps out of placement (docs/findings.md): boards
// by serial and nodes by "<site>/<node>" as recorded, each with the text that says why
// ("finding f-3"). Released hardware is simply no longer here.
struct HeldBack {
  std::map<std::string, std::string, std::less<>> serials;
  std::map<std::string, std::string, std::less<>> nodes;
  bool empty() const { return serials.empty() && nodes.empty(); }
};

// Whether the fleet holds `asset`, so that jobs may run on it: its operator (who runs
// workloads on it) is of the group (kind company or subsidiary), or an external customer
// renting it (the group resells that capacity; the resale cap measures it). Not when a
// counterparty runs it (sold, or leased out to one) or a customer owns and runs it (sold).
bool HeldByFleet(const inventory::Inventory& inv, const inventory::Asset& asset);

// Assets acquired on or before `at`, less those held by others, those `check` (the fleet
// check on `at`) finds in violation and those `held` back. The result points into `inv` and `cat`,
// which must outlive it. Errors only when the fleet has more models than a placement fleet can
// hold.
Result<InventoryFleet> BuildInventoryFleet(const inventory::Inventory& inv,
                                           const catalog::Catalog& cat, Date at,
                                           const compliance::FleetCheckReport& check,
                                           const NodeResources& resources = {},
                                           const HeldBack& held = {});

}  // namespace gpufleet::scheduler
