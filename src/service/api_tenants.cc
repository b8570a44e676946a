// /v1/tenants: tenants, their guaranteed quotas and their API tokens. Admin writes; a tenant
// token reads only its own tenant.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/model/utf8.h"
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
  if (SeesEveryTenant(request)) {
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

// An optional integer field of a tenant body within lo..hi, nullopt when omitted.
Result<std::optional<int32_t>> TenantInt(const api::JsonObject& fields, std::string_view key,
                                         int64_t lo, int64_t hi) {
  const Result<std::optional<int64_t>> value = fields.OptionalInt(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<int32_t>();
  if (**value < lo || **value > hi) {
    return Status::InvalidArgument("field '" + std::string(key) + "': " + std::to_string(**value) +
                                   " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return std::optional<int32_t>(static_cast<int32_t>(**value));
}

// The tenant a PUT body makes of `existing` (nullopt: a new tenant). A new tenant needs name and
// org; an update keeps whatever the body leaves out, so `gpufleet tenant put x --priority 5`
// changes only the priority. `external` is what the organisation's kind says (a resale
// customer is external).
Result<store::TenantRecord> TenantFromBody(const ApiState& state, const api::Request& request,
                                           const std::optional<store::TenantRecord>& existing) {
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return body.status();
  const Result<api::JsonObject> fields =
      api::JsonObject::Make(*body, {"name", "org", "priority", "max_job_priority", "external"});
  if (!fields.ok()) return fields.status();
  store::TenantRecord record;
  if (existing) {
    record = *existing;
  } else {
    record.id = TenantIdParam(request);
    record.created_at_ms = state.NowMs();
  }

  const Result<std::optional<std::string>> name = fields->OptionalString("name");
  if (!name.ok()) return name.status();
  const Result<std::optional<std::string>> org = fields->OptionalString("org");
  if (!org.ok()) return org.status();
  if (!existing) {
    // Through String() for the same "missing required field" message as everywhere else.
    if (!name->has_value()) return fields->String("name").status();
    if (!org->has_value()) return fields->String("org").status();
  }
  if (name->has_value()) record.name = **name;
  if (org->has_value()) {
    const inventory::Organisation* organisation = state.fleet().FindOrganisation(**org);
    if (organisation == nullptr) {
      return Status::InvalidArgument("field 'org': no organisation '" + Excerpt(**org) +
                                     "' in the fleet inventory");
    }
    record.org = **org;
    record.external = organisation->kind == inventory::OrgKind::kExternalCustomer;
  }
  // Accepted so that a tenant read with GET can be written back, but only as the organisation
  // has it: the scheduler caps external tenants by their organisation's kind, so a flag that
  // disagreed would be stored and shown yet never obeyed.
  const Result<std::optional<bool>> external = fields->OptionalBool("external");
  if (!external.ok()) return external.status();
  if (external->has_value() && **external != record.external) {
    return Status::InvalidArgument(
        "field 'external': " + std::string(**external ? "true" : "false") +
        " disagrees with organisation '" + record.org + "', whose kind makes it " +
        (record.external ? "true" : "false") + "; external follows the organisation");
  }
  const Result<std::optional<int32_t>> priority =
      TenantInt(*fields, "priority", INT32_MIN, INT32_MAX);
  if (!priority.ok()) return priority.status();
  if (priority->has_value()) record.priority = **priority;
  const Result<std::optional<int32_t>> cap = TenantInt(*fields, "max_job_priority", 0, INT32_MAX);
  if (!cap.ok()) return cap.status();
  if (cap->has_value()) record.max_job_priority = **cap;
  return record;
}

// PUT /v1/tenants/{id} {name?, org?, priority?, max_job_priority?, external?}: creates (201) or
// updates (200) the tenant.
api::Response PutTenant(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id = TenantIdParam(request);
  const Result<store::TenantRecord> existing = state.store().GetTenant(id);
  const bool created = !existing.ok() && existing.status().code() == Status::Code::kNotFound;
  if (!existing.ok() && !created) return api::ErrorResponse(existing.status());
  const Result<store::TenantRecord> record = TenantFromBody(
      state, request, created ? std::nullopt : std::optional<store::TenantRecord>(*existing));
  if (!record.ok()) return api::ErrorResponse(record.status());
  if (Status s = state.store().PutTenant(*record); !s.ok()) return api::ErrorResponse(s);
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
  const catalog::AcceleratorSpec* chip = state.fleet().catalog->Find(model_name);
  if (chip == nullptr) {
    return api::ErrorResponse(
        Status::InvalidArgument("model '" + Excerpt(model_name) + "' is not in the catalog"));
  }
  if (!state.summary().models.contains(chip->id)) {
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

}  // namespace

std::vector<RouteDef> TenantRoutes() {
  return {
      {{"GET", "/v1/tenants", kTenantReaders}, &ListTenants},
      {{"GET", "/v1/tenants/{id}", kTenantReaders}, &GetTenant},
      {{"PUT", "/v1/tenants/{id}", kAdminOnly}, &PutTenant},
      {{"GET", "/v1/tenants/{id}/quotas", kTenantReaders}, &ListQuotas},
      {{"PUT", "/v1/tenants/{id}/quotas/{model}", kAdminOnly}, &PutQuota},
  };
}

}  // namespace gpufleet::service::v1
