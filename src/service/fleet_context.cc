#include "gpufleet/service/fleet_context.h"

#include <utility>

namespace gpufleet::service {

const inventory::Organisation* FleetContext::FindOrganisation(std::string_view id) const {
  for (const inventory::Organisation& o : inventory.organisations()) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

Result<std::unique_ptr<const FleetContext>> BuildFleetContext(
    catalog::Catalog catalog, compliance::RuleSet rules, inventory::Inventory inventory, Date at,
    const scheduler::NodeResources& resources) {
  auto ctx = std::make_unique<FleetContext>(FleetContext{.catalog = std::move(catalog),
                                                         .rules = std::move(rules),
                                                         .inventory = std::move(inventory),
                                                         .at = at,
                                                         .engine = nullptr,
                                                         .check = {},
                                                         .fleet = {}});
  ctx->engine = compliance::MakeIndexedEngine(ctx->rules);
  ctx->check =
      compliance::CheckFleet(ctx->inventory, ctx->catalog, ctx->rules, *ctx->engine, ctx->at);
  Result<scheduler::InventoryFleet> fleet =
      scheduler::BuildInventoryFleet(ctx->inventory, ctx->catalog, ctx->at, ctx->check, resources);
  if (!fleet.ok()) return fleet.status();
  ctx->fleet = std::move(*fleet);
  return std::unique_ptr<const FleetContext>(std::move(ctx));
}

}  // namespace gpufleet::service
