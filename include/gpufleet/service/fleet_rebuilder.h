#pragma once
// Keeps a FleetHolder's fleet in step with the living inventory and, given a clock, with the
// day the rules are judged on. Every accepted inventory change bumps
// InventoryService::generation(); Refresh compares it with the generation the held
// FleetContext was built from, and the clock's day with the day it was judged on, and when
// either differs builds the next version from InventoryService::Snapshot() on the same
// FleetBasis (the catalog, rules and engine are shared, not rebuilt; only the day moves) and
// Sets it. So a rule whose effective date comes while the service runs — a ban from June 1, a
// licence that expires — quarantines the hardware it forbids on that day, without a restart.
// With a clock and an inventory that keeps a rule book (InventoryService::SetRuleBase), the
// rules themselves are the ones in force at the clock's instant: a rule change scheduled
// through the service takes effect at its effective time the same way.
//
// Who calls Refresh decides how often the fleet is rebuilt: gpufleetd's scheduler loop calls
// it at the start of each pass, so a burst of changes between two passes costs one rebuild,
// never one per change, and none on the request path (docs/service.md, "The fleet follows
// the inventory").
//
// Thread safety: Refresh may be called from any thread; builds are serialised (a caller
// that waited for another's build finds the fleet current and builds nothing).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "gpufleet/service/clock.h"
#include "gpufleet/service/fleet_context.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/status.h"

namespace gpufleet::service {

// The fleet of the inventory as it stands now, stamped with its generation.
Result<std::shared_ptr<const FleetContext>> BuildFleetFromInventory(
    const FleetBasis& basis, const InventoryService& inventory);

class FleetRebuilder {
 public:
  // REQUIRES: `inventory`, `holder` and `clock` outlive the rebuilder. Without a clock, or
  // with `day_follows_clock` false (gpufleetd --at DATE), the rules are judged on basis.at for
  // good; the rule changes in force at the clock's instant are followed whenever there is one.
  FleetRebuilder(FleetBasis basis, const InventoryService& inventory, FleetHolder& holder,
                 const Clock* clock = nullptr, bool day_follows_clock = true);
  FleetRebuilder(const FleetRebuilder&) = delete;
  FleetRebuilder& operator=(const FleetRebuilder&) = delete;

  // true when it built and Set a new version; false when the held one is current. An error
  // (the snapshot's or the build's) leaves the held version in place.
  Result<bool> Refresh();

  // True when the held version was built for another day or on other rules than those in
  // force at the clock's instant: a rule change's time has come (or the day turned), which the
  // scheduler does not defer the way it spaces rebuilds that follow inventory changes.
  bool RulesOrDayChanged() const;

  // The living inventory the fleet follows: what the scheduler asks about an asset that left.
  const InventoryService& inventory() const { return inventory_; }

 private:
  // The day the rules are judged on now.
  Date Today() const;
  // The rules in force now, when the inventory keeps a rule book (rule changes scheduled
  // while the service runs) and there is a clock; nullopt: the basis's, for good.
  std::optional<RuleVersion> RulesNow() const;
  // Whether `held` was judged on `today` with `rules` (RulesNow's).
  bool JudgedAs(const FleetContext& held, Date today,
                const std::optional<RuleVersion>& rules) const;

  const FleetBasis basis_;
  const InventoryService& inventory_;
  FleetHolder& holder_;
  const Clock* const clock_;
  const bool day_follows_clock_;
  std::mutex build_mu_;  // held for a whole Refresh
};

}  // namespace gpufleet::service
