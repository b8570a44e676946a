#pragma once
// What gpufleetd serves and schedules on: the catalog, the rule set (with the operator's
// overlays applied), the fleet inventory, the date the rules are judged on, and what follows
// from them: the fleet check and the placement fleet (inventory_fleet.h) with violating
// assets quarantined.
//
// The inventory changes while gpufleetd runs (InventoryService), so a context is one version
// of the fleet: FleetHolder (fleet_holder.h) holds the current one and FleetRebuilder builds
// the next from the same FleetBasis. The catalog, the rules and the engine over them are
// shared by every version, never copied or re-read; the inventory, the check and the
// placement fleet are each version's own.
// Thread safety: immutable after BuildFleetContext; safe to read from any thread.

#include <cstdint>
#include <memory>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/date.h"
#include "gpufleet/scheduler/inventory_fleet.h"
#include "gpufleet/status.h"

namespace gpufleet::service {

// What every version of the fleet shares: built once at start.
struct FleetBasis {
  std::shared_ptr<const catalog::Catalog> catalog;
  std::shared_ptr<const compliance::RuleSet> rules;
  std::shared_ptr<const compliance::Engine> engine;  // indexed, over *rules
  Date at;                                           // the date the rules are judged on
  scheduler::NodeResources resources;
};

// Takes the catalog and the rules and builds the engine over them.
FleetBasis MakeFleetBasis(catalog::Catalog catalog, compliance::RuleSet rules, Date at,
                          const scheduler::NodeResources& resources = {});

struct FleetContext {
  std::shared_ptr<const catalog::Catalog> catalog;
  std::shared_ptr<const compliance::RuleSet> rules;
  inventory::Inventory inventory;
  Date at;
  std::shared_ptr<const compliance::Engine> engine;  // indexed, over `rules`
  compliance::FleetCheckReport check;                // the fleet check on `at`
  scheduler::InventoryFleet fleet;                   // points into `inventory` and `catalog`
  // The InventoryService::generation() the inventory was read at (0 for a fixed inventory):
  // the context is current while the service's generation is the same. And how many entries
  // of the inventory log it reflects: the entries between two versions are what changed.
  uint64_t generation = 0;
  int64_t entries = 0;
  // What findings hold back from placement in this version (docs/findings.md), quarantined in
  // `fleet` beside what the check finds in violation.
  scheduler::HeldBack held;

  // The organisation `id` of the inventory; nullptr when unknown.
  const inventory::Organisation* FindOrganisation(std::string_view id) const;
};

// Checks `inventory` on basis.at and builds the placement fleet. Heap-allocated because
// `fleet` points into the members: the context must not move. Linear in the inventory
// (the fleet check evaluates each asset; docs/benchmarks.md, "Fleet rebuild").
Result<std::unique_ptr<const FleetContext>> BuildFleetContext(const FleetBasis& basis,
                                                              inventory::Inventory inventory,
                                                              uint64_t generation = 0,
                                                              int64_t entries = 0,
                                                              scheduler::HeldBack held = {});

// As above, with a basis of its own.
Result<std::unique_ptr<const FleetContext>> BuildFleetContext(
    catalog::Catalog catalog, compliance::RuleSet rules, inventory::Inventory inventory, Date at,
    const scheduler::NodeResources& resources = {});

}  // namespace gpufleet::service
