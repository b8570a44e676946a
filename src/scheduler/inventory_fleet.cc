#include "gpufleet/scheduler/inventory_fleet.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "gpufleet/compliance/workload.h"

namespace gpufleet::scheduler {
namespace {

constexpr int kUnnamedNodeSize = 8;  // accelerators per node when the inventory names none

Ownership PlacementOwnership(inventory::SiteOwnership o) {
  switch (o) {
    case inventory::SiteOwnership::kOwned:
      return Ownership::kOwned;
    case inventory::SiteOwnership::kLeased:
      return Ownership::kLeased;
    case inventory::SiteOwnership::kRented:
      return Ownership::kRented;
  }
  return Ownership::kOwned;
}

}  // namespace

bool HeldByFleet(const inventory::Inventory& inv, const inventory::Asset& asset) {
  const inventory::Organisation* op = inv.FindOrg(asset.operator_org);
  if (op == nullptr) return true;  // the inventory loader guarantees it
  switch (op->kind) {
    case inventory::OrgKind::kCompany:
    case inventory::OrgKind::kSubsidiary:
      return true;
    case inventory::OrgKind::kCounterparty:
      return false;
    case inventory::OrgKind::kExternalCustomer:
      // Capacity a customer rents (from the group or through it) is what the group resells;
      // a board the customer owns and runs is the customer's.
      return asset.owner != asset.operator_org;
  }
  return true;
}

Result<InventoryFleet> BuildInventoryFleet(const inventory::Inventory& inv,
                                           const catalog::Catalog& cat, Date at,
                                           const compliance::FleetCheckReport& check,
                                           const NodeResources& resources, const HeldBack& held) {
  InventoryFleet out;
  // Assets in violation, with the rules that put them there.
  std::map<const inventory::Asset*, std::set<std::string>> violating;
  for (const compliance::AssetFinding& f : check.findings) {
    if (f.situation->severity != compliance::Severity::kViolation) continue;
    std::set<std::string>& ids = violating[f.asset];
    for (const compliance::DecidingRule& d : compliance::DecidingRules(f.situation->verdict)) {
      if (d.hit->action >= compliance::Action::kLicenceRequired) ids.insert(d.hit->rule->id);
    }
  }
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> quarantined;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> held_by_others;
  for (const inventory::Site& s : inv.sites()) {
    Result<SiteId> id =
        out.fleet.AddSite(s.id, s.country, s.provider, PlacementOwnership(s.ownership));
    if (!id.ok()) return id.status();
    out.sites.push_back(&s);
  }
  // (site index, node name, model id) -> assets, in a stable order so node ids do not
  // depend on hashing.
  std::map<std::tuple<uint32_t, std::string, std::string>, std::vector<const inventory::Asset*>>
      groups;
  std::set<std::string_view> serials;
  for (const inventory::Asset& a : inv.assets()) {
    if (at < a.acquired || !serials.insert(a.serial).second) continue;
    if (!HeldByFleet(inv, a)) {
      ++held_by_others[{a.site, a.model, a.owner}];
      continue;
    }
    if (auto v = violating.find(&a); v != violating.end()) {
      std::string rules;
      for (const std::string& id : v->second) rules += (rules.empty() ? "" : ", ") + id;
      ++quarantined[{a.site, a.model, rules}];
      continue;
    }
    if (!held.empty()) {
      auto why = held.serials.find(a.serial);
      if (why == held.serials.end() && !a.node.empty()) {
        why = held.nodes.find(a.site + "/" + a.node);
        if (why == held.nodes.end()) why = held.serials.end();
      }
      if (why != held.serials.end()) {
        ++quarantined[{a.site, a.model, why->second}];
        continue;
      }
    }
    const catalog::AcceleratorSpec* chip = cat.Find(a.model);
    std::optional<SiteId> site = out.fleet.FindSite(a.site);
    if (!chip || !site) continue;  // the inventory loader guarantees both
    if (!out.fleet.FindModel(chip->id)) {
      if (out.chips.size() == static_cast<size_t>(kMaxChipModels)) {
        return Status::InvalidArgument("the fleet holds more than " +
                                       std::to_string(kMaxChipModels) +
                                       " accelerator models; placement handles at most that many");
      }
      const int64_t memory_mib = static_cast<int64_t>(chip->memory_gb.value_or(0) * 1024);
      Result<ChipModelId> m = out.fleet.AddModel(chip->vendor, chip->id, memory_mib);
      if (!m.ok()) return m.status();
      out.chips.push_back(chip);
    }
    groups[{site->value(), a.node, chip->id}].push_back(&a);
  }
  // Names in use per site, to tell when a node holds two models; and the accelerators placed
  // on each recorded node, over which a node record's CPU and memory are shared.
  std::map<std::pair<uint32_t, std::string>, int> models_per_node;
  std::map<std::pair<uint32_t, std::string>, int64_t> gpus_per_node;
  for (const auto& [key, assets] : groups) {
    ++models_per_node[{std::get<0>(key), std::get<1>(key)}];
    gpus_per_node[{std::get<0>(key), std::get<1>(key)}] += static_cast<int64_t>(assets.size());
  }
  for (auto& [key, assets] : groups) {
    const auto& [site_index, node, model] = key;
    const SiteId site(site_index);
    const auto group = static_cast<uint32_t>(out.groups.size());
    const auto count = static_cast<int32_t>(assets.size());
    out.groups.push_back({.site = out.sites[site_index]->id,
                          .node = node,
                          .model = model,
                          .assets = std::move(assets)});
    const ChipModelId chip_id = *out.fleet.FindModel(model);
    std::string base = out.fleet.site(site).name + "/";
    if (node.empty()) {
      base += model;
    } else {
      base += node;
      if (models_per_node[{site_index, node}] > 1) base += "/" + model;
    }
    // A recorded host gives its cores and memory, shared among the placement nodes it holds
    // by their accelerators; without a record, the per-accelerator defaults.
    const inventory::Node* host =
        node.empty() ? nullptr : inv.FindNode(out.sites[site_index]->id, node);
    const int64_t host_gpus = gpus_per_node[{site_index, node}];
    const auto cpu_milli = [&](int32_t gpus) {
      return host != nullptr ? int64_t{host->cpu_cores} * 1000 * gpus / host_gpus
                             : resources.cpu_milli_per_gpu * gpus;
    };
    const auto memory_mib = [&](int32_t gpus) {
      return host != nullptr ? int64_t{host->memory_gib} * 1024 * gpus / host_gpus
                             : resources.memory_mib_per_gpu * gpus;
    };
    const int32_t per_node = node.empty() ? kUnnamedNodeSize : kMaxGpusPerNode;
    const int32_t parts = (count + per_node - 1) / per_node;
    for (int32_t p = 0; p < parts; ++p) {
      const int32_t gpus = std::min(per_node, count - p * per_node);
      const std::string wanted =
          node.empty() || parts > 1 ? base + "#" + std::to_string(p + 1) : base;
      // Node names are free text, so a derived name may be one the inventory also records
      // ("n1#2" beside a cut "n1"): the later one gets a "~k" suffix.
      std::string name = wanted;
      for (int k = 2; out.fleet.FindNode(name); ++k) name = wanted + "~" + std::to_string(k);
      Result<NodeId> id =
          out.fleet.AddNode(name, site, chip_id, gpus, cpu_milli(gpus), memory_mib(gpus));
      if (!id.ok()) return id.status();
      out.node_groups.push_back(group);
    }
  }
  for (const auto& [key, gpus] : quarantined) {
    out.quarantined.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), gpus});
  }
  for (const auto& [key, gpus] : held_by_others) {
    out.held_by_others.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), gpus});
  }
  return out;
}

}  // namespace gpufleet::scheduler
