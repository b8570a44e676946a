// What node agents (gpufleet-agent, docs/agent.md) report, and reading it back:
//   POST /v1/nodes/{id}/reports   the devices the node sees now (codec/node_report_json.h);
//                                 a node token for its own node only (another's is 403), or
//                                 admin. 200 {node, changed, devices, last_seen}
//   GET  /v1/nodes/{id}/observed  the latest report with when it was first, last and last
//                                 differently seen; 404 before any report
// Reports are claims by the node (docs/agent.md, "Trust model"): they are kept beside the
// inventory, never written into it.

#include <string>

#include "gpufleet/codec/node_report_json.h"
#include "gpufleet/ledger/note_key.h"
#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

// POST /v1/nodes/{id}/reports
api::Response PostReport(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  // The body is checked before the node: either way a node learns nothing about another node
  // (the 403 names only the path's id), and a malformed body is the caller's first problem.
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  Result<NodeReport> report = codec::NodeReportFromJson(*body);
  if (!report.ok()) return api::ErrorResponse(report.status());
  if (report->node != id) {
    return api::ErrorResponse(FieldError(
        "node",
        "'" + Excerpt(report->node) + "' is not the node of the path, '" + Excerpt(id) + "'"));
  }
  if (request.principal->role == Role::kNode && request.principal->node_id != id) {
    return api::ErrorResponse(Status::PermissionDenied(
        "this token reports for its own node only, not for node '" + Excerpt(id) + "'"));
  }
  if (!report->echo_key.empty()) {
    // Checked here, where the key format is known: a key that cannot verify would only fail
    // every landmark measurement later, far from its cause.
    const Result<ledger::NoteVerifier> key = ledger::NoteVerifier::Parse(report->echo_key);
    if (!key.ok()) return api::ErrorResponse(FieldError("echo_key", key.status().message()));
  }
  const size_t devices = report->devices.size();
  const Result<RecordOutcome> outcome = state.observed().Record(std::move(*report), state.NowMs());
  if (!outcome.ok()) return api::ErrorResponse(outcome.status());
  return api::Response::Json(200, {{"node", id},
                                   {"changed", outcome->changed},
                                   {"devices", devices},
                                   {"last_seen", IsoTime(outcome->last_seen_ms)}});
}

// GET /v1/nodes/{id}/observed
api::Response GetObserved(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const std::optional<ObservedNode> node = state.observed().Get(id);
  if (!node) {
    return api::ErrorResponse(
        Status::NotFound("node '" + Excerpt(id) + "' has not reported since the service started"));
  }
  nlohmann::ordered_json out = {{"node", id},
                                {"first_seen", IsoTime(node->first_seen_ms)},
                                {"last_seen", IsoTime(node->last_seen_ms)},
                                {"last_change", IsoTime(node->last_change_ms)},
                                {"reports", node->reports},
                                {"report", codec::NodeReportToJson(node->report)}};
  return Report(out);
}

}  // namespace

std::vector<RouteDef> NodeReportRoutes() {
  return {
      {{"POST", "/v1/nodes/{id}/reports", kNodeReporters}, &PostReport},
      {{"GET", "/v1/nodes/{id}/observed", kLedgerReaders}, &GetObserved},
  };
}

}  // namespace gpufleet::service::v1
