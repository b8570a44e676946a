// GET /v1/events: the event log (submissions, starts, preemptions, ends), oldest first. A
// tenant token sees only its own jobs' events, never the fleet's own (epochs).

#include <string>

#include "service/api_json.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

constexpr int32_t kDefaultEventPage = 100;

api::Response ListEvents(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"after", "limit", "job", "tenant"}); !s.ok()) {
    return api::ErrorResponse(s);
  }
  store::EventFilter filter;
  const Result<int32_t> limit = LimitParam(request, kDefaultEventPage);
  if (!limit.ok()) return api::ErrorResponse(limit.status());
  filter.limit = *limit;
  const Result<std::optional<uint64_t>> after = OptionalIdParam(request, "after");
  if (!after.ok()) return api::ErrorResponse(after.status());
  if (after->value_or(0) > static_cast<uint64_t>(INT64_MAX)) {
    return api::ErrorResponse(
        Status::InvalidArgument("after '" + std::to_string(**after) + "' is out of range"));
  }
  filter.after_id = static_cast<int64_t>(after->value_or(0));
  const Result<std::optional<std::string>> tenant = ScopeTenant(state, request);
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  filter.tenant = *tenant;
  const Result<std::optional<uint64_t>> job = OptionalIdParam(request, "job");
  if (!job.ok()) return api::ErrorResponse(job.status());
  if (job->has_value()) {
    // The job must be one the caller may see: another tenant's job is 404, as on /v1/jobs.
    const Result<store::JobRecord> visible = VisibleJob(state, request, JobId(**job));
    if (!visible.ok()) return api::ErrorResponse(visible.status());
    filter.job = JobId(**job);
  }

  const Result<std::vector<store::EventRecord>> events = state.store().ListEvents(filter);
  if (!events.ok()) return api::ErrorResponse(events.status());
  nlohmann::json out = nlohmann::json::array();
  for (const store::EventRecord& e : *events) out.push_back(EventJson(e));
  // A full page may have more behind it; the client asks again from the last id.
  nlohmann::json next = nullptr;
  if (!events->empty() && events->size() == static_cast<size_t>(filter.limit)) {
    next = events->back().id;
  }
  return api::Response::Json(200, {{"events", std::move(out)}, {"next", std::move(next)}});
}

}  // namespace

std::vector<RouteDef> EventRoutes() {
  return {{{"GET", "/v1/events", kTenantReaders}, &ListEvents}};
}

}  // namespace gpufleet::service::v1
