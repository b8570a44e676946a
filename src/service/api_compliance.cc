// Compliance over the living state: GET /v1/compliance/check runs the fleet check on the
// inventory the service holds now, judged on a date (default: the service clock's day), and
// answers in the format `gpufleet check --json` prints (compliance/report_json.h), so
// `gpufleet check` without --fleet shows the same report for the service as for a file.

#include <string>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/report_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// In the report's own key order (what `gpufleet check --json` prints for a file).
api::Response Report(const nlohmann::ordered_json& report) {
  return api::Response::Text(200, report.dump(), "application/json");
}

// GET /v1/compliance/check?at=YYYY-MM-DD
api::Response FleetCheck(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"at"}); !s.ok()) return api::ErrorResponse(s);
  Date at = Date::FromDays(static_cast<int32_t>(state.NowMs() / kMsPerDay));
  if (auto it = request.query_params.find("at"); it != request.query_params.end()) {
    const Result<Date> parsed = Date::Parse(it->second);
    if (!parsed.ok()) {
      return api::ErrorResponse(FieldError("at", "'" + it->second + "' is not a date YYYY-MM-DD"));
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

}  // namespace

std::vector<RouteDef> ComplianceRoutes() {
  return {
      {{"GET", "/v1/compliance/check", kFleetCheckReaders}, &FleetCheck},
  };
}

}  // namespace gpufleet::service::v1
