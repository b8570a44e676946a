// Rule changes scheduled while the service runs (docs/compliance.md, "Rules that change while
// the fleet runs"): POST /v1/rules/changes schedules a change file to take effect at an
// instant (or, with dry_run, reports its impact on the living inventory and the jobs running
// now without scheduling anything), GET lists them with their state, DELETE withdraws a
// pending one. Each schedule and withdrawal is an entry of the ledger; the scheduler obeys the
// rules in force at each instant (FleetRebuilder).

#include <cstdio>
#include <string>

#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {
constexpr int64_t kMsPerDay = 86'400'000;
}  // namespace

nlohmann::json RuleChangeJson(const RuleChangeView& v) {
  return {{"id", v.change.id},
          {"name", v.change.name},
          {"effective_ms", v.change.effective_ms},
          {"effective", IsoTime(v.change.effective_ms)},
          {"scheduled", IsoTime(v.change.scheduled_ms)},
          {"actor", v.change.actor},
          {"state", v.state},
          {"entry", v.index},
          {"change", v.change.yaml}};
}

Result<int64_t> ParseInstant(const std::string& text) {
  if (text.size() == 10) {
    const Result<Date> d = Date::Parse(text);
    if (d.ok()) return static_cast<int64_t>(d->days()) * kMsPerDay;
  } else if (text.size() == 20 && text[10] == 'T' && text[19] == 'Z') {
    const Result<Date> d = Date::Parse(text.substr(0, 10));
    int h = 0, m = 0, s = 0;
    if (d.ok() && std::sscanf(text.c_str() + 11, "%2d:%2d:%2d", &h, &m, &s) == 3 && h < 24 &&
        m < 60 && s < 60 && text[13] == ':' && text[16] == ':') {
      return static_cast<int64_t>(d->days()) * kMsPerDay + ((h * 60 + m) * 60 + s) * 1000;
    }
  }
  return FieldError("effective_at",
                    "'" + Excerpt(text) + "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
}

namespace {

// POST /v1/rules/changes {change, name?, effective_at?, dry_run?}
api::Response Schedule(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields =
      api::JsonObject::Make(*body, {"change", "name", "effective_at", "dry_run"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<ChangeFields> change = ReadChangeFields(*fields);
  if (!change.ok()) return api::ErrorResponse(change.status());
  const Result<std::optional<std::string>> at = fields->OptionalString("effective_at");
  if (!at.ok()) return api::ErrorResponse(at.status());
  int64_t effective_ms = state.NowMs();
  if (at->has_value()) {
    const Result<int64_t> parsed = ParseInstant(**at);
    if (!parsed.ok()) return api::ErrorResponse(parsed.status());
    effective_ms = *parsed;
  }
  const Result<std::optional<bool>> dry_run = fields->OptionalBool("dry_run");
  if (!dry_run.ok()) return api::ErrorResponse(dry_run.status());
  if (dry_run->value_or(false)) {
    return ImpactAt(state, change->text, change->name, effective_ms);
  }
  Result<RuleChangeView> view = state.context.inventory->ScheduleRuleChange(
      change->text, change->name, effective_ms, request.principal->token_id);
  if (!view.ok()) return api::ErrorResponse(view.status());
  state.Changed();
  return api::Response::Json(201, RuleChangeJson(*view));
}

// GET /v1/rules/changes
api::Response List(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  nlohmann::json changes = nlohmann::json::array();
  for (const RuleChangeView& v : state.context.inventory->RuleChanges()) {
    changes.push_back(RuleChangeJson(v));
  }
  return api::Response::Json(200, {{"changes", std::move(changes)}});
}

// DELETE /v1/rules/changes/{id}
api::Response Withdraw(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  Result<RuleChangeView> view = state.context.inventory->WithdrawRuleChange(
      std::string(request.PathParam("id").value_or("")), request.principal->token_id);
  if (!view.ok()) return api::ErrorResponse(view.status());
  state.Changed();
  return api::Response::Json(200, RuleChangeJson(*view));
}

}  // namespace

std::vector<RouteDef> RuleChangeRoutes() {
  return {
      {{"POST", "/v1/rules/changes", kAdminOnly}, &Schedule},
      {{"GET", "/v1/rules/changes", kFleetCheckReaders}, &List},
      {{"DELETE", "/v1/rules/changes/{id}", kAdminOnly}, &Withdraw},
  };
}

}  // namespace gpufleet::service::v1
