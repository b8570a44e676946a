// The service's clock, for tests and demos that must cross an effective date without waiting
// for it: GET /v1/admin/clock says what time the service thinks it is, and POST
// /v1/admin/clock/advance moves a paused simulated clock (gpufleetd --sim-speed 0) forward and
// wakes the scheduler, which then acts at the new time (jobs past their duration end, and so
// on). On the wall clock, or a simulated clock that runs by itself, advancing is 409: time
// there is not the caller's to move.

#include <charconv>
#include <string>

#include "gpufleet/service/clock_advance.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

// Ten years: further than any rule calendar a test or demo crosses.
constexpr int64_t kMaxAdvanceMs = int64_t{3650} * 86'400'000;
// Stops on the way at most: each is a pass (with a fleet rebuild when the rules changed), and
// ten years of the shipped history hold far fewer dates.
constexpr size_t kMaxSteps = 1000;

// "90s", "15m", "36h", "2d" (or "500ms"): a positive whole number and one unit.
Result<int64_t> ParseDuration(std::string_view text) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t unit_ms = 0;
  if (unit == "ms") unit_ms = 1;
  if (unit == "s") unit_ms = 1000;
  if (unit == "m") unit_ms = 60'000;
  if (unit == "h") unit_ms = 3'600'000;
  if (unit == "d") unit_ms = 86'400'000;
  if (ec != std::errc() || end == text.data() || n < 1 || unit_ms == 0 ||
      n > kMaxAdvanceMs / unit_ms) {
    return FieldError("by", "'" + std::string(text) +
                                "' is not a duration of 1ms to 3650d (a whole number and one of "
                                "ms, s, m, h, d: \"90s\", \"36h\", \"2d\")");
  }
  return n * unit_ms;
}

nlohmann::json ClockJson(const ApiState& state) {
  const int64_t now = state.NowMs();
  const char* kind = state.context.paused_clock != nullptr ? "paused" : "running";
  return {{"now_ms", now}, {"now", IsoTime(now)}, {"clock", kind}};
}

// GET /v1/admin/clock
api::Response GetClock(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  return api::Response::Json(200, ClockJson(state));
}

// POST /v1/admin/clock/advance {"by": "36h"}
api::Response Advance(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return api::ErrorResponse(body.status());
  const Result<api::JsonObject> fields = api::JsonObject::Make(*body, {"by"});
  if (!fields.ok()) return api::ErrorResponse(fields.status());
  const Result<std::optional<std::string>> by = fields->OptionalString("by");
  if (!by.ok()) return api::ErrorResponse(by.status());
  if (!by->has_value()) return api::ErrorResponse(FieldError("by", "is required"));
  const Result<int64_t> ms = ParseDuration(**by);
  if (!ms.ok()) return api::ErrorResponse(ms.status());
  if (state.context.paused_clock == nullptr) {
    return api::ErrorResponse(Status::FailedPrecondition(
        "the clock is not a paused simulated clock (start gpufleetd with --sim-speed 0 to move "
        "time by hand)"));
  }
  // Stops at each instant the rules change on the way and at each grace period's end, and
  // runs a pass there (clock_advance.h), so that each acts at its own time and in order: a
  // ban then a licence quarantine then release, rather than cancel out.
  SimulatedClock& clock = *state.context.paused_clock;
  nlohmann::json steps = nlohmann::json::array();
  if (state.context.run_pass) {
    for (const int64_t stop :
         AdvanceClock(clock, state.context.inventory, state.context.run_pass, *ms, kMaxSteps)) {
      steps.push_back(IsoTime(stop));
    }
  } else {
    clock.Advance(*ms);
    state.Changed();
  }
  nlohmann::json reply = ClockJson(state);
  reply["advanced_ms"] = *ms;
  reply["stopped_at"] = std::move(steps);
  return api::Response::Json(200, reply);
}

}  // namespace

std::vector<RouteDef> ClockRoutes() {
  return {
      {{"GET", "/v1/admin/clock", kAdminOnly}, &GetClock},
      {{"POST", "/v1/admin/clock/advance", kAdminOnly}, &Advance},
  };
}

}  // namespace gpufleet::service::v1
