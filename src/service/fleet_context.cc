#include "gpufleet/service/fleet_context.h"

#include <utility>

namespace gpufleet::service {

FleetBasis MakeFleetBasis(catalog::Catalog catalog, compliance::RuleSet rules, Date at,
                          const scheduler::NodeResources& resources) {
  auto shared_rules = std::make_shared<const compliance::RuleSet>(std::move(rules));
  // The engine points into the rules, so whoever holds it holds them too (an aliasing
  // pointer into one block that owns both).
  struct EngineOverRules {
    std::shared_ptr<const compliance::RuleSet> rules;
    std::unique_ptr<compliance::Engine> engine;
  };
  auto both = std::make_shared<EngineOverRules>(
      EngineOverRules{shared_rules, compliance::MakeIndexedEngine(*shared_rules)});
  std::shared_ptr<const compliance::Engine> engine(both, both->engine.get());
  return {.catalog = std::make_shared<const catalog::Catalog>(std::move(catalog)),
          .rules = std::move(shared_rules),
          .engine = std::move(engine),
          .at = at,
          .resources = resources};
}

const inventory::Organisation* FleetContext::FindOrganisation(std::string_view id) const {
  return inventory.FindOrg(id);
}

Result<std::unique_ptr<const FleetContext>> BuildFleetContext(const FleetBasis& basis,
                                                              inventory::Inventory inventory,
                                                              uint64_t generation, int64_t entries,
                                                              scheduler::HeldBack held) {
  auto ctx = std::make_unique<FleetContext>(FleetContext{.catalog = basis.catalog,
                                                         .rules = basis.rules,
                                                         .inventory = std::move(inventory),
                                                         .at = basis.at,
                                                         .engine = basis.engine,
                                                         .check = {},
                                                         .fleet = {},
                                                         .generation = generation,
                                                         .entries = entries,
                                                         .held = std::move(held)});
  ctx->check =
      compliance::CheckFleet(ctx->inventory, *ctx->catalog, *ctx->rules, *ctx->engine, ctx->at);
  Result<scheduler::InventoryFleet> fleet = scheduler::BuildInventoryFleet(
      ctx->inventory, *ctx->catalog, ctx->at, ctx->check, basis.resources, ctx->held);
  if (!fleet.ok()) return fleet.status();
  ctx->fleet = std::move(*fleet);
  return std::unique_ptr<const FleetContext>(std::move(ctx));
}

Result<std::unique_ptr<const FleetContext>> BuildFleetContext(
    catalog::Catalog catalog, compliance::RuleSet rules, inventory::Inventory inventory, Date at,
    const scheduler::NodeResources& resources) {
  return BuildFleetContext(MakeFleetBasis(std::move(catalog), std::move(rules), at, resources),
                           std::move(inventory));
}

}  // namespace gpufleet::service
