// Findings (docs/findings.md): everything that looks wrong, with its evidence and state.
//   GET  /v1/findings[?state=&kind=&source=&serial=&node=&after=&limit=]
//   GET  /v1/findings/{id}
//   POST /v1/findings/{id}/acknowledge|resolve   {reason}   admin, inventory
//   POST /v1/findings/{id}/release               {reason}   admin: quarantined hardware back
//   POST /v1/findings/reconcile                             admin: one pass of the checks now
// Findings name every organisation's hardware, so tenants do not read them (as the ledger).

#include <string>

#include "gpufleet/findings/findings_book.h"
#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

constexpr int32_t kDefaultFindingPage = 100;

nlohmann::ordered_json FindingJson(const findings::FindingView& f) {
  const inventory::FindingRecord& r = f.record;
  nlohmann::ordered_json j = {{"id", r.id},
                              {"kind", r.kind},
                              {"source", r.source},
                              {"state", findings::StateName(f.state)},
                              {"subject", r.subject}};
  if (!r.serial.empty()) j["serial"] = r.serial;
  if (!r.node.empty()) j["node"] = r.node;
  j["detail"] = r.detail;
  j["evidence"] = r.evidence;
  j["action"] = r.action;
  j["held"] = f.held;
  j["opened"] = IsoTime(f.opened_ms);
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const findings::FindingEvent& e : f.history) {
    nlohmann::ordered_json h = {
        {"entry", e.index}, {"at", IsoTime(e.recorded_ms)}, {"what", e.what}};
    h["actor"] = e.actor;
    if (!e.reason.empty()) h["reason"] = e.reason;
    history.push_back(std::move(h));
  }
  j["history"] = std::move(history);
  return j;
}

// The number of "f-<n>" (0 when the text is not one): `after` pages by it.
Result<size_t> AfterParam(const api::Request& request) {
  const std::optional<std::string_view> after = request.Query("after");
  if (!after) return size_t{0};
  if (!after->starts_with("f-")) {
    return Status::InvalidArgument("query parameter 'after': expected a finding id (f-<n>)");
  }
  Result<uint64_t> n = ParsePositiveId(after->substr(2), "query parameter 'after'");
  if (!n.ok()) return n.status();
  return static_cast<size_t>(*n);
}

// GET /v1/findings
api::Response ListFindings(const ApiState& state, const api::Request& request) {
  if (Status s =
          CheckQueryKeys(request, {"state", "kind", "source", "serial", "node", "after", "limit"});
      !s.ok()) {
    return api::ErrorResponse(s);
  }
  const Result<int32_t> limit = LimitParam(request, kDefaultFindingPage);
  if (!limit.ok()) return api::ErrorResponse(limit.status());
  const Result<size_t> after = AfterParam(request);
  if (!after.ok()) return api::ErrorResponse(after.status());
  std::optional<findings::State> want_state;
  if (const auto s = request.Query("state")) {
    want_state = findings::ParseState(*s);
    if (!want_state) {
      return api::ErrorResponse(Status::InvalidArgument("query parameter 'state': '" + Excerpt(*s) +
                                                        "' is not open, acknowledged or resolved"));
    }
  }
  std::optional<findings::Kind> want_kind;
  if (const auto k = request.Query("kind")) {
    want_kind = findings::ParseKind(*k);
    if (!want_kind) {
      return api::ErrorResponse(Status::InvalidArgument("query parameter 'kind': unknown kind '" +
                                                        Excerpt(*k) + "' (docs/findings.md)"));
    }
  }
  const auto source = request.Query("source");
  if (source && *source != "agent" && *source != "ledger" && *source != "landmark") {
    return api::ErrorResponse(Status::InvalidArgument(
        "query parameter 'source': '" + Excerpt(*source) + "' is not agent, ledger or landmark"));
  }
  const auto serial = request.Query("serial");
  const auto node = request.Query("node");
  const std::vector<findings::FindingView> found = state.inventory().ListFindings(
      [&](const findings::FindingView& f) {
        return (!want_state || f.state == *want_state) && (!want_kind || f.kind == *want_kind) &&
               (!source || f.record.source == *source) && (!serial || f.record.serial == *serial) &&
               (!node || f.record.node == *node);
      },
      *after, static_cast<size_t>(*limit));
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const findings::FindingView& f : found) items.push_back(FindingJson(f));
  nlohmann::ordered_json body = {{"findings", std::move(items)}};
  body["next_after"] = found.size() == static_cast<size_t>(*limit)
                           ? nlohmann::ordered_json(found.back().record.id)
                           : nlohmann::ordered_json();
  return Report(body);
}

// GET /v1/findings/{id}
api::Response GetFinding(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const std::optional<findings::FindingView> f = state.inventory().FindFinding(id);
  if (!f) return api::ErrorResponse(Status::NotFound("finding '" + Excerpt(id) + "' not found"));
  return Report(FindingJson(*f));
}

api::Response Update(const ApiState& state, const api::Request& request, std::string_view what) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"reason"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  Result<std::string> reason = fields->String("reason");
  if (!reason.ok()) return api::ErrorResponse(reason.status());
  if (reason->empty()) return api::ErrorResponse(FieldError("reason", "must not be empty"));
  const Result<findings::FindingView> f =
      state.inventory().UpdateFinding(id, what, std::move(*reason), request.principal->token_id);
  if (!f.ok()) return api::ErrorResponse(f.status());
  return Report(FindingJson(*f));
}

api::Response Acknowledge(const ApiState& state, const api::Request& request) {
  return Update(state, request, "acknowledged");
}
api::Response Resolve(const ApiState& state, const api::Request& request) {
  return Update(state, request, "resolved");
}
api::Response Release(const ApiState& state, const api::Request& request) {
  return Update(state, request, "released");
}

// POST /v1/findings/reconcile
api::Response Reconcile(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  if (Status s = CheckEmptyBody(request); !s.ok()) return api::ErrorResponse(s);
  if (state.context.findings == nullptr) {
    return api::ErrorResponse(Status::FailedPrecondition("this service runs no findings checks"));
  }
  const Result<ReconcileSummary> r = state.context.findings->RunOnce();
  if (!r.ok()) return api::ErrorResponse(r.status());
  return Report({{"detections", r->detections},
                 {"opened", r->opened},
                 {"resolved", r->resolved},
                 {"deferred", r->deferred},
                 {"observed_devices", r->observed_devices},
                 {"ms", r->ms}});
}

}  // namespace

std::vector<RouteDef> FindingRoutes() {
  return {
      {{"GET", "/v1/findings", kLedgerReaders}, &ListFindings},
      {{"POST", "/v1/findings/reconcile", kAdminOnly}, &Reconcile},
      {{"GET", "/v1/findings/{id}", kLedgerReaders}, &GetFinding},
      {{"POST", "/v1/findings/{id}/acknowledge", kInventoryWriters}, &Acknowledge},
      {{"POST", "/v1/findings/{id}/resolve", kInventoryWriters}, &Resolve},
      {{"POST", "/v1/findings/{id}/release", kAdminOnly}, &Release},
  };
}

}  // namespace gpufleet::service::v1
