#include "gpufleet/service/fleet_rebuilder.h"

#include <chrono>
#include <utility>

#include "gpufleet/log/log.h"

namespace gpufleet::service {

Result<std::shared_ptr<const FleetContext>> BuildFleetFromInventory(
    const FleetBasis& basis, const InventoryService& inventory) {
  InventoryVersion version;
  findings::Holds holds;
  Result<inventory::Inventory> snapshot = inventory.Snapshot(&version, &holds);
  if (!snapshot.ok()) return snapshot.status();
  // A board or node held by several findings names them all: releasing one leaves it held.
  const auto why = [](const std::vector<std::string>& ids) {
    std::string text = ids.size() == 1 ? "finding " : "findings ";
    for (size_t i = 0; i < ids.size(); ++i) text += (i ? ", " : "") + ids[i];
    return text;
  };
  scheduler::HeldBack held;
  for (const auto& [serial, ids] : holds.serials) held.serials.emplace(serial, why(ids));
  for (const auto& [node, ids] : holds.nodes) held.nodes.emplace(node, why(ids));
  Result<std::unique_ptr<const FleetContext>> built = BuildFleetContext(
      basis, std::move(snapshot).value(), version.generation, version.entries, std::move(held));
  if (!built.ok()) return built.status();
  return std::shared_ptr<const FleetContext>(std::move(built).value());
}

FleetRebuilder::FleetRebuilder(FleetBasis basis, const InventoryService& inventory,
                               FleetHolder& holder, const Clock* clock, bool day_follows_clock)
    : basis_(std::move(basis)),
      inventory_(inventory),
      holder_(holder),
      clock_(clock),
      day_follows_clock_(day_follows_clock) {}

Date FleetRebuilder::Today() const {
  if (clock_ == nullptr || !day_follows_clock_) return basis_.at;
  constexpr int64_t kMsPerDay = 86'400'000;
  const int64_t ms = clock_->NowMs();
  return Date::FromDays(static_cast<int32_t>(ms / kMsPerDay - (ms % kMsPerDay < 0 ? 1 : 0)));
}

std::optional<RuleVersion> FleetRebuilder::RulesNow() const {
  return clock_ != nullptr ? inventory_.RulesAt(clock_->NowMs()) : std::nullopt;
}

bool FleetRebuilder::JudgedAs(const FleetContext& held, Date today,
                              const std::optional<RuleVersion>& rules) const {
  return held.at == today && held.rules.get() == (rules ? rules->rules.get() : basis_.rules.get());
}

bool FleetRebuilder::RulesOrDayChanged() const {
  return !JudgedAs(*holder_.Get(), Today(), RulesNow());
}

Result<bool> FleetRebuilder::Refresh() {
  const std::lock_guard lock(build_mu_);
  // Only this rebuilder Sets the holder, so what it holds cannot change under the lock.
  const std::shared_ptr<const FleetContext> held = holder_.Get();
  const Date today = Today();
  const std::optional<RuleVersion> rules = RulesNow();
  if (inventory_.generation() == held->generation && JudgedAs(*held, today, rules)) return false;
  const auto began = std::chrono::steady_clock::now();
  FleetBasis basis = basis_;  // shares the catalog; the day, rules and engine are the moment's
  basis.at = today;
  if (rules) {
    basis.rules = rules->rules;
    basis.engine = rules->engine;
  }
  Result<std::shared_ptr<const FleetContext>> next = BuildFleetFromInventory(basis, inventory_);
  if (!next.ok()) return next.status();
  const FleetContext& built = **next;
  log::Debug(
      "fleet.rebuilt",
      {{"generation", built.generation},
       {"at", built.at.ToString()},
       {"nodes", built.fleet.fleet.nodes().size()},
       {"gpus", built.fleet.fleet.total_gpus()},
       {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began)
                  .count()}});
  holder_.Set(std::move(next).value());
  return true;
}

}  // namespace gpufleet::service
