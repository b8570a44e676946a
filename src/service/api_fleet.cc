// GET /v1/models, /v1/sites, /v1/nodes: the placement fleet (what jobs can run on) and how
// much of it running jobs hold.

#include <bit>
#include <map>
#include <string>
#include <unordered_map>

#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

constexpr int32_t kDefaultNodePage = 100;

// GPU masks held by running jobs, by node name. Several fractional jobs may share a GPU: the
// mask says which GPUs are in use, not by how much.
Result<std::unordered_map<std::string, uint64_t>> AllocatedMasks(const ApiState& state) {
  const Result<std::vector<store::JobRecord>> active = state.store().LoadActive();
  if (!active.ok()) return active.status();
  std::unordered_map<std::string, uint64_t> masks;
  for (const store::JobRecord& job : *active) {
    if (job.state != store::JobState::kRunning) continue;
    for (const store::Placement& p : job.placements) masks[p.node] |= p.gpu_mask;
  }
  return masks;
}

int Allocated(const std::unordered_map<std::string, uint64_t>& masks, const std::string& node) {
  const auto it = masks.find(node);
  return it == masks.end() ? 0 : std::popcount(it->second);
}

nlohmann::json NodeJson(const Fleet& fleet, const NodeSpec& node,
                        const std::unordered_map<std::string, uint64_t>& masks) {
  const auto it = masks.find(node.name);
  const uint64_t mask = it == masks.end() ? 0 : it->second;
  return {{"name", node.name},
          {"site", fleet.site(node.site).name},
          {"model", fleet.model(node.gpu_model).name},
          {"gpus", node.gpu_count},
          {"cpu_milli", node.cpu_milli},
          {"memory_mib", node.memory_mib},
          {"allocated_gpus", GpuIndices(mask)},
          {"allocated", std::popcount(mask)}};
}

api::Response ListModels(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Fleet& fleet = state.nodes();
  nlohmann::json models = nlohmann::json::array();
  for (const auto& [id, totals] : state.summary().models) {
    const catalog::AcceleratorSpec* chip = state.fleet().fleet.chips[totals.id.value()];
    nlohmann::json memory_gb = nullptr;
    if (chip != nullptr && chip->memory_gb) memory_gb = *chip->memory_gb;
    models.push_back({{"id", id},
                      {"name", chip != nullptr ? chip->name : fleet.model(totals.id).name},
                      {"vendor", chip != nullptr ? chip->vendor : fleet.model(totals.id).vendor},
                      {"memory_gb", std::move(memory_gb)},
                      {"gpus", totals.gpus},
                      {"nodes", totals.nodes},
                      {"max_node_gpus", totals.max_node_gpus}});
  }
  return api::Response::Json(200, {{"models", std::move(models)}});
}

api::Response ListSites(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const auto masks = AllocatedMasks(state);
  if (!masks.ok()) return api::ErrorResponse(masks.status());
  const Fleet& fleet = state.nodes();
  struct Use {
    int64_t gpus = 0;
    int64_t allocated = 0;
  };
  // site index -> model id -> use.
  std::vector<std::map<std::string, Use>> by_site(fleet.sites().size());
  for (const NodeSpec& node : fleet.nodes()) {
    if (node.gpu_count == 0) continue;
    Use& use = by_site[node.site.value()][fleet.model(node.gpu_model).name];
    use.gpus += node.gpu_count;
    use.allocated += Allocated(*masks, node.name);
  }
  nlohmann::json sites = nlohmann::json::array();
  for (const Site& site : fleet.sites()) {
    const inventory::Site* inv = state.fleet().fleet.sites[site.id.value()];
    nlohmann::json models = nlohmann::json::array();
    Use total;
    for (const auto& [model, use] : by_site[site.id.value()]) {
      models.push_back({{"model", model}, {"gpus", use.gpus}, {"allocated", use.allocated}});
      total.gpus += use.gpus;
      total.allocated += use.allocated;
    }
    sites.push_back({{"id", site.name},
                     {"name", inv != nullptr ? inv->name : site.name},
                     {"country", site.country},
                     {"provider", inv != nullptr ? inv->provider : site.provider},
                     {"ownership", inv != nullptr ? inventory::SiteOwnershipName(inv->ownership)
                                                  : OwnershipName(site.ownership)},
                     {"models", std::move(models)},
                     {"gpus", total.gpus},
                     {"allocated", total.allocated}});
  }
  return api::Response::Json(200, {{"sites", std::move(sites)}});
}

api::Response ListNodes(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"site", "model", "after", "limit"}); !s.ok()) {
    return api::ErrorResponse(s);
  }
  const Result<int32_t> limit = LimitParam(request, kDefaultNodePage);
  if (!limit.ok()) return api::ErrorResponse(limit.status());
  const Fleet& fleet = state.nodes();
  std::optional<SiteId> site;
  if (const std::optional<std::string_view> name = request.Query("site")) {
    site = fleet.FindSite(*name);
    if (!site) {
      return api::ErrorResponse(Status::InvalidArgument("query parameter 'site': no site '" +
                                                        std::string(*name) + "' in the fleet"));
    }
  }
  std::optional<ChipModelId> model;
  if (const std::optional<std::string_view> name = request.Query("model")) {
    model = fleet.FindModel(*name);
    if (!model) {
      return api::ErrorResponse(Status::InvalidArgument("query parameter 'model': no model '" +
                                                        std::string(*name) + "' in the fleet"));
    }
  }
  size_t start = 0;
  if (const std::optional<std::string_view> after = request.Query("after")) {
    const std::optional<NodeId> node = fleet.FindNode(*after);
    if (!node) {
      return api::ErrorResponse(Status::InvalidArgument("query parameter 'after': no node '" +
                                                        std::string(*after) + "' in the fleet"));
    }
    start = node->value() + 1;
  }
  const auto masks = AllocatedMasks(state);
  if (!masks.ok()) return api::ErrorResponse(masks.status());

  nlohmann::json nodes = nlohmann::json::array();
  nlohmann::json next = nullptr;
  for (size_t i = start; i < fleet.nodes().size(); ++i) {
    const NodeSpec& node = fleet.nodes()[i];
    if ((site && node.site != *site) || (model && node.gpu_model != *model)) continue;
    if (nodes.size() == static_cast<size_t>(*limit)) {
      next = nodes.back()["name"];
      break;
    }
    nodes.push_back(NodeJson(fleet, node, *masks));
  }
  return api::Response::Json(200, {{"nodes", std::move(nodes)}, {"next", std::move(next)}});
}

// GET /v1/nodes/{id}: one node. A node token sees its own node only; any other id answers 404
// exactly as a node that does not exist.
api::Response GetNode(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string_view id = request.PathParam("id").value_or("");
  const Fleet& fleet = state.nodes();
  const std::optional<NodeId> node = fleet.FindNode(id);
  const bool own = !request.principal || request.principal->role != Role::kNode ||
                   request.principal->node_id == id;
  if (!node || !own) {
    return api::ErrorResponse(Status::NotFound("node '" + Excerpt(id) + "' not found"));
  }
  const auto masks = AllocatedMasks(state);
  if (!masks.ok()) return api::ErrorResponse(masks.status());
  return api::Response::Json(200, NodeJson(fleet, fleet.nodes()[node->value()], *masks));
}

}  // namespace

FleetSummary SummariseFleet(const FleetContext& context) {
  FleetSummary summary;
  const Fleet& fleet = context.fleet.fleet;
  for (const NodeSpec& node : fleet.nodes()) {
    if (node.gpu_count == 0) continue;
    ModelTotals& totals = summary.models[fleet.model(node.gpu_model).name];
    totals.id = node.gpu_model;
    totals.gpus += node.gpu_count;
    totals.nodes += 1;
    totals.max_node_gpus = std::max(totals.max_node_gpus, node.gpu_count);
  }
  return summary;
}

std::vector<RouteDef> FleetRoutes() {
  return {
      {{"GET", "/v1/models", kFleetReaders}, &ListModels},
      {{"GET", "/v1/sites", kFleetReaders}, &ListSites},
      {{"GET", "/v1/nodes", kFleetReaders}, &ListNodes},
      {{"GET", "/v1/nodes/{id}", kAnyRole}, &GetNode},
  };
}

}  // namespace gpufleet::service::v1
