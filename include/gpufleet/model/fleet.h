#pragma once
// The static description of a fleet: accelerator models, sites, nodes, organisations and
// tenants. Built once (by a reader or a generator), then read-only.
// Thread safety: const methods are safe to call concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gpufleet/model/ids.h"
#include "gpufleet/status.h"

namespace gpufleet {

// Persisted in files as lower-case words: do not renumber.
enum class Ownership : uint8_t { kOwned = 0, kLeased = 1, kRented = 2 };
std::string_view OwnershipName(Ownership o);
Result<Ownership> ParseOwnership(std::string_view text);

// More control metrics (TPP, performance density, ...) arrive with the compliance engine.
struct AcceleratorModel {
  ChipModelId id;
  std::string vendor;
  std::string name;
  int64_t memory_mib = 0;
};

struct Site {
  SiteId id;
  std::string name;
  std::string country;  // ISO 3166-1 alpha-2
  std::string provider;
  Ownership ownership = Ownership::kOwned;
};

// Upper bound on accelerators per node; fixed so NodeState stays a flat value.
inline constexpr int kMaxGpusPerNode = 16;

struct NodeSpec {
  NodeId id;
  std::string name;
  SiteId site;
  ChipModelId gpu_model;  // meaningless when gpu_count == 0
  int32_t gpu_count = 0;  // 0..kMaxGpusPerNode
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
};

struct Organisation {
  OrgId id;
  std::string name;
};

struct Tenant {
  TenantId id;
  std::string name;
  OrgId org;
};

// The fleet catalogue. Ids are dense indexes assigned in insertion order, so
// node(NodeId) is O(1). Names are unique per kind.
class Fleet {
 public:
  Fleet();

  Result<ChipModelId> AddModel(std::string vendor, std::string name, int64_t memory_mib);
  Result<SiteId> AddSite(std::string name, std::string country, std::string provider,
                         Ownership ownership);
  // REQUIRES: site and model exist. Errors on duplicate names or out-of-range sizes.
  Result<NodeId> AddNode(std::string name, SiteId site, ChipModelId model, int32_t gpu_count,
                         int64_t cpu_milli, int64_t memory_mib);
  Result<OrgId> AddOrganisation(std::string name);
  Result<TenantId> AddTenant(std::string name, OrgId org);

  const std::vector<AcceleratorModel>& models() const { return models_; }
  const std::vector<Site>& sites() const { return sites_; }
  const std::vector<NodeSpec>& nodes() const { return nodes_; }
  const std::vector<Organisation>& organisations() const { return orgs_; }
  const std::vector<Tenant>& tenants() const { return tenants_; }

  const AcceleratorModel& model(ChipModelId id) const { return models_[id.value()]; }
  const Site& site(SiteId id) const { return sites_[id.value()]; }
  const NodeSpec& node(NodeId id) const { return nodes_[id.value()]; }
  const Tenant& tenant(TenantId id) const { return tenants_[id.value()]; }

  std::optional<ChipModelId> FindModel(std::string_view name) const;
  std::optional<SiteId> FindSite(std::string_view name) const;
  std::optional<NodeId> FindNode(std::string_view name) const;
  std::optional<TenantId> FindTenant(std::string_view name) const;

  int64_t total_gpus() const { return total_gpus_; }

 private:
  std::vector<AcceleratorModel> models_;
  std::vector<Site> sites_;
  std::vector<NodeSpec> nodes_;
  std::vector<Organisation> orgs_;
  std::vector<Tenant> tenants_;
  std::unordered_map<std::string, ChipModelId> model_by_name_;
  std::unordered_map<std::string, SiteId> site_by_name_;
  std::unordered_map<std::string, NodeId> node_by_name_;
  std::unordered_map<std::string, OrgId> org_by_name_;
  std::unordered_map<std::string, TenantId> tenant_by_name_;
  int64_t total_gpus_ = 0;
};

}  // namespace gpufleet
