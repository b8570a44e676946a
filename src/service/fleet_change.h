#pragma once
// Private to the service (scheduler_loop.cc): why a placement node of one version of the fleet
// is smaller in the next, or gone from it, told by the assets that made the difference and
// the ledger entries that recorded them. The scheduler writes it into the preemption reason
// of a job that can no longer run where it is, so that the tenant reads which change took
// its GPUs ("asset 1654223000001 moved to gz-hub (ledger entry 135)").
//
// A node is made from one (site, node, model) group of the inventory (scheduler::NodeGroup).
// The assets of the node's group in `before` that are not in the same group of `after` left
// it; what became of each is read from the living inventory (its status, site, node, owner
// and operator, and the last entry about it) or, without one, from `after`'s inventory. When
// none left, the node was renamed (a node cut at 16 grew or shrank, a second model came or
// went): the boards of other models that left its recorded node, or else those that joined
// it, are named instead.
// Thread safety: none; one pass uses it.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "gpufleet/inventory/live_inventory.h"
#include "gpufleet/service/fleet_context.h"

namespace gpufleet::service::internal {

// The living inventory's record of a serial; nullopt when it has none.
using AssetLookup = std::function<std::optional<inventory::LiveAsset>(std::string_view serial)>;

// At most this many assets are named in one explanation; the rest are counted.
inline constexpr size_t kMaxAssetsNamed = 2;

class FleetChange {
 public:
  // `before` and `after` must outlive the object. Without `lookup` (an empty function) the
  // explanation names no ledger entries and reads what became of an asset from `after`.
  FleetChange(const FleetContext& before, const FleetContext& after, AssetLookup lookup);

  // Why node `node` of `before` is smaller in `after` or gone: "asset S retired (ledger entry
  // 12)", "asset S moved to sg-1/n5 (ledger entry 13), asset T lost (ledger entry 14) and 2
  // more"; "" when `before` has no such node or nothing at its recorded node changed.
  std::string Why(std::string_view node);

  // How long the jobs on node `node` of `before` may run on, draining, when the rules alone
  // took the node away: it is gone from `after` and every one of its boards is still where
  // it was, quarantined. The shortest grace of the rules behind the quarantine (a rule's
  // grace_hours, else `default_grace_ms`). nullopt when anything else took a board (the
  // hardware is physically gone, or its GPUs are placed again in `after`): no grace.
  std::optional<int64_t> GraceMs(std::string_view node, int64_t default_grace_ms);

 private:
  using GroupKey = std::tuple<std::string_view, std::string_view, std::string_view>;
  // What became of `asset` (a record of `before`): "retired", "moved to sg-1/n5", ...
  std::string Fate(const inventory::Asset& asset, const std::optional<inventory::LiveAsset>& now);
  std::optional<inventory::LiveAsset> Now(std::string_view serial);
  // The rules that make `serial` a violation in `after` (licence_required or worse).
  const std::vector<const compliance::Rule*>& QuarantinedBy(std::string_view serial);
  std::optional<int64_t> NodeGraceMs(std::string_view node, int64_t default_grace_ms);
  // The assets of the groups of `fleet` at (site, node), any model, by serial.
  static std::vector<const inventory::Asset*> AssetsAt(const std::map<GroupKey, size_t>& index,
                                                       const scheduler::InventoryFleet& fleet,
                                                       std::string_view site,
                                                       std::string_view node);
  // "asset S joined sg-0/n0 (ledger entry E)", for assets that joined `group`'s recorded node.
  std::string Arrivals(const std::vector<const inventory::Asset*>& joined,
                       const scheduler::NodeGroup& group);
  // "asset S retired (ledger entry E), asset T moved to ... and 2 more", for assets that left.
  std::string Named(const std::vector<const inventory::Asset*>& left);
  // " (ledger entry E)": the last entry about the asset when it is one of those between the
  // two versions, else those entries.
  std::string Entry(const std::optional<inventory::LiveAsset>& now) const;

  const FleetContext& before_;
  const FleetContext& after_;
  AssetLookup lookup_;
  std::map<GroupKey, size_t> before_groups_;  // into before_.fleet.groups
  std::map<GroupKey, size_t> after_groups_;   // into after_.fleet.groups
  // By serial; filled on first use, and only without a lookup.
  std::map<std::string_view, const inventory::Asset*> after_assets_;
  std::map<std::string, std::string, std::less<>> why_;               // by node, once computed
  std::map<std::string, std::optional<int64_t>, std::less<>> grace_;  // by node, once computed
  // The rules that make each asset a violation in `after` (licence_required or worse), by
  // serial: indexed in one go when first needed (a rule change names hundreds of quarantined
  // assets, and the check has a finding for every asset in violation, so a scan per asset cost
  // the pass a third of a second).
  std::map<std::string_view, std::vector<const compliance::Rule*>, std::less<>> violations_;
  bool violations_indexed_ = false;
};

}  // namespace gpufleet::service::internal
