#pragma once
// Internals of the v1 API shared by the per-resource handler files (api_fleet.cc,
// api_tenants.cc, api_jobs.cc, api_events.cc): the state every handler reads, the route table
// entry, and the request checks every handler uses (query parameters, ids, tenant scope).

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/api/errors.h"
#include "gpufleet/api/http_server.h"
#include "gpufleet/scheduler/eligibility.h"
#include "gpufleet/service/api_v1.h"

namespace gpufleet::service::v1 {

// Totals of one accelerator model over the placement fleet.
struct ModelTotals {
  ChipModelId id;
  int64_t gpus = 0;
  int64_t nodes = 0;
  int32_t max_node_gpus = 0;
};

// What the handlers need to know about the placement fleet, computed once per version of it.
struct FleetSummary {
  std::map<std::string, ModelTotals, std::less<>> models;  // by catalog id
};

FleetSummary SummariseFleet(const FleetContext& fleet);

// Which (site, model) pairs each tenant profile may use, filled on demand and shared by every
// handler thread (the cache itself is not thread-safe).
class SharedEligibility {
 public:
  explicit SharedEligibility(const FleetContext& fleet)
      : cache_(fleet.fleet, fleet.inventory, *fleet.engine, fleet.at) {}
  // nullptr = every pair.
  std::shared_ptr<const ZoneFilter> ZonesFor(const std::string& org,
                                             const std::string& data_class) {
    const std::lock_guard<std::mutex> lock(mu_);
    return cache_.For({org, data_class}).filter;
  }

 private:
  std::mutex mu_;
  scheduler::EligibilityCache cache_;  // guarded by mu_
};

// One version of the fleet and what the handlers derive from it, built when a request first
// sees that version. Immutable but for the eligibility cache, which only fills.
struct FleetView {
  explicit FleetView(std::shared_ptr<const FleetContext> fleet)
      : context(std::move(fleet)),
        summary(SummariseFleet(*context)),
        eligibility(std::make_unique<SharedEligibility>(*context)) {}

  std::shared_ptr<const FleetContext> context;
  FleetSummary summary;
  std::unique_ptr<SharedEligibility> eligibility;
};

// What every handler shares: the context, and the view of the version last served (rebuilt
// by the first request that finds a newer version in the holder).
class ApiShared {
 public:
  // `owned_observed`: the ObservedNodes context.observed points to when the caller gave none.
  ApiShared(ApiV1Context context, std::unique_ptr<ObservedNodes> owned_observed,
            std::unique_ptr<AttestationNonces> owned_nonces)
      : owned_observed_(std::move(owned_observed)),
        owned_nonces_(std::move(owned_nonces)),
        context_(std::move(context)) {}
  const ApiV1Context& context() const { return context_; }
  // The view of the holder's current version.
  std::shared_ptr<const FleetView> View() const;

 private:
  const std::unique_ptr<ObservedNodes> owned_observed_;
  const std::unique_ptr<AttestationNonces> owned_nonces_;
  const ApiV1Context context_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const FleetView> view_;  // guarded by mu_
};

// Everything one request reads: the shared context and one version of the fleet, taken when
// the request arrived.
struct ApiState {
  const ApiV1Context& context;
  std::shared_ptr<const FleetView> view;

  store::Store& store() const { return *context.store; }
  const FleetContext& fleet() const { return *view->context; }
  const Fleet& nodes() const { return view->context->fleet.fleet; }
  const FleetSummary& summary() const { return view->summary; }
  int64_t NowMs() const { return context.clock->NowMs(); }
  InventoryService& inventory() const { return *context.inventory; }
  ObservedNodes& observed() const { return *context.observed; }
  AttestationNonces& nonces() const { return *context.nonces; }
  std::shared_ptr<const ZoneFilter> ZonesFor(const std::string& org,
                                             const std::string& data_class) const {
    return view->eligibility->ZonesFor(org, data_class);
  }
  void Changed() const {
    if (context.on_change) context.on_change();
  }
};

using RouteHandler = api::Response (*)(const ApiState& state, const api::Request& request);

// Who may call what (docs/service.md, "Roles"). A role outside a route's set gets 403; within
// it, the handler scopes a tenant token to its tenant and a node token to its node.
using api::Role;
inline constexpr api::Access kAnyRole =
    api::Access::Of({Role::kAdmin, Role::kTenant, Role::kInventory, Role::kNode, Role::kViewer});
// The fleet as placed (models, sites, nodes).
inline constexpr api::Access kFleetReaders =
    api::Access::Of({Role::kAdmin, Role::kTenant, Role::kInventory, Role::kViewer});
// Tenants' objects, read: a tenant its own, a viewer every tenant's.
inline constexpr api::Access kTenantReaders =
    api::Access::Of({Role::kAdmin, Role::kTenant, Role::kViewer});
// Jobs, written: a tenant its own.
inline constexpr api::Access kJobWriters = api::Access::Of({Role::kAdmin, Role::kTenant});
inline constexpr api::Access kAdminOnly = api::Access::Of({Role::kAdmin});
// What a node agent sends: a node token for its own node (another node's is 403), or admin.
inline constexpr api::Access kNodeReporters = api::Access::Of({Role::kAdmin, Role::kNode});
// The inventory, written: its changes (register, move, transfer, ...).
inline constexpr api::Access kInventoryWriters = api::Access::Of({Role::kAdmin, Role::kInventory});
// The ledger: every entry names assets, owners and sites, which tenants do not see.
inline constexpr api::Access kLedgerReaders =
    api::Access::Of({Role::kAdmin, Role::kInventory, Role::kViewer});
// The fleet check names every asset, its owner and its site: as the ledger.
inline constexpr api::Access kFleetCheckReaders = kLedgerReaders;

struct RouteDef {
  ApiV1Route route;
  RouteHandler handler;
};

// The routes of each resource file.
std::vector<RouteDef> FleetRoutes();
std::vector<RouteDef> TenantRoutes();
std::vector<RouteDef> JobRoutes();
std::vector<RouteDef> EventRoutes();
std::vector<RouteDef> TokenRoutes();
std::vector<RouteDef> InventoryRoutes();
std::vector<RouteDef> LedgerRoutes();
std::vector<RouteDef> ClockRoutes();
std::vector<RouteDef> ComplianceRoutes();
std::vector<RouteDef> RuleChangeRoutes();
std::vector<RouteDef> LicenceRoutes();
std::vector<RouteDef> NodeReportRoutes();
std::vector<RouteDef> FindingRoutes();
std::vector<RouteDef> LandmarkRoutes();

// POST /v1/compliance/impact.
api::Response ImpactResponse(const ApiState& state, const api::Request& request);
// The impact report of `change` (the examples/changes/ format) merged into the rules in force
// at `ms`, on that day, over the living inventory and the jobs running now: what POST
// /v1/compliance/impact and a rule change's dry run answer.
api::Response ImpactAt(const ApiState& state, const std::string& change,
                       const std::string& change_name, int64_t ms);

// --- Compliance and rules (api_compliance.cc, api_rules.cc).

// The service clock's day.
Date Today(const ApiState& state);
// A report in its own key order (what `gpufleet check --json` prints for a file).
api::Response Report(const nlohmann::ordered_json& report);
// The optional body field `key` as a date; `fallback` when absent; InvalidArgument naming it.
Result<Date> DateField(const api::JsonObject& fields, std::string_view key, Date fallback);
// The last millisecond of `day`: the rules of a day are those in force by its end, scheduled
// changes included.
int64_t EndOfDayMs(Date day);
// The rules in force by the end of `day` and the licences on file with their state that day
// (compliance::RulesInForceJson): GET /v1/rules, and GET /v1/licences's licences.
nlohmann::ordered_json RulesInForceOn(const ApiState& state, Date day);
// The query parameter "at" as a date; `fallback` when absent.
Result<Date> AtParam(const api::Request& request, Date fallback);
// "2026-06-01" (midnight UTC) or "2026-06-01T12:00:00Z" as ms since the epoch; InvalidArgument
// naming the field `effective_at` otherwise.
Result<int64_t> ParseInstant(const std::string& text);
// A change file's fields of a request body: `change` (its YAML text, required) and `name`
// (what messages call it; not empty; default "change").
struct ChangeFields {
  std::string text;
  std::string name;
};
Result<ChangeFields> ReadChangeFields(const api::JsonObject& fields);
// A scheduled rule change as GET /v1/rules/changes lists it.
nlohmann::json RuleChangeJson(const RuleChangeView& v);

// --- Request checks. Each returns InvalidArgument naming the parameter.

// InvalidArgument "field 'name': what".
Status FieldError(std::string_view field, const std::string& what);

// InvalidArgument for a query parameter outside `allowed` or given twice.
Status CheckQueryKeys(const api::Request& request, std::initializer_list<std::string_view> allowed);
// `limit` (1..store::kMaxPageSize), default `fallback` when absent.
Result<int32_t> LimitParam(const api::Request& request, int32_t fallback);
// A positive decimal integer (no sign, no spaces); `what` names it in the error
// ("job id 'abc' is not a positive integer").
Result<uint64_t> ParsePositiveId(std::string_view text, std::string_view what);
// The optional query parameter `name` as a positive integer.
Result<std::optional<uint64_t>> OptionalIdParam(const api::Request& request, std::string_view name);
// A body that is empty or `{}` (POST endpoints that take no fields): InvalidArgument for
// malformed JSON or any field.
Status CheckEmptyBody(const api::Request& request);
// The {id} path parameter as a job id.
Result<JobId> JobIdParam(const api::Request& request);

// --- Tenant scope.
// Admin or viewer: every tenant's objects are in scope (a viewer's routes only read them).
bool SeesEveryTenant(const api::Request& request);
bool IsAdmin(const api::Request& request);
// The caller's own tenant; "" but for a tenant token.
const std::string& CallerTenant(const api::Request& request);
// NotFound "tenant 'id' not found": what a tenant asking about another tenant sees, exactly
// like an id that does not exist.
Status TenantNotFound(std::string_view id);
Status JobNotFound(JobId id);
// The tenant a listing is scoped to: a tenant token is always scoped to itself (naming another
// tenant is NotFound); admin and viewer get the query parameter `tenant` (checked to exist) or
// nullopt for all.
Result<std::optional<std::string>> ScopeTenant(const ApiState& state, const api::Request& request);
// The tenant `id` if the caller may see it (admin, viewer, or the tenant itself); NotFound
// otherwise.
Result<store::TenantRecord> VisibleTenant(const ApiState& state, const api::Request& request,
                                          std::string_view id);
// The job `id` if the caller may see it; NotFound otherwise.
Result<store::JobRecord> VisibleJob(const ApiState& state, const api::Request& request, JobId id);

}  // namespace gpufleet::service::v1
