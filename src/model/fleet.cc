#include "gpufleet/model/fleet.h"

#include <limits>

#include "gpufleet/model/utf8.h"

namespace gpufleet {

std::string_view OwnershipName(Ownership o) {
  switch (o) {
    case Ownership::kOwned:
      return "owned";
    case Ownership::kLeased:
      return "leased";
    case Ownership::kRented:
      return "rented";
  }
  return "owned";
}

Result<Ownership> ParseOwnership(std::string_view text) {
  for (Ownership o : {Ownership::kOwned, Ownership::kLeased, Ownership::kRented}) {
    if (OwnershipName(o) == text) return o;
  }
  return Status::InvalidArgument("unknown ownership '" + std::string(text) +
                                 "' (expected owned, leased or rented)");
}

namespace {

// Registers `name` in `index` with the next dense id, or reports a duplicate.
template <typename Id>
Result<Id> Register(std::unordered_map<std::string, Id>& index, const std::string& name,
                    size_t next, std::string_view kind) {
  if (name.empty()) return Status::InvalidArgument(std::string(kind) + " name is empty");
  if (next >= std::numeric_limits<typename Id::rep_type>::max()) {
    return Status::InvalidArgument("too many " + std::string(kind) + "s");
  }
  const Id id(static_cast<typename Id::rep_type>(next));
  if (!index.emplace(name, id).second) {
    return Status::InvalidArgument("duplicate " + std::string(kind) + " '" + Excerpt(name) + "'");
  }
  return id;
}

template <typename Id>
std::optional<Id> Find(const std::unordered_map<std::string, Id>& index, std::string_view name) {
  const auto it = index.find(std::string(name));
  if (it == index.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Fleet::Fleet() = default;

Result<ChipModelId> Fleet::AddModel(std::string vendor, std::string name, int64_t memory_mib) {
  if (memory_mib < 0)
    return Status::InvalidArgument("model '" + Excerpt(name) + "': negative memory");
  auto id = Register(model_by_name_, name, models_.size(), "accelerator model");
  if (!id.ok()) return id.status();
  models_.push_back({*id, std::move(vendor), std::move(name), memory_mib});
  return id;
}

Result<SiteId> Fleet::AddSite(std::string name, std::string country, std::string provider,
                              Ownership ownership) {
  auto id = Register(site_by_name_, name, sites_.size(), "site");
  if (!id.ok()) return id.status();
  sites_.push_back({*id, std::move(name), std::move(country), std::move(provider), ownership});
  return id;
}

Result<NodeId> Fleet::AddNode(std::string name, SiteId site, ChipModelId model, int32_t gpu_count,
                              int64_t cpu_milli, int64_t memory_mib) {
  if (site.value() >= sites_.size()) {
    return Status::NotFound("node '" + Excerpt(name) + "': unknown site id " +
                            std::to_string(site.value()));
  }
  if (gpu_count > 0 && model.value() >= models_.size()) {
    return Status::NotFound("node '" + Excerpt(name) + "': unknown accelerator model id " +
                            std::to_string(model.value()));
  }
  if (gpu_count < 0 || gpu_count > kMaxGpusPerNode) {
    return Status::InvalidArgument("node '" + Excerpt(name) + "': gpu count " +
                                   std::to_string(gpu_count) + " outside 0.." +
                                   std::to_string(kMaxGpusPerNode));
  }
  if (cpu_milli < 0 || memory_mib < 0) {
    return Status::InvalidArgument("node '" + Excerpt(name) + "': negative CPU or memory");
  }
  auto id = Register(node_by_name_, name, nodes_.size(), "node");
  if (!id.ok()) return id.status();
  nodes_.push_back({*id, std::move(name), site, model, gpu_count, cpu_milli, memory_mib});
  total_gpus_ += gpu_count;
  return id;
}

Result<OrgId> Fleet::AddOrganisation(std::string name) {
  auto id = Register(org_by_name_, name, orgs_.size(), "organisation");
  if (!id.ok()) return id.status();
  orgs_.push_back({*id, std::move(name)});
  return id;
}

Result<TenantId> Fleet::AddTenant(std::string name, OrgId org) {
  if (org.value() >= orgs_.size()) {
    return Status::NotFound("tenant '" + Excerpt(name) + "': unknown organisation id " +
                            std::to_string(org.value()));
  }
  auto id = Register(tenant_by_name_, name, tenants_.size(), "tenant");
  if (!id.ok()) return id.status();
  tenants_.push_back({*id, std::move(name), org});
  return id;
}

std::optional<ChipModelId> Fleet::FindModel(std::string_view name) const {
  return Find(model_by_name_, name);
}
std::optional<SiteId> Fleet::FindSite(std::string_view name) const {
  return Find(site_by_name_, name);
}
std::optional<NodeId> Fleet::FindNode(std::string_view name) const {
  return Find(node_by_name_, name);
}
std::optional<TenantId> Fleet::FindTenant(std::string_view name) const {
  return Find(tenant_by_name_, name);
}

}  // namespace gpufleet
