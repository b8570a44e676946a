#include "gpufleet/inventory/inventory.h"

#include <filesystem>
#include <utility>

#include "gpufleet/codec/text_file.h"
#include "gpufleet/inventory/diversion.h"
#include "inventory/fleet_writer.h"
#include "inventory/fleet_yaml.h"

namespace gpufleet::inventory {

Result<Inventory> Inventory::Load(const std::string& fleet_yaml_path,
                                  const catalog::Catalog& catalog) {
  Result<std::string> text = codec::ReadTextFile(fleet_yaml_path);
  if (!text.ok()) return text.status();
  const std::string base_dir = std::filesystem::path(fleet_yaml_path).parent_path().string();
  return Parse(*text, fleet_yaml_path, base_dir, catalog);
}

Result<Inventory> Inventory::Parse(std::string_view yaml, const std::string& name_for_errors,
                                   const std::string& base_dir, const catalog::Catalog& catalog) {
  Result<FleetData> data = ReadFleet(yaml, name_for_errors, base_dir, catalog);
  if (!data.ok()) return data.status();
  Inventory inv;
  inv.organisations_ = std::move(data->organisations);
  inv.sites_ = std::move(data->sites);
  inv.nodes_ = std::move(data->nodes);
  inv.assets_ = std::move(data->assets);
  inv.flags_ = FindDiversionFlags(inv.assets_, catalog);
  for (size_t i = 0; i < inv.organisations_.size(); ++i) {
    inv.org_index_.emplace(inv.organisations_[i].id, i);
  }
  for (size_t i = 0; i < inv.sites_.size(); ++i) inv.site_index_.emplace(inv.sites_[i].id, i);
  for (size_t i = 0; i < inv.nodes_.size(); ++i) {
    inv.node_index_.emplace(std::pair(inv.nodes_[i].site, inv.nodes_[i].id), i);
  }
  return inv;
}

Result<Inventory> Inventory::FromRecords(std::vector<Organisation> organisations,
                                         std::vector<Site> sites, std::vector<Node> nodes,
                                         std::vector<Asset> assets,
                                         const catalog::Catalog& catalog) {
  Inventory inv;
  inv.organisations_ = std::move(organisations);
  inv.sites_ = std::move(sites);
  inv.nodes_ = std::move(nodes);
  inv.assets_ = std::move(assets);
  for (size_t i = 0; i < inv.organisations_.size(); ++i) {
    inv.org_index_.emplace(inv.organisations_[i].id, i);
  }
  for (size_t i = 0; i < inv.sites_.size(); ++i) inv.site_index_.emplace(inv.sites_[i].id, i);
  for (size_t i = 0; i < inv.nodes_.size(); ++i) {
    if (inv.FindSite(inv.nodes_[i].site) == nullptr) {
      return Status::InvalidArgument("node '" + inv.nodes_[i].id + "': site not in the inventory");
    }
    inv.node_index_.emplace(std::pair(inv.nodes_[i].site, inv.nodes_[i].id), i);
  }
  for (const Asset& a : inv.assets_) {
    if (inv.FindSite(a.site) == nullptr || inv.FindOrg(a.owner) == nullptr ||
        inv.FindOrg(a.operator_org) == nullptr || catalog.Find(a.model) == nullptr ||
        catalog.Find(a.model)->id != a.model) {
      return Status::InvalidArgument("asset '" + a.serial +
                                     "': site, owner, operator or model not in the inventory");
    }
  }
  inv.flags_ = FindDiversionFlags(inv.assets_, catalog);
  return inv;
}

const Organisation* Inventory::FindOrg(std::string_view id) const {
  const auto it = org_index_.find(id);
  return it == org_index_.end() ? nullptr : &organisations_[it->second];
}

const Node* Inventory::FindNode(std::string_view site, std::string_view id) const {
  const auto it = node_index_.find(std::pair(std::string(site), std::string(id)));
  return it == node_index_.end() ? nullptr : &nodes_[it->second];
}

const Site* Inventory::FindSite(std::string_view id) const {
  const auto it = site_index_.find(id);
  return it == site_index_.end() ? nullptr : &sites_[it->second];
}

std::string Inventory::UltimateParentHq(std::string_view org_id) const {
  const Organisation* org = FindOrg(org_id);
  if (org == nullptr) return "";
  // Terminates: the reader rejects unknown parents and cycles.
  while (!org->parent.empty()) org = FindOrg(org->parent);
  return org->hq_country;
}

Status Inventory::WriteYaml(const std::string& path) const {
  return WriteFleet(path, organisations_, sites_, nodes_, assets_);
}

}  // namespace gpufleet::inventory
