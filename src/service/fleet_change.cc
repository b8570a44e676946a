#include "service/fleet_change.h"

#include <algorithm>
#include <set>
#include <utility>

#include "gpufleet/compliance/workload.h"

namespace gpufleet::service::internal {
namespace {

using Groups = std::map<std::tuple<std::string_view, std::string_view, std::string_view>, size_t>;

Groups IndexGroups(const scheduler::InventoryFleet& fleet) {
  Groups out;
  for (size_t i = 0; i < fleet.groups.size(); ++i) {
    const scheduler::NodeGroup& g = fleet.groups[i];
    out.emplace(
        std::tuple<std::string_view, std::string_view, std::string_view>(g.site, g.node, g.model),
        i);
  }
  return out;
}

bool BySerial(const inventory::Asset* a, const inventory::Asset* b) {
  return a->serial < b->serial;
}

// The assets of `from` whose serials are not in `sorted` (by serial).
std::vector<const inventory::Asset*> Minus(const std::vector<const inventory::Asset*>& from,
                                           const std::vector<const inventory::Asset*>& sorted) {
  std::vector<const inventory::Asset*> out;
  for (const inventory::Asset* a : from) {
    if (!std::binary_search(sorted.begin(), sorted.end(), a, BySerial)) out.push_back(a);
  }
  return out;
}

std::string Place(std::string_view site, std::string_view node) {
  return std::string(site) + (node.empty() ? "" : "/" + std::string(node));
}

}  // namespace

std::string FleetChange::Entry(const std::optional<inventory::LiveAsset>& now) const {
  const int64_t first = before_.entries;
  const int64_t last = after_.entries - 1;
  if (now && now->last_entry >= first) {
    return " (ledger entry " + std::to_string(now->last_entry) + ")";
  }
  // The asset's own record did not change (a site or organisation entry did, and with it the
  // rules' verdict): the entries between the two versions are all that can be named.
  if (last < first || !lookup_) return "";
  if (last == first) return " (ledger entry " + std::to_string(first) + ")";
  return " (ledger entries " + std::to_string(first) + " to " + std::to_string(last) + ")";
}

FleetChange::FleetChange(const FleetContext& before, const FleetContext& after, AssetLookup lookup)
    : before_(before),
      after_(after),
      lookup_(std::move(lookup)),
      before_groups_(IndexGroups(before.fleet)),
      after_groups_(IndexGroups(after.fleet)) {}

std::optional<inventory::LiveAsset> FleetChange::Now(std::string_view serial) {
  if (lookup_) return lookup_(serial);
  if (after_assets_.empty()) {
    for (const inventory::Asset& a : after_.inventory.assets()) after_assets_.emplace(a.serial, &a);
  }
  const auto it = after_assets_.find(serial);
  if (it == after_assets_.end()) return std::nullopt;
  return inventory::LiveAsset{.record = *it->second,
                              .status = inventory::AssetStatus::kActive,
                              .lost_how = {},
                              .last_effective_ms = 0,
                              .last_entry = -1};
}

std::string FleetChange::Fate(const inventory::Asset& was,
                              const std::optional<inventory::LiveAsset>& now) {
  if (!now) return "left the inventory";
  const inventory::Asset& is = now->record;
  switch (now->status) {
    case inventory::AssetStatus::kRetired:
      return "retired";
    case inventory::AssetStatus::kLost:
      return now->lost_how.empty() ? "lost" : now->lost_how;
    case inventory::AssetStatus::kActive:
      break;
  }
  if (is.site != was.site || is.node != was.node) return "moved to " + Place(is.site, is.node);
  if (is.model != was.model) return "recorded as " + is.model;
  if (is.owner != was.owner) return "transferred to " + is.owner;
  if (is.operator_org != was.operator_org) return "operated by " + is.operator_org;
  if (after_.at < is.acquired) return "acquired on " + is.acquired.ToString();
  // Still here and still the fleet's: a finding holds it, or the check found it in violation.
  if (const auto held = after_.held.serials.find(is.serial); held != after_.held.serials.end()) {
    return "held by " + held->second;
  }
  if (!is.node.empty()) {
    const auto held = after_.held.nodes.find(is.site + "/" + is.node);
    if (held != after_.held.nodes.end()) return "held with its node by " + held->second;
  }
  const std::vector<const compliance::Rule*>& rules = QuarantinedBy(is.serial);
  if (rules.empty()) return "changed";
  std::set<std::string> ids;
  for (const compliance::Rule* r : rules) ids.insert(r->id);
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return "quarantined by " + out;
}

const std::vector<const compliance::Rule*>& FleetChange::QuarantinedBy(std::string_view serial) {
  if (!violations_indexed_) {
    // Once per change, not once per asset asked about: a rule that takes thousands of nodes
    // away asks about every one of their boards.
    for (const compliance::AssetFinding& f : after_.check.findings) {
      if (f.situation->severity != compliance::Severity::kViolation) continue;
      std::vector<const compliance::Rule*>& rules = violations_[f.asset->serial];
      for (const compliance::DecidingRule& d : compliance::DecidingRules(f.situation->verdict)) {
        if (d.hit->action >= compliance::Action::kLicenceRequired) rules.push_back(d.hit->rule);
      }
    }
    violations_indexed_ = true;
  }
  static const std::vector<const compliance::Rule*> kNone;
  const auto it = violations_.find(serial);
  return it == violations_.end() ? kNone : it->second;
}

std::optional<int64_t> FleetChange::GraceMs(std::string_view node, int64_t default_grace_ms) {
  // Once per node: every job on a node asks.
  if (const auto it = grace_.find(node); it != grace_.end()) return it->second;
  const std::optional<int64_t> grace = NodeGraceMs(node, default_grace_ms);
  grace_.emplace(std::string(node), grace);
  return grace;
}

std::optional<int64_t> FleetChange::NodeGraceMs(std::string_view node, int64_t default_grace_ms) {
  constexpr int64_t kMsPerHour = 3'600'000;
  const std::optional<NodeId> id = before_.fleet.fleet.FindNode(node);
  if (!id || after_.fleet.fleet.FindNode(node)) return std::nullopt;
  const scheduler::NodeGroup& group = before_.fleet.groups[before_.fleet.node_groups[id->value()]];
  std::optional<int64_t> grace;
  for (const inventory::Asset* a : group.assets) {
    const std::optional<inventory::LiveAsset> now = Now(a->serial);
    // Every board of the node must still be where it was, the rules alone taking it away.
    if (!now || !Fate(*a, now).starts_with("quarantined by ")) return std::nullopt;
    for (const compliance::Rule* r : QuarantinedBy(a->serial)) {
      const int64_t ms = r->grace_hours ? int64_t{*r->grace_hours} * kMsPerHour : default_grace_ms;
      if (!grace || ms < *grace) grace = ms;
    }
  }
  return grace;
}

std::string FleetChange::Named(const std::vector<const inventory::Asset*>& assets) {
  std::string out;
  for (size_t i = 0; i < assets.size() && i < kMaxAssetsNamed; ++i) {
    const std::optional<inventory::LiveAsset> now = Now(assets[i]->serial);
    if (i > 0) out += (i + 1 == assets.size() ? " and " : ", ");
    out += "asset " + assets[i]->serial + " " + Fate(*assets[i], now) + Entry(now);
  }
  if (assets.size() > kMaxAssetsNamed) {
    out += " and " + std::to_string(assets.size() - kMaxAssetsNamed) + " more";
  }
  return out;
}

std::vector<const inventory::Asset*> FleetChange::AssetsAt(const Groups& index,
                                                           const scheduler::InventoryFleet& fleet,
                                                           std::string_view site,
                                                           std::string_view node) {
  std::vector<const inventory::Asset*> out;
  for (auto it = index.lower_bound({site, node, std::string_view()});
       it != index.end() && std::get<0>(it->first) == site && std::get<1>(it->first) == node;
       ++it) {
    const std::vector<const inventory::Asset*>& assets = fleet.groups[it->second].assets;
    out.insert(out.end(), assets.begin(), assets.end());
  }
  std::sort(out.begin(), out.end(), BySerial);
  return out;
}

std::string FleetChange::Arrivals(const std::vector<const inventory::Asset*>& joined,
                                  const scheduler::NodeGroup& group) {
  std::string out;
  for (size_t i = 0; i < joined.size() && i < kMaxAssetsNamed; ++i) {
    if (i > 0) out += (i + 1 == joined.size() ? " and " : ", ");
    out += "asset " + joined[i]->serial + " joined " + Place(group.site, group.node) +
           Entry(Now(joined[i]->serial));
  }
  if (joined.size() > kMaxAssetsNamed) {
    out += " and " + std::to_string(joined.size() - kMaxAssetsNamed) + " more";
  }
  return out;
}

std::string FleetChange::Why(std::string_view node) {
  if (const auto it = why_.find(node); it != why_.end()) return it->second;
  std::string why;
  if (const std::optional<NodeId> id = before_.fleet.fleet.FindNode(node)) {
    const scheduler::NodeGroup& group =
        before_.fleet.groups[before_.fleet.node_groups[id->value()]];
    std::vector<const inventory::Asset*> kept;
    if (const auto it = after_groups_.find({group.site, group.node, group.model});
        it != after_groups_.end()) {
      kept = after_.fleet.groups[it->second].assets;
      std::sort(kept.begin(), kept.end(), BySerial);
    }
    std::vector<const inventory::Asset*> left = Minus(group.assets, kept);
    if (left.empty() && !group.node.empty()) {
      // The node's own boards are all there: it was renamed, by a board of another model
      // leaving or joining the recorded node.
      const std::vector<const inventory::Asset*> was =
          AssetsAt(before_groups_, before_.fleet, group.site, group.node);
      const std::vector<const inventory::Asset*> is =
          AssetsAt(after_groups_, after_.fleet, group.site, group.node);
      left = Minus(was, is);
      why = left.empty() ? Arrivals(Minus(is, was), group) : Named(left);
    } else {
      why = Named(left);
    }
  }
  why_.emplace(std::string(node), why);
  return why;
}

}  // namespace gpufleet::service::internal
