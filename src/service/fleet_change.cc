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
  // Still here and still the fleet's: the check must have found it in violation.
  std::set<std::string> rules;
  for (const compliance::AssetFinding& f : after_.check.findings) {
    if (f.asset->serial != is.serial || f.situation->severity != compliance::Severity::kViolation) {
      continue;
    }
    for (const compliance::DecidingRule& d : compliance::DecidingRules(f.situation->verdict)) {
      if (d.hit->action >= compliance::Action::kLicenceRequired) rules.insert(d.hit->rule->id);
    }
  }
  if (rules.empty()) return "changed";
  std::string ids;
  for (const std::string& id : rules) ids += (ids.empty() ? "" : ", ") + id;
  return "quarantined by " + ids;
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

std::vector<std::string_view> FleetChange::SerialsAt(const Groups& index,
                                                     const scheduler::InventoryFleet& fleet,
                                                     std::string_view site, std::string_view node) {
  std::vector<std::string_view> out;
  for (auto it = index.lower_bound({site, node, std::string_view()});
       it != index.end() && std::get<0>(it->first) == site && std::get<1>(it->first) == node;
       ++it) {
    for (const inventory::Asset* a : fleet.groups[it->second].assets) out.push_back(a->serial);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string FleetChange::Arrivals(const scheduler::NodeGroup& group) {
  const std::vector<std::string_view> was =
      SerialsAt(before_groups_, before_.fleet, group.site, group.node);
  std::vector<std::string_view> joined;
  for (const std::string_view serial :
       SerialsAt(after_groups_, after_.fleet, group.site, group.node)) {
    if (!std::binary_search(was.begin(), was.end(), serial)) joined.push_back(serial);
  }
  std::string out;
  for (size_t i = 0; i < joined.size() && i < kMaxAssetsNamed; ++i) {
    if (i > 0) out += (i + 1 == joined.size() ? " and " : ", ");
    out += "asset " + std::string(joined[i]) + " joined " + Place(group.site, group.node) +
           Entry(Now(joined[i]));
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
    std::vector<std::string_view> kept;
    if (const auto it = after_groups_.find({group.site, group.node, group.model});
        it != after_groups_.end()) {
      for (const inventory::Asset* a : after_.fleet.groups[it->second].assets) {
        kept.push_back(a->serial);
      }
    }
    std::sort(kept.begin(), kept.end());
    std::vector<const inventory::Asset*> left;
    for (const inventory::Asset* a : group.assets) {
      if (!std::binary_search(kept.begin(), kept.end(), std::string_view(a->serial))) {
        left.push_back(a);
      }
    }
    why = left.empty() ? Arrivals(group) : Named(left);
  }
  why_.emplace(std::string(node), why);
  return why;
}

}  // namespace gpufleet::service::internal
