#include "gpufleet/service/fleet_rebuilder.h"

#include <chrono>
#include <utility>

#include "gpufleet/log/log.h"

namespace gpufleet::service {

Result<std::shared_ptr<const FleetContext>> BuildFleetFromInventory(
    const FleetBasis& basis, const InventoryService& inventory) {
  InventoryVersion version;
  Result<inventory::Inventory> snapshot = inventory.Snapshot(&version);
  if (!snapshot.ok()) return snapshot.status();
  Result<std::unique_ptr<const FleetContext>> built =
      BuildFleetContext(basis, std::move(snapshot).value(), version.generation, version.entries);
  if (!built.ok()) return built.status();
  return std::shared_ptr<const FleetContext>(std::move(built).value());
}

FleetRebuilder::FleetRebuilder(FleetBasis basis, const InventoryService& inventory,
                               FleetHolder& holder)
    : basis_(std::move(basis)), inventory_(inventory), holder_(holder) {}

Result<bool> FleetRebuilder::Refresh() {
  const std::lock_guard lock(build_mu_);
  // Only this rebuilder Sets the holder, so what it holds cannot change under the lock.
  const uint64_t held = holder_.Get()->generation;
  if (inventory_.generation() == held) return false;
  const auto began = std::chrono::steady_clock::now();
  Result<std::shared_ptr<const FleetContext>> next = BuildFleetFromInventory(basis_, inventory_);
  if (!next.ok()) return next.status();
  const FleetContext& built = **next;
  log::Debug(
      "fleet.rebuilt",
      {{"generation", built.generation},
       {"nodes", built.fleet.fleet.nodes().size()},
       {"gpus", built.fleet.fleet.total_gpus()},
       {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began)
                  .count()}});
  holder_.Set(std::move(next).value());
  return true;
}

}  // namespace gpufleet::service
