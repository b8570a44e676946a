// /v1/jobs and /v1/placements: submitting, reading, listing, cancelling and completing jobs,
// and where running jobs are placed. A tenant token sees only its own tenant's jobs.

#include <algorithm>
#include <cmath>
#include <string>

#include "gpufleet/model/utf8.h"
#include "service/api_json.h"
#include "service/api_v1_routes.h"
#include "service/job_admission.h"

namespace gpufleet::service::v1 {
namespace {

constexpr int32_t kDefaultJobPage = 100;
// A well-formed submission the fleet can never run (job_admission.h).
constexpr int kUnprocessable = 422;
constexpr int32_t kWholeGpuMilli = 1000;
// A year: long enough for any real job, short enough that start + duration cannot overflow
// the scheduler's millisecond clock (a larger value once made a job finish as it started).
constexpr int64_t kMaxDurationS = 31'536'000;
// A fraction of a GPU is given in thousandths; anything finer is a client mistake.
constexpr double kMilliTolerance = 1e-6;

// gpus: a whole number 1..kMaxGpusPerReplica, or a fraction of one GPU in (0, 1) in steps of
// 0.001. Sets spec.gpu_count and spec.gpu_milli.
Status ParseGpus(double gpus, store::JobSpec& spec) {
  if (!std::isfinite(gpus) || gpus <= 0 || gpus > store::kMaxGpusPerReplica) {
    return FieldError("gpus", "expected a whole number of GPUs 1.." +
                                  std::to_string(store::kMaxGpusPerReplica) +
                                  " or a fraction of one GPU in (0, 1)");
  }
  if (gpus >= 1) {
    if (gpus != std::floor(gpus)) {
      return FieldError("gpus", "a job uses either whole GPUs or a fraction of one GPU, not " +
                                    nlohmann::json(gpus).dump());
    }
    spec.gpu_count = static_cast<int32_t>(gpus);
    spec.gpu_milli = kWholeGpuMilli;
    return Status::Ok();
  }
  const double milli = gpus * kWholeGpuMilli;
  const double rounded = std::round(milli);
  if (std::abs(milli - rounded) > kMilliTolerance || rounded < 1) {
    return FieldError("gpus", "a fraction of a GPU is given in steps of 0.001, not " +
                                  nlohmann::json(gpus).dump());
  }
  spec.gpu_count = 1;
  spec.gpu_milli = static_cast<int32_t>(rounded);
  return Status::Ok();
}

// [a-z][a-z0-9_-]*, the data class spelling of the rules (docs/compliance.md).
bool IsDataClass(std::string_view s) {
  if (s.empty() || s.size() > store::kMaxTextLength || s.front() < 'a' || s.front() > 'z') {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Result<int32_t> Int32Field(const api::JsonObject& fields, std::string_view key, int64_t lo,
                           int64_t hi, int32_t fallback) {
  const Result<std::optional<int64_t>> value = fields.OptionalInt(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return fallback;
  if (**value < lo || **value > hi) {
    return FieldError(key, std::to_string(**value) + " is outside " + std::to_string(lo) + ".." +
                               std::to_string(hi));
  }
  return static_cast<int32_t>(**value);
}

Result<int64_t> NonNegativeField(const api::JsonObject& fields, std::string_view key) {
  const Result<std::optional<int64_t>> value = fields.OptionalInt(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return int64_t{0};
  if (**value < 0) return FieldError(key, std::to_string(**value) + " is negative");
  return **value;
}

// The JobSpec a POST /v1/jobs body describes; whether it could ever run is checked apart.
Result<store::JobSpec> ParseJobSpec(const ApiState& state, const api::Request& request) {
  const Result<nlohmann::json> body = api::ParseJsonBody(request.body);
  if (!body.ok()) return body.status();
  const Result<api::JsonObject> fields =
      api::JsonObject::Make(*body, {"name", "gpus", "replicas", "models", "data_class", "priority",
                                    "cpu_milli", "memory_mib", "duration_s", "tenant"});
  if (!fields.ok()) return fields.status();
  store::JobSpec spec;

  const Result<std::optional<std::string>> tenant = fields->OptionalString("tenant");
  if (!tenant.ok()) return tenant.status();
  if (IsAdmin(request)) {
    if (!tenant->has_value()) {
      return Status::InvalidArgument(
          "missing required field 'tenant' (admin submits for a tenant)");
    }
    // Whether the tenant exists is the store's check (SubmitJob), made without a read for a
    // tenant it has seen.
    spec.tenant = **tenant;
  } else {
    spec.tenant = CallerTenant(request);
    if (tenant->has_value() && **tenant != spec.tenant) {
      return FieldError("tenant", "a tenant token submits as its own tenant '" + spec.tenant + "'");
    }
  }

  const Result<std::string> name = fields->String("name");
  if (!name.ok()) return name.status();
  spec.name = *name;
  const Result<double> gpus = fields->Number("gpus");
  if (!gpus.ok()) return gpus.status();
  GPUFLEET_RETURN_IF_ERROR(ParseGpus(*gpus, spec));
  const Result<int32_t> replicas = Int32Field(*fields, "replicas", 1, store::kMaxReplicas, 1);
  if (!replicas.ok()) return replicas.status();
  spec.replicas = *replicas;
  const Result<int32_t> priority = Int32Field(*fields, "priority", INT32_MIN, INT32_MAX, 0);
  if (!priority.ok()) return priority.status();
  spec.priority = *priority;
  for (const auto& [key, out] :
       {std::pair{"cpu_milli", &spec.cpu_milli}, std::pair{"memory_mib", &spec.memory_mib}}) {
    const Result<int64_t> value = NonNegativeField(*fields, key);
    if (!value.ok()) return value.status();
    *out = *value;
  }
  // Omitted or null: the job runs until completed through the API (stored as 0). A given
  // run time is at least a second and at most a year.
  const Result<std::optional<int64_t>> duration = fields->OptionalInt("duration_s");
  if (!duration.ok()) return duration.status();
  if (duration->has_value()) {
    if (**duration < 1 || **duration > kMaxDurationS) {
      return FieldError("duration_s", std::to_string(**duration) + " is outside 1.." +
                                          std::to_string(kMaxDurationS) +
                                          " (omit it: runs until completed)");
    }
    spec.duration_s = **duration;
  }

  const Result<std::optional<std::string>> data_class = fields->OptionalString("data_class");
  if (!data_class.ok()) return data_class.status();
  spec.data_class = data_class->value_or("");
  if (spec.data_class.empty()) spec.data_class = std::string(kNoDataClass);
  if (!IsDataClass(spec.data_class)) {
    return FieldError("data_class",
                      "'" + Excerpt(spec.data_class) + "' is not a data class ([a-z][a-z0-9_-]*)");
  }

  if (fields->Has("models")) {
    const Result<std::vector<std::string>> models = fields->StringList("models");
    if (!models.ok()) return models.status();
    for (const std::string& m : *models) {
      const catalog::AcceleratorSpec* chip = state.fleet().catalog->Find(m);
      if (chip == nullptr)
        return FieldError("models", "'" + Excerpt(m) + "' is not in the catalog");
      if (std::find(spec.models.begin(), spec.models.end(), chip->id) != spec.models.end()) {
        return FieldError("models", "'" + chip->id + "' listed twice");
      }
      spec.models.push_back(chip->id);
    }
  }

  if (const std::optional<std::string_view> key = request.Header("Idempotency-Key")) {
    if (key->empty() || key->size() > store::kMaxTextLength) {
      return Status::InvalidArgument("header 'Idempotency-Key': expected 1.." +
                                     std::to_string(store::kMaxTextLength) + " characters");
    }
    spec.idempotency_key = std::string(*key);
  }
  spec.submitted_at_ms = state.NowMs();
  return spec;
}

// A job priority above its tenant's cap (TenantRecord::max_job_priority) is refused.
Status CheckPriorityCap(const store::JobSpec& spec, const store::TenantRecord& tenant) {
  if (spec.priority > tenant.max_job_priority) {
    return FieldError("priority", std::to_string(spec.priority) + " is above max_job_priority " +
                                      std::to_string(tenant.max_job_priority) + " of tenant '" +
                                      spec.tenant + "'");
  }
  return Status::Ok();
}

// Whether a stored job is what `spec` asks for, apart from when it was asked.
bool SameRequest(const store::JobSpec& stored, store::JobSpec spec) {
  spec.submitted_at_ms = stored.submitted_at_ms;
  return stored == spec;
}

api::Response SubmitJob(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<store::JobSpec> spec = ParseJobSpec(state, request);
  if (!spec.ok()) return api::ErrorResponse(spec.status());
  // An unknown tenant is left to SubmitJob, which says so in the store's words.
  const Result<store::TenantRecord> tenant = state.store().GetTenant(spec->tenant);
  if (!tenant.ok() && tenant.status().code() != Status::Code::kNotFound) {
    return api::ErrorResponse(tenant.status());
  }
  if (tenant.ok()) {
    if (Status s = CheckPriorityCap(*spec, *tenant); !s.ok()) return api::ErrorResponse(s);
  }
  if (Status s = CheckCanEverRun(state, *spec, tenant.ok() ? &*tenant : nullptr); !s.ok()) {
    return api::ErrorResponse(kUnprocessable, "unschedulable", s.message());
  }
  const Result<store::JobRecord> job = state.store().SubmitJob(*spec);
  if (!job.ok()) return api::ErrorResponse(job.status());
  // An idempotent repeat returns the job stored the first time, whose spec (at least its
  // submission time) differs from this request's. A key reused for another job is the client's
  // mistake: answering with the first job would silently drop the second.
  const bool repeat = spec->idempotency_key.has_value() && job->spec != *spec;
  if (repeat && !SameRequest(job->spec, *spec)) {
    return api::ErrorResponse(Status::AlreadyExists(
        "header 'Idempotency-Key': '" + Excerpt(*spec->idempotency_key) + "' was used for job " +
        std::to_string(job->id.value()) + " with a different body"));
  }
  if (!repeat) state.Changed();
  return api::Response::Json(repeat ? 200 : 201, JobJson(*job, state.fleet()));
}

api::Response GetJob(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<JobId> id = JobIdParam(request);
  if (!id.ok()) return api::ErrorResponse(id.status());
  const Result<store::JobRecord> job = VisibleJob(state, request, *id);
  if (!job.ok()) return api::ErrorResponse(job.status());
  return api::Response::Json(200, JobJson(*job, state.fleet()));
}

api::Response ListJobs(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"tenant", "state", "after", "limit"}); !s.ok()) {
    return api::ErrorResponse(s);
  }
  store::JobFilter filter;
  const Result<int32_t> limit = LimitParam(request, kDefaultJobPage);
  if (!limit.ok()) return api::ErrorResponse(limit.status());
  filter.limit = *limit;
  const Result<std::optional<uint64_t>> after = OptionalIdParam(request, "after");
  if (!after.ok()) return api::ErrorResponse(after.status());
  filter.after = JobId(after->value_or(0));
  if (const std::optional<std::string_view> state_name = request.Query("state")) {
    const Result<store::JobState> job_state = store::ParseJobState(*state_name);
    if (!job_state.ok()) {
      return api::ErrorResponse(
          Status::InvalidArgument("query parameter 'state': '" + Excerpt(*state_name) +
                                  "' is not one of pending, running, completed, cancelled"));
    }
    filter.state = *job_state;
  }
  const Result<std::optional<std::string>> tenant = ScopeTenant(state, request);
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  filter.tenant = *tenant;

  const Result<store::JobPage> page = state.store().ListJobs(filter);
  if (!page.ok()) return api::ErrorResponse(page.status());
  nlohmann::json jobs = nlohmann::json::array();
  for (const store::JobRecord& job : page->jobs) jobs.push_back(JobJson(job, state.fleet()));
  nlohmann::json next = nullptr;
  if (page->next) next = page->next->value();
  return api::Response::Json(200, {{"jobs", std::move(jobs)}, {"next", std::move(next)}});
}

// Cancel and complete: the caller must see the job first, so another tenant's job is 404.
template <Result<store::JobRecord> (store::Store::*Finish)(JobId, int64_t)>
api::Response FinishJob(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  if (Status s = CheckEmptyBody(request); !s.ok()) return api::ErrorResponse(s);
  const Result<JobId> id = JobIdParam(request);
  if (!id.ok()) return api::ErrorResponse(id.status());
  const Result<store::JobRecord> visible = VisibleJob(state, request, *id);
  if (!visible.ok()) return api::ErrorResponse(visible.status());
  const Result<store::JobRecord> job = (state.store().*Finish)(*id, state.NowMs());
  if (!job.ok()) return api::ErrorResponse(job.status());
  state.Changed();
  return api::Response::Json(200, JobJson(*job, state.fleet()));
}

api::Response ListPlacements(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"tenant"}); !s.ok()) return api::ErrorResponse(s);
  const Result<std::optional<std::string>> tenant = ScopeTenant(state, request);
  if (!tenant.ok()) return api::ErrorResponse(tenant.status());
  const Result<std::vector<store::JobRecord>> active = state.store().LoadActive();
  if (!active.ok()) return api::ErrorResponse(active.status());
  nlohmann::json placements = nlohmann::json::array();
  for (const store::JobRecord& job : *active) {
    if (job.state != store::JobState::kRunning) continue;
    if (*tenant && job.spec.tenant != **tenant) continue;
    for (const store::Placement& p : job.placements) {
      nlohmann::json entry = PlacementJson(p, state.fleet());
      entry["job"] = job.id.value();
      entry["tenant"] = job.spec.tenant;
      placements.push_back(std::move(entry));
    }
  }
  return api::Response::Json(200, {{"placements", std::move(placements)}});
}

}  // namespace

std::vector<RouteDef> JobRoutes() {
  return {
      {{"POST", "/v1/jobs", kJobWriters}, &SubmitJob},
      {{"GET", "/v1/jobs", kTenantReaders}, &ListJobs},
      {{"GET", "/v1/jobs/{id}", kTenantReaders}, &GetJob},
      {{"POST", "/v1/jobs/{id}/cancel", kJobWriters}, &FinishJob<&store::Store::CancelJob>},
      {{"POST", "/v1/jobs/{id}/complete", kJobWriters}, &FinishJob<&store::Store::CompleteJob>},
      {{"GET", "/v1/placements", kTenantReaders}, &ListPlacements},
  };
}

}  // namespace gpufleet::service::v1
