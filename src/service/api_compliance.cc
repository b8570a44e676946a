// Compliance over the living state, in the formats the CLI prints for files, so that
// `gpufleet check|check-transfer --url` show the same report for the service as for a file:
//   GET /v1/compliance/check: the fleet check on the inventory the service holds now, judged
//     on a date (default: the service clock's day; compliance/report_json.h);
//   POST /v1/compliance/check-transfer: may N units of a model go to a place and an end user
//     on a date, with the inventory's sites and organisations (compliance/transfer_question.h).

#include <string>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/report_json.h"
#include "gpufleet/compliance/transfer_question.h"
#include "gpufleet/model/utf8.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// The service clock's day.
Date Today(const ApiState& state) {
  return Date::FromDays(static_cast<int32_t>(state.NowMs() / kMsPerDay));
}

// In the report's own key order (what `gpufleet check --json` prints for a file).
api::Response Report(const nlohmann::ordered_json& report) {
  return api::Response::Text(200, report.dump(), "application/json");
}

// GET /v1/compliance/check?at=YYYY-MM-DD
api::Response FleetCheck(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"at"}); !s.ok()) return api::ErrorResponse(s);
  Date at = Today(state);
  if (auto it = request.query_params.find("at"); it != request.query_params.end()) {
    const Result<Date> parsed = Date::Parse(it->second);
    if (!parsed.ok()) {
      return api::ErrorResponse(
          FieldError("at", "'" + Excerpt(it->second) + "' is not a date YYYY-MM-DD"));
    }
    at = *parsed;
  }
  const FleetContext& ctx = state.fleet();
  // The version's own check was made on its date: reused when that is the date asked for.
  if (at == ctx.at) {
    return Report(compliance::FleetCheckJson(ctx.check, ctx.inventory));
  }
  const compliance::FleetCheckReport report =
      compliance::CheckFleet(ctx.inventory, *ctx.catalog, *ctx.rules, *ctx.engine, at);
  return Report(compliance::FleetCheckJson(report, ctx.inventory));
}

// A question's fields in errors, as the body names them.
std::string BodyField(std::string_view field) { return "'" + std::string(field) + "'"; }

Result<compliance::TransferQuestion> ReadQuestion(const nlohmann::json& body, Date today) {
  const Result<api::JsonObject> fields = api::JsonObject::Make(
      body, {"model", "units", "to", "to_site", "to_org", "from", "from_site", "transfer",
             "end_user", "end_user_hq", "end_user_parent_hq", "at", "state_funded", "public_hub",
             "project_completion_pct", "holding"});
  if (!fields.ok()) return fields.status();
  compliance::TransferQuestion q;
  q.at = today;
  for (const auto& [key, out] :
       {std::pair{"model", &q.model}, std::pair{"to", &q.to}, std::pair{"to_site", &q.to_site},
        std::pair{"to_org", &q.to_org}, std::pair{"from", &q.from},
        std::pair{"from_site", &q.from_site}, std::pair{"transfer", &q.transfer},
        std::pair{"end_user", &q.end_user}, std::pair{"end_user_hq", &q.end_user_hq},
        std::pair{"end_user_parent_hq", &q.end_user_parent_hq},
        std::pair{"holding", &q.holding}}) {
    const Result<std::optional<std::string>> value = fields->OptionalString(key);
    if (!value.ok()) return value.status();
    if (value->has_value()) *out = **value;
  }
  if (q.model.empty()) return FieldError("model", "is required");
  const Result<std::optional<int64_t>> units = fields->OptionalInt("units");
  if (!units.ok()) return units.status();
  if (units->has_value()) q.units = **units;
  const Result<std::optional<std::string>> at = fields->OptionalString("at");
  if (!at.ok()) return at.status();
  if (at->has_value()) {
    const Result<Date> parsed = Date::Parse(**at);
    if (!parsed.ok()) return FieldError("at", "'" + Excerpt(**at) + "' is not a date YYYY-MM-DD");
    q.at = *parsed;
  }
  for (const auto& [key, out] :
       {std::pair{"state_funded", &q.state_funded}, std::pair{"public_hub", &q.public_hub}}) {
    const Result<std::optional<bool>> flag = fields->OptionalBool(key);
    if (!flag.ok()) return flag.status();
    *out = flag->value_or(false);
  }
  const Result<std::optional<double>> pct = fields->OptionalNumber("project_completion_pct");
  if (!pct.ok()) return pct.status();
  q.project_completion_pct = *pct;
  return q;
}

// POST /v1/compliance/check-transfer {model, units?, to?, to_site?, to_org?, ...}
api::Response CheckTransfer(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<compliance::TransferQuestion> q =
      ReadQuestion(*body, Today(state));
  if (!q.ok()) return api::ErrorResponse(q.status());
  const FleetContext& ctx = state.fleet();
  const Result<compliance::TransferAnswer> a =
      compliance::AnswerTransfer(*q, *ctx.catalog, &ctx.inventory, *ctx.engine, BodyField);
  if (!a.ok()) return api::ErrorResponse(a.status());
  nlohmann::ordered_json answer = compliance::TransferAnswerJson(*q, *a);
  answer["line"] = compliance::TransferQuestionLine(*q, *a);
  return Report(answer);
}

}  // namespace

std::vector<RouteDef> ComplianceRoutes() {
  return {
      {{"GET", "/v1/compliance/check", kFleetCheckReaders}, &FleetCheck},
      {{"POST", "/v1/compliance/check-transfer", kFleetCheckReaders}, &CheckTransfer},
  };
}

}  // namespace gpufleet::service::v1
