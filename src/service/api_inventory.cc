// The living inventory's routes (docs/service.md, "Inventory"): assets listed, shown and
// traced through their ledger entries; organisations; and the changes, which only admin and
// inventory tokens make. A tenant sees the assets its organisation (or one under it) owns or
// operates, and nothing else: another asset is 404, as if it did not exist.

#include <string>

#include "gpufleet/inventory/change.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

using inventory::LiveAsset;

constexpr int32_t kDefaultAssetPage = 100;
constexpr int kUnprocessable = 422;
// What the service fills in; a client sending them is told so rather than ignored.
constexpr std::string_view kServiceFields[] = {"v", "recorded_ms", "actor", "verdict", "rules"};

nlohmann::json AssetJson(const LiveAsset& a) {
  nlohmann::json j = inventory::AssetToJson(a.record);
  j["status"] = inventory::AssetStatusName(a.status);
  if (!a.lost_how.empty()) j["lost_how"] = a.lost_how;
  j["last_entry"] = a.last_entry;
  j["last_effective"] = IsoTime(a.last_effective_ms);
  return j;
}

nlohmann::json OrgJson(const inventory::Organisation& o) {
  return {{"id", o.id},
          {"name", o.name},
          {"kind", inventory::OrgKindName(o.kind)},
          {"parent", o.parent.empty() ? nlohmann::json() : nlohmann::json(o.parent)},
          {"hq_country", o.hq_country}};
}

nlohmann::json SiteRecordJson(const inventory::Site& s) {
  const auto optional = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  return {{"id", s.id},
          {"name", s.name},
          {"country", s.country},
          {"region", s.region},
          {"provider", s.provider},
          {"ownership", inventory::SiteOwnershipName(s.ownership)},
          {"state_funded", s.state_funded},
          {"public_hub", s.public_hub},
          {"project_completion_pct", optional(s.project_completion_pct)},
          {"lat", optional(s.lat)},
          {"lon", optional(s.lon)}};
}

// The organisation whose view a tenant token gets; nullopt for roles that see every asset.
Result<std::optional<std::string>> ViewOf(const ApiState& state, const api::Request& request) {
  if (request.principal->role != Role::kTenant) return std::optional<std::string>();
  const Result<store::TenantRecord> tenant = state.store().GetTenant(CallerTenant(request));
  if (!tenant.ok()) return tenant.status();
  return std::optional<std::string>(tenant->org);
}

Status UnknownAsset(std::string_view serial) {
  return Status::NotFound("asset '" + Excerpt(serial) + "' not found");
}

// The asset {serial} when the caller may see it.
Result<LiveAsset> VisibleAsset(const ApiState& state, const api::Request& request) {
  const std::string serial(request.PathParam("serial").value_or(""));
  const std::optional<LiveAsset> asset = state.inventory().FindAsset(serial);
  if (!asset) return UnknownAsset(serial);
  const Result<std::optional<std::string>> view = ViewOf(state, request);
  if (!view.ok()) return view.status();
  if (view->has_value() && !state.inventory().OrgMayKnow(**view, *asset)) {
    return UnknownAsset(serial);
  }
  return *asset;
}

// GET /v1/assets[?site=S][&status=active|retired|lost][&after=SERIAL][&limit=N]
api::Response ListAssets(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"site", "status", "after", "limit"}); !s.ok()) {
    return api::ErrorResponse(s);
  }
  const Result<int32_t> limit = LimitParam(request, kDefaultAssetPage);
  if (!limit.ok()) return api::ErrorResponse(limit.status());
  AssetQuery query;
  query.limit = static_cast<size_t>(*limit);
  query.after = std::string(request.Query("after").value_or(""));
  if (const auto site = request.Query("site")) query.site = std::string(*site);
  if (const auto status = request.Query("status")) {
    for (const auto s : {inventory::AssetStatus::kActive, inventory::AssetStatus::kRetired,
                         inventory::AssetStatus::kLost}) {
      if (inventory::AssetStatusName(s) == *status) query.status = s;
    }
    if (!query.status) {
      return api::ErrorResponse(Status::InvalidArgument(
          "query parameter 'status': '" + Excerpt(*status) + "' is not active, retired or lost"));
    }
  }
  const Result<std::optional<std::string>> view = ViewOf(state, request);
  if (!view.ok()) return api::ErrorResponse(view.status());
  query.visible_to = *view;
  const std::vector<LiveAsset> assets = state.inventory().List(query);
  nlohmann::json items = nlohmann::json::array();
  for (const LiveAsset& a : assets) items.push_back(AssetJson(a));
  nlohmann::json body = {{"assets", std::move(items)}};
  body["next_after"] =
      assets.size() == query.limit ? nlohmann::json(assets.back().record.serial) : nlohmann::json();
  return api::Response::Json(200, body);
}

api::Response GetAsset(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<LiveAsset> asset = VisibleAsset(state, request);
  if (!asset.ok()) return api::ErrorResponse(asset.status());
  return api::Response::Json(200, AssetJson(*asset));
}

// GET /v1/assets/{serial}/history: the asset's chain of custody, every ledger entry about it.
api::Response AssetHistory(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<LiveAsset> asset = VisibleAsset(state, request);
  if (!asset.ok()) return api::ErrorResponse(asset.status());
  const Result<std::vector<store::InventoryEntry>> entries =
      state.store().ReadSubjectHistory(asset->record.serial);
  if (!entries.ok()) return api::ErrorResponse(entries.status());
  nlohmann::json items = nlohmann::json::array();
  for (const store::InventoryEntry& e : *entries) {
    const Result<inventory::Change> change = inventory::Decode(e.body);
    if (!change.ok()) return api::ErrorResponse(change.status());
    items.push_back({{"index", e.index},
                     {"data", ledger::Base64Encode(e.body)},
                     {"kind", e.kind},
                     {"effective", IsoTime(e.effective_ms)},
                     {"recorded", IsoTime(e.recorded_ms)},
                     {"change", inventory::ChangeToJson(*change)}});
  }
  return api::Response::Json(200, {{"serial", asset->record.serial}, {"entries", items}});
}

// One change of a request body: the encoding's fields less those the service fills in, with
// effective_ms defaulting to now.
Result<inventory::Change> ChangeFrom(const nlohmann::json& item, size_t i, int64_t now) {
  const std::string where = "changes[" + std::to_string(i) + "]";
  if (!item.is_object()) return FieldError(where, "expected an object");
  nlohmann::json j = item;
  for (const std::string_view key : kServiceFields) {
    if (j.contains(key)) {
      return FieldError(where + "." + std::string(key), "is set by the service, not the client");
    }
  }
  j["v"] = 1;
  j["recorded_ms"] = now;
  j["actor"] = "";
  if (!j.contains("effective_ms")) j["effective_ms"] = now;
  Result<inventory::Change> c = inventory::ChangeFromJson(j);
  if (!c.ok()) return Status::InvalidArgument(where + ": " + c.status().message());
  return c;
}

nlohmann::json OutcomeJson(const ChangeOutcome& o) {
  nlohmann::json j = {{"change", inventory::ChangeToJson(o.change)}};
  if (o.status.ok()) {
    j["status"] = "accepted";
    j["index"] = o.index;
    return j;
  }
  j["status"] = "refused";
  j["error"] = {{"code", o.non_compliant ? "non_compliant" : api::ErrorCodeName(o.status.code())},
                {"message", o.status.message()}};
  if (o.non_compliant) {
    j["verdict"] = o.verdict;
    j["rules"] = o.rules;
    j["explanation"] = o.explanation;
  }
  return j;
}

// POST /v1/inventory/changes {changes: [...], atomic?: true}: up to 1,000 changes checked in
// order and recorded in one transaction. Atomic (the default): one refused change refuses
// them all, answered with its status (404, 409, 400; 422 when the rules forbid it). Not
// atomic: 200 with each change's outcome.
api::Response PostChanges(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"changes", "atomic"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<std::optional<bool>> atomic = fields->OptionalBool("atomic");
  if (!atomic.ok()) return api::ErrorResponse(atomic.status());
  const nlohmann::json* list = body->contains("changes") ? &body->at("changes") : nullptr;
  if (list == nullptr || !list->is_array() || list->empty()) {
    return api::ErrorResponse(FieldError(
        "changes", "expected a list of 1 to " + std::to_string(kMaxChangesPerBatch) + " changes"));
  }
  if (list->size() > kMaxChangesPerBatch) {
    return api::ErrorResponse(FieldError(
        "changes",
        std::to_string(list->size()) + " changes; at most " + std::to_string(kMaxChangesPerBatch)));
  }
  const int64_t now = state.NowMs();
  std::vector<inventory::Change> changes;
  for (size_t i = 0; i < list->size(); ++i) {
    Result<inventory::Change> c = ChangeFrom((*list)[i], i, now);
    if (!c.ok()) return api::ErrorResponse(c.status());
    changes.push_back(std::move(*c));
  }
  const bool all_or_nothing = atomic->value_or(true);
  const Result<std::vector<ChangeOutcome>> outcomes =
      state.inventory().Submit(std::move(changes), request.principal->token_id, all_or_nothing);
  if (!outcomes.ok()) return api::ErrorResponse(outcomes.status());
  nlohmann::json results = nlohmann::json::array();
  const ChangeOutcome* first_refused = nullptr;
  bool accepted_any = false;
  for (const ChangeOutcome& o : *outcomes) {
    results.push_back(OutcomeJson(o));
    accepted_any |= o.status.ok();
    if (!o.status.ok() && o.status.code() != Status::Code::kAborted && first_refused == nullptr) {
      first_refused = &o;
    }
  }
  if (accepted_any) state.Changed();
  if (first_refused == nullptr || !all_or_nothing) {
    return api::Response::Json(200, {{"results", std::move(results)}});
  }
  const int http = first_refused->non_compliant ? kUnprocessable
                                                : api::HttpStatusFor(first_refused->status.code());
  nlohmann::json error = OutcomeJson(*first_refused)["error"];
  return api::Response::Json(http, {{"error", std::move(error)}, {"results", std::move(results)}});
}

// GET /v1/orgs, /v1/orgs/{id}
api::Response ListOrgs(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  nlohmann::json orgs = nlohmann::json::array();
  for (const inventory::Organisation& o : state.inventory().Organisations()) {
    orgs.push_back(OrgJson(o));
  }
  return api::Response::Json(200, {{"organisations", std::move(orgs)}});
}

api::Response GetOrg(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const std::optional<inventory::Organisation> org = state.inventory().FindOrg(id);
  if (!org)
    return api::ErrorResponse(Status::NotFound("organisation '" + Excerpt(id) + "' not found"));
  return api::Response::Json(200, OrgJson(*org));
}

// GET /v1/sites/{id}: the site's record in the living inventory (GET /v1/sites lists the
// placement fleet's sites with their GPUs).
api::Response GetSite(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const std::optional<inventory::Site> site = state.inventory().FindSite(id);
  if (!site) return api::ErrorResponse(Status::NotFound("site '" + Excerpt(id) + "' not found"));
  return api::Response::Json(200, SiteRecordJson(*site));
}

}  // namespace

std::vector<RouteDef> InventoryRoutes() {
  return {
      {{"GET", "/v1/assets", kFleetReaders}, &ListAssets},
      {{"GET", "/v1/assets/{serial}", kFleetReaders}, &GetAsset},
      {{"GET", "/v1/assets/{serial}/history", kFleetReaders}, &AssetHistory},
      {{"POST", "/v1/inventory/changes", kInventoryWriters}, &PostChanges},
      {{"GET", "/v1/orgs", kFleetReaders}, &ListOrgs},
      {{"GET", "/v1/orgs/{id}", kFleetReaders}, &GetOrg},
      {{"GET", "/v1/sites/{id}", kFleetReaders}, &GetSite},
  };
}

}  // namespace gpufleet::service::v1
