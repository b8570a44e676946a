#pragma once
// What gpufleetd serves and schedules on: the catalog, the rule set (with the operator's
// overlays applied), the fleet inventory, the date the rules are judged on, and what follows
// from them once at start: the fleet check and the placement fleet (inventory_fleet.h) with
// violating assets quarantined. The scheduler loop and the API share one FleetContext.
// Thread safety: immutable after BuildFleetContext; safe to read from any thread.

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

struct FleetContext {
  catalog::Catalog catalog;
  compliance::RuleSet rules;
  inventory::Inventory inventory;
  Date at;
  std::unique_ptr<compliance::Engine> engine;  // indexed, over `rules`
  compliance::FleetCheckReport check;          // the fleet check on `at`
  scheduler::InventoryFleet fleet;             // points into `inventory` and `catalog`

  // The organisation `id` of the inventory; nullptr when unknown.
  const inventory::Organisation* FindOrganisation(std::string_view id) const;
};

// Takes the inputs, checks the fleet on `at` and builds the placement fleet. Heap-allocated
// because `fleet` points into the members: the context must not move.
Result<std::unique_ptr<const FleetContext>> BuildFleetContext(
    catalog::Catalog catalog, compliance::RuleSet rules, inventory::Inventory inventory, Date at,
    const scheduler::NodeResources& resources = {});

}  // namespace gpufleet::service
