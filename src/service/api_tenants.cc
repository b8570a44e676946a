// /v1/tenants: tenants, their guaranteed quotas and their API tokens. Admin writes; a tenant
// token reads only its own tenant.

#include <string>

#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

std::string TenantIdParam(const api::Request& request) {
  return std::string(request.PathParam("id").value_or(""));
}

api::Response ListTenants(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  nlohmann::json tenants = nlohmann::json::array();
  if (IsAdmin(request)) {
    const Result<std::vector<store::TenantRecord>> all = state.store().ListTenants();
    if (!all.ok()) return api::ErrorResponse(all.status());
    for (const store::TenantRecord& t : *all) tenants.push_back(TenantJson(t));
  } else {
    const Result<store::TenantRecord> own = VisibleTenant(state, request, CallerTenant(request));
    if (!own.ok()) return api::ErrorResponse(own.status());
    tenants.push_back(TenantJson(*own));
  }
  return api::Response::Json(200, {{"tenants", std::move(tenants)}});
}

api::Response GetTenant(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<store::TenantRecord> tenant = VisibleTenant(state, request, TenantIdParam(request));
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  return api::Response::Json(200, TenantJson(*tenant));
}

// PUT /v1/tenants/{id} {name, org, priority?}: creates (201) or replaces (200) the tenant.
api::Response PutTenant(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"name", "org", "priority"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<std::string> name = fields->String("name");
  if (!name.ok()) return api::ErrorResponse(name.status());
  const Result<std::string> org = fields->String("org");
  if (!org.ok()) return api::ErrorResponse(org.status());
  const Result<std::optional<int64_t>> priority = fields->OptionalInt("priority");
  if (!priority.ok()) return api::ErrorResponse(priority.status());
  const int64_t prio = priority->value_or(0);
  if (prio < INT32_MIN || prio > INT32_MAX) {
    return api::ErrorResponse(
        Status::InvalidArgument("field 'priority': " + std::to_string(prio) + " is out of range"));
  }
  const inventory::Organisation* organisation = state.fleet().FindOrganisation(*org);
  if (organisation == nullptr) {
    return api::ErrorResponse(Status::InvalidArgument("field 'org': no organisation '" + *org +
                                                      "' in the fleet inventory"));
  }
  const std::string id = TenantIdParam(request);
  const Result<store::TenantRecord> existing = state.store().GetTenant(id);
  const bool created = !existing.ok() && existing.status().code() == Status::Code::kNotFound;
  if (!existing.ok() && !created) return api::ErrorResponse(existing.status());

  const store::TenantRecord record{
      .id = id,
      .name = *name,
      .org = *org,
      .external = organisation->kind == inventory::OrgKind::kExternalCustomer,
      .priority = static_cast<int32_t>(prio),
      .created_at_ms = created ? state.NowMs() : existing->created_at_ms};
  if (Status s = state.store().PutTenant(record); !s.ok()) return api::ErrorResponse(s);
  const Result<store::TenantRecord> stored = state.store().GetTenant(id);
  if (!stored.ok()) return api::ErrorResponse(stored.status());
  return api::Response::Json(created ? 201 : 200, TenantJson(*stored));
}

api::Response ListQuotas(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<store::TenantRecord> tenant = VisibleTenant(state, request, TenantIdParam(request));
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  const Result<std::vector<store::QuotaRecord>> quotas =
      state.store().ListQuotas(std::string_view(tenant->id));
  if (!quotas.ok()) return api::ErrorResponse(quotas.status());
  nlohmann::json out = nlohmann::json::array();
  for (const store::QuotaRecord& q : *quotas) out.push_back(QuotaJson(q));
  return api::Response::Json(200, {{"tenant", tenant->id}, {"quotas", std::move(out)}});
}

// PUT /v1/tenants/{id}/quotas/{model} {guaranteed_gpus}. The model is a catalog id (or alias)
// of a model the placement fleet has: a guarantee of GPUs that do not exist cannot be kept.
api::Response PutQuota(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"guaranteed_gpus"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<int64_t> gpus = fields->Int("guaranteed_gpus");
  if (!gpus.ok()) return api::ErrorResponse(gpus.status());
  if (*gpus < 0 || *gpus > INT32_MAX) {
    return api::ErrorResponse(Status::InvalidArgument(
        "field 'guaranteed_gpus': " + std::to_string(*gpus) + " is not a non-negative int32"));
  }
  const std::string model_name(request.PathParam("model").value_or(""));
  const catalog::AcceleratorSpec* chip = state.fleet().catalog.Find(model_name);
  if (chip == nullptr) {
    return api::ErrorResponse(
        Status::InvalidArgument("model '" + model_name + "' is not in the catalog"));
  }
  if (!state.summary.models.contains(chip->id)) {
    return api::ErrorResponse(
        Status::InvalidArgument("model '" + chip->id + "' has no GPUs in the fleet"));
  }
  const Result<store::TenantRecord> tenant = VisibleTenant(state, request, TenantIdParam(request));
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  const store::QuotaRecord quota{
      .tenant = tenant->id, .model = chip->id, .guaranteed_gpus = static_cast<int32_t>(*gpus)};
  if (Status s = state.store().SetQuota(quota); !s.ok()) return api::ErrorResponse(s);
  return api::Response::Json(200, QuotaJson(quota));
}

// POST /v1/tenants/{id}/tokens: a new token for the tenant. The response is the only place
// the token ever appears; the store keeps its hash.
api::Response CreateToken(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  if (Status s = CheckEmptyBody(request); !s.ok()) return api::ErrorResponse(s);
  const Result<store::TenantRecord> tenant = VisibleTenant(state, request, TenantIdParam(request));
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  const std::string token = api::NewToken();
  const store::TokenRecord record{.sha256_hex = api::HashToken(token),
                                  .tenant = tenant->id,
                                  .role = store::Role::kTenant,
                                  .created_at_ms = state.NowMs(),
                                  .revoked = false};
  if (Status s = state.store().PutToken(record); !s.ok()) return api::ErrorResponse(s);
  return api::Response::Json(201, {{"token", token}, {"tenant", tenant->id}});
}

}  // namespace

std::vector<RouteDef> TenantRoutes() {
  return {
      {{"GET", "/v1/tenants", api::Access::kAuthenticated}, &ListTenants},
      {{"GET", "/v1/tenants/{id}", api::Access::kAuthenticated}, &GetTenant},
      {{"PUT", "/v1/tenants/{id}", api::Access::kAdmin}, &PutTenant},
      {{"GET", "/v1/tenants/{id}/quotas", api::Access::kAuthenticated}, &ListQuotas},
      {{"PUT", "/v1/tenants/{id}/quotas/{model}", api::Access::kAdmin}, &PutQuota},
      {{"POST", "/v1/tenants/{id}/tokens", api::Access::kAdmin}, &CreateToken},
  };
}

}  // namespace gpufleet::service::v1
