// Licences as live state of the service (docs/compliance.md, "Licences in the service"):
// recording or revoking one is a rule change (compliance/licence_change.h) scheduled in the
// rule book and recorded in the ledger, so the scheduler obeys it from its effective time like
// any rule change, and GET /v1/rules/changes lists it beside the others.
//   POST /v1/licences                 the licence record's fields (docs/compliance.md,
//                                     "Licences") and effective_at; 409 for an id on file
//   POST /v1/licences/{id}/revoke     {on?: first day it no longer holds, effective_at?}
//   GET  /v1/licences?at=             the licences on file on a date, with their state

#include <limits>
#include <string>

#include "gpufleet/compliance/licence_change.h"
#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

// The rules once every change scheduled has taken effect: what a new record must not clash
// with, and what a revocation revokes.
std::shared_ptr<const compliance::LayeredRules> Latest(const compliance::RuleBook& book) {
  return book.At(std::numeric_limits<int64_t>::max());
}

// When the step takes effect: `effective_at`, or now.
Result<int64_t> EffectiveAt(const ApiState& state, const api::JsonObject& fields) {
  const Result<std::optional<std::string>> at = fields.OptionalString("effective_at");
  if (!at.ok()) return at.status();
  return at->has_value() ? ParseInstant(**at) : state.NowMs();
}

api::Response Scheduled(const ApiState& state, const Result<RuleChangeView>& view,
                        const std::string& id) {
  if (!view.ok()) return api::ErrorResponse(view.status());
  state.Changed();
  nlohmann::json out = RuleChangeJson(*view);
  out["licence"] = id;
  return api::Response::Json(201, out);
}

// POST /v1/licences
api::Response Record(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  // The licence record's fields (the rule file's `licences:` entry) and when to record it.
  const Result<api::JsonObject> fields =
      api::JsonObject::Make(*body, {"id", "jurisdiction", "holder", "models", "locations",
                                    "transfers", "valid_from", "valid_to", "status", "revoked_on",
                                    "revenue_share_pct", "conditions", "effective_at"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<std::optional<std::string>> id = fields->OptionalString("id");
  if (!id.ok()) return api::ErrorResponse(id.status());
  if (!id->has_value() || (**id).empty()) {
    return api::ErrorResponse(FieldError("id", "is required: the licence's id"));
  }
  const Result<int64_t> effective_ms = EffectiveAt(state, *fields);
  if (!effective_ms.ok()) return api::ErrorResponse(effective_ms.status());
  nlohmann::json licence = *body;
  licence.erase("effective_at");
  // JSON is YAML: the record goes through the rule file's own validation as it is.
  const std::string document = nlohmann::json{
      {"description", "licence " + **id + " recorded"},
      {"licences", nlohmann::json::array(
                       {licence})}}.dump();
  const auto make = [&](const compliance::RuleBook& book) -> Result<std::string> {
    for (const compliance::Licence& l : Latest(book)->rules.licences()) {
      if (l.id == **id) {
        return Status::AlreadyExists("licence '" + Excerpt(**id) +
                                     "' is already on file: revoke it, or record another id");
      }
    }
    return document;
  };
  return Scheduled(state,
                   state.context.inventory->ScheduleRuleChange(
                       make, "licence " + **id, *effective_ms, request.principal->token_id),
                   **id);
}

// POST /v1/licences/{id}/revoke {on?, effective_at?}
api::Response Revoke(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const std::string id(request.PathParam("id").value_or(""));
  const Result<nlohmann::json> body =
      request.body.empty() ? nlohmann::json::object() : api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"on", "effective_at"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<Date> on = DateField(*fields, "on", Today(state));
  if (!on.ok()) return api::ErrorResponse(on.status());
  const Result<int64_t> effective_ms = EffectiveAt(state, *fields);
  if (!effective_ms.ok()) return api::ErrorResponse(effective_ms.status());
  const auto make = [&](const compliance::RuleBook& book) {
    return compliance::LicenceRevocation(Latest(book)->text, id, *on);
  };
  return Scheduled(state,
                   state.context.inventory->ScheduleRuleChange(
                       make, "revoke licence " + id, *effective_ms, request.principal->token_id),
                   id);
}

// GET /v1/licences?at=YYYY-MM-DD
api::Response List(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"at"}); !s.ok()) return api::ErrorResponse(s);
  const Result<Date> at = AtParam(request, Today(state));
  if (!at.ok()) return api::ErrorResponse(at.status());
  const nlohmann::ordered_json rules = RulesInForceOn(state, *at);
  return Report({{"date", rules["date"]}, {"licences", rules["licences"]}});
}

}  // namespace

std::vector<RouteDef> LicenceRoutes() {
  return {
      {{"POST", "/v1/licences", kAdminOnly}, &Record},
      {{"POST", "/v1/licences/{id}/revoke", kAdminOnly}, &Revoke},
      {{"GET", "/v1/licences", kFleetCheckReaders}, &List},
  };
}

}  // namespace gpufleet::service::v1
