// Registration of the v1 routes and the request checks the resource handlers share.

#include "gpufleet/service/api_v1.h"

#include <charconv>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "gpufleet/model/utf8.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service {
namespace {

constexpr std::string_view kOpenApiPath = "/v1/openapi.json";

api::Response ServeOpenApi(const v1::ApiState&, const api::Request&) {
  return api::Response::Text(200, std::string(OpenApiDocument()), "application/json");
}

// Every route with its handler, in registration order.
const std::vector<v1::RouteDef>& RouteTable() {
  static const std::vector<v1::RouteDef> kTable = [] {
    std::vector<v1::RouteDef> table = {
        {{"GET", kOpenApiPath, api::Access::Public()}, &ServeOpenApi}};
    for (auto* routes :
         {&v1::FleetRoutes, &v1::TenantRoutes, &v1::JobRoutes, &v1::EventRoutes, &v1::TokenRoutes,
          &v1::InventoryRoutes, &v1::LedgerRoutes, &v1::ClockRoutes, &v1::ComplianceRoutes,
          &v1::RuleChangeRoutes, &v1::LicenceRoutes, &v1::NodeReportRoutes, &v1::FindingRoutes,
          &v1::LandmarkRoutes}) {
      for (v1::RouteDef& def : routes()) table.push_back(def);
    }
    return table;
  }();
  return kTable;
}

}  // namespace

const std::vector<ApiV1Route>& ApiV1Routes() {
  static const std::vector<ApiV1Route> kRoutes = [] {
    std::vector<ApiV1Route> routes;
    for (const v1::RouteDef& def : RouteTable()) routes.push_back(def.route);
    return routes;
  }();
  return kRoutes;
}

Status RegisterApiV1(api::HttpServer& server, const ApiV1Context& context) {
  if (context.store == nullptr || context.fleet == nullptr || context.clock == nullptr ||
      context.inventory == nullptr) {
    return Status::InvalidArgument("ApiV1Context: store, fleet, clock and inventory are required");
  }
  // Shared by every handler; lives as long as the last of them.
  ApiV1Context with_observed = context;
  std::unique_ptr<ObservedNodes> owned_observed;
  if (with_observed.observed == nullptr) {
    owned_observed = std::make_unique<ObservedNodes>();
    with_observed.observed = owned_observed.get();
  }
  std::unique_ptr<AttestationNonces> owned_nonces;
  if (with_observed.nonces == nullptr) {
    owned_nonces = std::make_unique<AttestationNonces>();
    with_observed.nonces = owned_nonces.get();
  }
  const auto shared = std::make_shared<const v1::ApiShared>(
      std::move(with_observed), std::move(owned_observed), std::move(owned_nonces));
  for (const v1::RouteDef& def : RouteTable()) {
    const v1::RouteHandler handler = def.handler;
    GPUFLEET_RETURN_IF_ERROR(server.AddRoute(
        def.route.method, def.route.pattern, def.route.access,
        [shared, handler](const api::Request& request) {
          return handler(v1::ApiState{.context = shared->context(), .view = shared->View()},
                         request);
        }));
  }
  return Status::Ok();
}

api::Authenticator StoreAuthenticator(store::Store& store, const Clock& clock,
                                      std::chrono::milliseconds remember) {
  using SteadyClock = std::chrono::steady_clock;
  struct Entry {
    api::Principal principal;
    SteadyClock::time_point read_at;  // when the store said the token was live
    int64_t expires_at_ms = 0;        // the token's own expiry, on `clock`
  };
  struct Remembered {
    std::mutex mu;
    std::unordered_map<std::string, Entry> tokens;  // by hash
  };
  const auto expired = [&clock](int64_t expires_at_ms) {
    return expires_at_ms != 0 && clock.NowMs() >= expires_at_ms;
  };
  const auto remembered = std::make_shared<Remembered>();
  return [&store, &clock, remembered, remember,
          expired](std::string_view token_hash) -> Result<std::optional<api::Principal>> {
    const SteadyClock::time_point now = SteadyClock::now();
    if (remember.count() > 0) {
      const std::lock_guard<std::mutex> lock(remembered->mu);
      const auto it = remembered->tokens.find(std::string(token_hash));
      if (it != remembered->tokens.end() && now - it->second.read_at < remember &&
          !expired(it->second.expires_at_ms)) {
        return std::optional<api::Principal>(it->second.principal);
      }
    }
    const Result<std::optional<store::TokenRecord>> token = store.FindToken(token_hash);
    if (!token.ok()) return token.status();
    if (!token->has_value() || (*token)->revoked || expired((*token)->expires_at_ms)) {
      return std::optional<api::Principal>();
    }
    const store::TokenRecord& record = **token;
    const api::Principal principal{.role = record.role,
                                   .tenant_id = record.tenant,
                                   .node_id = record.node,
                                   .token_id = record.id};
    // Last use to the minute: a write per token per minute rather than per request. A failed
    // write does not make a valid token invalid.
    const int64_t now_ms = clock.NowMs();
    if (now_ms - record.last_used_at_ms >= kLastUsedResolutionMs) {
      (void)store.TouchToken(record.id, now_ms);
    }
    if (remember.count() > 0) {
      const std::lock_guard<std::mutex> lock(remembered->mu);
      if (remembered->tokens.size() >= kMaxRememberedTokens) remembered->tokens.clear();
      remembered->tokens.insert_or_assign(std::string(token_hash),
                                          Entry{principal, now, record.expires_at_ms});
    }
    return std::optional<api::Principal>(principal);
  };
}

namespace v1 {

std::shared_ptr<const FleetView> ApiShared::View() const {
  const std::lock_guard<std::mutex> lock(mu_);
  // Read and built under the lock: a new version is summarised once, not by every request
  // that arrives meanwhile (a summary is linear in the nodes), and a request that read an
  // older version can never put it back.
  std::shared_ptr<const FleetContext> current = context_.fleet->Get();
  if (!view_ || view_->context != current) {
    view_ = std::make_shared<const FleetView>(std::move(current));
  }
  return view_;
}

Status FieldError(std::string_view field, const std::string& what) {
  return Status::InvalidArgument("field '" + std::string(field) + "': " + what);
}

Status CheckQueryKeys(const api::Request& request,
                      std::initializer_list<std::string_view> allowed) {
  std::set<std::string_view> seen;
  for (const auto& [key, unused] : request.query_params) {
    bool known = false;
    for (const std::string_view a : allowed) known = known || a == key;
    if (!known) return Status::InvalidArgument("unknown query parameter '" + Excerpt(key) + "'");
    if (!seen.insert(key).second) {
      return Status::InvalidArgument("query parameter '" + Excerpt(key) + "' given more than once");
    }
  }
  return Status::Ok();
}

Result<uint64_t> ParsePositiveId(std::string_view text, std::string_view what) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  const bool digits_only = !text.empty() && text.front() >= '0' && text.front() <= '9';
  if (!digits_only || ec != std::errc() || ptr != end || value == 0) {
    return Status::InvalidArgument(std::string(what) + " '" + Excerpt(text) +
                                   "' is not a positive integer");
  }
  return value;
}

Result<int32_t> LimitParam(const api::Request& request, int32_t fallback) {
  const std::optional<std::string_view> text = request.Query("limit");
  if (!text) return fallback;
  const Result<uint64_t> value = ParsePositiveId(*text, "limit");
  if (!value.ok() || *value > static_cast<uint64_t>(store::kMaxPageSize)) {
    return Status::InvalidArgument("limit '" + Excerpt(*text) + "' is not an integer in 1.." +
                                   std::to_string(store::kMaxPageSize));
  }
  return static_cast<int32_t>(*value);
}

Result<std::optional<uint64_t>> OptionalIdParam(const api::Request& request,
                                                std::string_view name) {
  const std::optional<std::string_view> text = request.Query(name);
  if (!text) return std::optional<uint64_t>();
  const Result<uint64_t> value = ParsePositiveId(*text, name);
  if (!value.ok()) return value.status();
  return std::optional<uint64_t>(*value);
}

Result<JobId> JobIdParam(const api::Request& request) {
  const Result<uint64_t> id = ParsePositiveId(request.PathParam("id").value_or(""), "job id");
  if (!id.ok()) return id.status();
  return JobId(*id);
}

bool IsAdmin(const api::Request& request) {
  return request.principal && request.principal->role == api::Role::kAdmin;
}

bool SeesEveryTenant(const api::Request& request) {
  return request.principal && (request.principal->role == api::Role::kAdmin ||
                               request.principal->role == api::Role::kViewer);
}

const std::string& CallerTenant(const api::Request& request) {
  static const std::string kNone;
  return request.principal ? request.principal->tenant_id : kNone;
}

Status TenantNotFound(std::string_view id) {
  return Status::NotFound("tenant '" + Excerpt(id) + "' not found");
}

Status JobNotFound(JobId id) {
  return Status::NotFound("job '" + std::to_string(id.value()) + "' not found");
}

Result<std::optional<std::string>> ScopeTenant(const ApiState& state, const api::Request& request) {
  std::optional<std::string> requested;
  if (const std::optional<std::string_view> t = request.Query("tenant"))
    requested = std::string(*t);
  if (!SeesEveryTenant(request)) {
    const std::string& own = CallerTenant(request);
    if (requested && *requested != own) return TenantNotFound(*requested);
    return std::optional<std::string>(own);
  }
  if (!requested) return std::optional<std::string>();
  const Result<store::TenantRecord> tenant = state.store().GetTenant(*requested);
  if (!tenant.ok()) {
    if (tenant.status().code() == Status::Code::kNotFound) return TenantNotFound(*requested);
    return tenant.status();
  }
  return requested;
}

Status CheckEmptyBody(const api::Request& request) {
  if (request.body.empty()) return Status::Ok();
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return body.status();
  return api::JsonObject::Make(*body, {}).status();
}

Result<store::TenantRecord> VisibleTenant(const ApiState& state, const api::Request& request,
                                          std::string_view id) {
  if (!SeesEveryTenant(request) && id != CallerTenant(request)) return TenantNotFound(id);
  Result<store::TenantRecord> tenant = state.store().GetTenant(id);
  if (!tenant.ok() && tenant.status().code() == Status::Code::kNotFound) {
    return TenantNotFound(id);
  }
  return tenant;
}

Result<store::JobRecord> VisibleJob(const ApiState& state, const api::Request& request, JobId id) {
  Result<store::JobRecord> job = state.store().GetJob(id);
  if (!job.ok()) {
    if (job.status().code() == Status::Code::kNotFound) return JobNotFound(id);
    return job.status();
  }
  if (!SeesEveryTenant(request) && job->spec.tenant != CallerTenant(request)) {
    return JobNotFound(id);
  }
  return job;
}

}  // namespace v1
}  // namespace gpufleet::service
