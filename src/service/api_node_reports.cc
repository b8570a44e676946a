// What node agents (gpufleet-agent, docs/agent.md) report, and reading it back:
//   POST /v1/nodes/{id}/reports   the devices the node sees now (codec/node_report_json.h);
//                                 a node token for its own node only (another's is 403), or
//                                 admin. 200 {node, changed, devices, last_seen}
//   GET  /v1/nodes/{id}/observed  the latest report with when it was first, last and last
//                                 differently seen; 404 before any report
//   POST /v1/nodes/{id}/nonce     a fresh nonce for the devices' attestation reports
//                                 (service/attestation_nonces.h); node token own node, admin
// Reports are claims by the node (docs/agent.md, "Trust model"): they are kept beside the
// inventory, never written into it. A changed report is in the store before it is answered; a
// heartbeat is a memory update (service/observed_nodes_store.h).

#include <optional>
#include <string>

#include "gpufleet/codec/node_report_json.h"
#include "gpufleet/ledger/note_key.h"
#include "gpufleet/model/utf8.h"
#include "gpufleet/service/observed_nodes_store.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

// Evidence new to the service must be over a nonce issued to this node lately; evidence the
// node reported before (a heartbeat repeats it) was checked then.
Status CheckAttestations(const ApiState& state, const std::string& node, const NodeReport& report) {
  std::optional<ObservedNode> held;
  bool looked = false;
  for (size_t i = 0; i < report.devices.size(); ++i) {
    const ObservedDevice& d = report.devices[i];
    if (!d.attestation) continue;
    if (!looked) {
      held = state.observed().Get(node);
      looked = true;
    }
    bool known = false;
    if (held) {
      for (const ObservedDevice& h : held->report.devices) {
        known =
            known || (h.uuid == d.uuid && h.serial == d.serial && h.attestation == d.attestation);
      }
    }
    if (!known && !state.nonces().Issued(node, d.attestation->nonce_hex, state.NowMs())) {
      return FieldError("devices[" + std::to_string(i) + "].attestation.nonce",
                        "was not issued to node '" + Excerpt(node) +
                            "' in the last 10 minutes (POST /v1/nodes/{id}/nonce)");
    }
  }
  return Status::Ok();
}

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
  if (Status s = CheckAttestations(state, id, *report); !s.ok()) return api::ErrorResponse(s);
  const size_t devices = report->devices.size();
  const Result<RecordOutcome> outcome = state.observed().Record(std::move(*report), state.NowMs());
  if (!outcome.ok()) return api::ErrorResponse(outcome.status());
  if (outcome->changed) {
    // Refused unless durable: the agent retries, and its next report is written even when
    // equal to this one (SaveObservedNode marks the node unsaved).
    if (Status s = SaveObservedNode(state.store(), state.observed(), id); !s.ok()) {
      return api::ErrorResponse(s);
    }
  }
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
    return api::ErrorResponse(Status::NotFound("node '" + Excerpt(id) + "' has not reported"));
  }
  nlohmann::ordered_json out = {{"node", id},
                                {"first_seen", IsoTime(node->first_seen_ms)},
                                {"last_seen", IsoTime(node->last_seen_ms)},
                                {"last_change", IsoTime(node->last_change_ms)},
                                {"reports", node->reports},
                                {"report", codec::NodeReportToJson(node->report)}};
  return Report(out);
}

// POST /v1/nodes/{id}/nonce
api::Response PostNonce(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  if (Status s = CheckEmptyBody(request); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  if (request.principal->role == Role::kNode && request.principal->node_id != id) {
    return api::ErrorResponse(Status::PermissionDenied(
        "this token asks for its own node's nonces only, not for node '" + Excerpt(id) + "'"));
  }
  const int64_t now = state.NowMs();
  const Result<std::string> nonce = state.nonces().Issue(id, now);
  if (!nonce.ok()) return api::ErrorResponse(nonce.status());
  return api::Response::Json(
      200, {{"node", id}, {"nonce", *nonce}, {"expires", IsoTime(now + kNonceTtlMs)}});
}

}  // namespace

std::vector<RouteDef> NodeReportRoutes() {
  return {
      {{"POST", "/v1/nodes/{id}/reports", kNodeReporters}, &PostReport},
      {{"POST", "/v1/nodes/{id}/nonce", kNodeReporters}, &PostNonce},
      {{"GET", "/v1/nodes/{id}/observed", kLedgerReaders}, &GetObserved},
  };
}

}  // namespace gpufleet::service::v1
