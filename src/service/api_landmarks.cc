// Location evidence (docs/agent.md, "Location evidence"):
//   POST /v1/landmarks/measurements  a landmark's measurement of a node, a signed note by the
//                                    landmark's key: {"note": "..."}. Checked against the
//                                    configured landmark's key and the node's echo key (from
//                                    its reports); the latest per (node, landmark) is kept.
//   GET  /v1/nodes/{id}/location     the node's measurements, each with its distance bound,
//                                    the landmark's distance to the declared site and whether
//                                    it contradicts it (service/landmark_measurements.h)
// The token only lets a caller in: what makes a measurement count is the landmark's
// signature, so a node token (the least a service hands out) is enough to carry one.

#include <string>

#include "gpufleet/codec/location_evidence.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/note.h"
#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

// A measurement note is about 400 bytes; a few signatures more would still fit.
constexpr size_t kMaxMeasurementNoteBytes = 4096;

nlohmann::json OrNull(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::ordered_json VerdictJson(const LocationVerdict& v) {
  nlohmann::ordered_json out = {{"rtt_ms", v.rtt_ms},
                                {"bound_km", v.bound_km},
                                {"limit_km", v.limit_km},
                                {"distance_km", OrNull(v.distance_km)},
                                {"contradicts", v.contradicts}};
  if (!v.skipped.empty()) out["skipped"] = v.skipped;
  return out;
}

// The node's echo signature of the measurement's nonce, checked against the key the node
// reported (pinned on first use by ObservedNodes).
Status CheckEcho(const ApiState& state, const LandmarkMeasurement& m) {
  const std::optional<ObservedNode> node = state.observed().Get(m.node);
  if (!node || node->report.echo_key.empty()) {
    return Status::FailedPrecondition(
        "node '" + Excerpt(m.node) +
        "' has reported no echo key since the service started: its agent must run with "
        "--node-key and --echo-listen before landmarks can measure it");
  }
  const Result<ledger::NoteVerifier> key = ledger::NoteVerifier::Parse(node->report.echo_key);
  if (!key.ok()) return key.status();  // checked when reported: cannot happen
  const std::optional<std::string> signature = ledger::Base64Decode(m.echo_signature_base64);
  if (!signature || signature->size() != ledger::kEd25519SignatureSize ||
      !key->Verify(codec::EchoMessage(m.node, m.nonce_hex), *signature)) {
    return Status::PermissionDenied("the echo signature does not verify with node '" +
                                    Excerpt(m.node) + "''s echo key '" + key->Id() +
                                    "': another key answered the landmark");
  }
  return Status::Ok();
}

// POST /v1/landmarks/measurements
api::Response PostMeasurement(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"note"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<std::string> note_text = fields->String("note");
  if (!note_text.ok()) return api::ErrorResponse(note_text.status());
  if (note_text->size() > kMaxMeasurementNoteBytes) {
    return api::ErrorResponse(FieldError("note", std::to_string(note_text->size()) +
                                                     " bytes, more than " +
                                                     std::to_string(kMaxMeasurementNoteBytes)));
  }
  LandmarkMeasurements* landmarks = state.context.landmarks;
  if (landmarks == nullptr || landmarks->landmarks().empty()) {
    return api::ErrorResponse(Status::FailedPrecondition(
        "this service trusts no landmark: start gpufleetd with --landmarks FILE"));
  }
  const Result<ledger::Note> note = ledger::OpenNote(*note_text, landmarks->verifiers());
  if (!note.ok()) {
    return api::ErrorResponse(Status::PermissionDenied(
        "the measurement is not signed by a configured landmark: " + note.status().message()));
  }
  Result<LandmarkMeasurement> m = codec::ParseMeasurementText(note->text);
  if (!m.ok()) return api::ErrorResponse(m.status());
  bool signed_by_it = false;
  for (const ledger::NoteSignature& s : note->verified) signed_by_it |= s.name == m->landmark;
  if (!signed_by_it) {
    return api::ErrorResponse(Status::PermissionDenied(
        "the measurement names landmark '" + Excerpt(m->landmark) +
        "', which did not sign it (signed by '" + note->verified.front().name + "')"));
  }
  if (Status s = CheckEcho(state, *m); !s.ok()) return api::ErrorResponse(s);
  const Landmark& landmark = *landmarks->FindLandmark(m->landmark);
  const std::string node = m->node;
  const int64_t rtt_us = m->rtt_us;
  const Result<bool> kept = landmarks->Record(std::move(*m), state.NowMs());
  if (!kept.ok()) return api::ErrorResponse(kept.status());
  const std::string site_id = DeclaredSite(node);
  const LocationVerdict v = JudgeMeasurement(
      landmark, rtt_us, state.fleet().inventory.FindSite(site_id), landmarks->rule());
  nlohmann::ordered_json out = {
      {"node", node}, {"landmark", landmark.name}, {"declared_site", site_id}, {"kept", *kept}};
  out.update(VerdictJson(v));
  return Report(out);
}

// GET /v1/nodes/{id}/location
api::Response GetLocation(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const std::string site_id = DeclaredSite(id);
  const inventory::Site* site = state.fleet().inventory.FindSite(site_id);
  nlohmann::ordered_json out = {{"node", id}, {"declared_site", site_id}};
  out["site"] = site != nullptr && site->lat && site->lon
                    ? nlohmann::ordered_json{{"lat", *site->lat}, {"lon", *site->lon}}
                    : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json measurements = nlohmann::ordered_json::array();
  int64_t contradictions = 0;
  int64_t skipped = 0;
  const LandmarkMeasurements* landmarks = state.context.landmarks;
  if (landmarks != nullptr) {
    for (const HeldMeasurement& held : landmarks->ForNode(id)) {
      const Landmark* landmark = landmarks->FindLandmark(held.measurement.landmark);
      if (landmark == nullptr) continue;
      const LocationVerdict v =
          JudgeMeasurement(*landmark, held.measurement.rtt_us, site, landmarks->rule());
      contradictions += v.contradicts ? 1 : 0;
      skipped += v.skipped.empty() ? 0 : 1;
      nlohmann::ordered_json entry = {
          {"landmark", landmark->name},
          {"landmark_position", {{"lat", landmark->lat}, {"lon", landmark->lon}}},
          {"samples", held.measurement.samples},
          {"measured_at", IsoTime(held.measurement.measured_ms)},
          {"received_at", IsoTime(held.received_ms)}};
      entry.update(VerdictJson(v));
      measurements.push_back(std::move(entry));
    }
  }
  out["measurements"] = std::move(measurements);
  out["contradictions"] = contradictions;
  out["skipped"] = skipped;
  return Report(out);
}

}  // namespace

std::vector<RouteDef> LandmarkRoutes() {
  return {
      {{"POST", "/v1/landmarks/measurements", kNodeReporters}, &PostMeasurement},
      {{"GET", "/v1/nodes/{id}/location", kLedgerReaders}, &GetLocation},
  };
}

}  // namespace gpufleet::service::v1
