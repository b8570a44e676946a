// Reading and writing job rows on PostgreSQL (postgres_job_rows.h).

#include "store/postgres_job_rows.h"

#include <string>
#include <unordered_map>
#include <utility>

#include "store/assign_or_return.h"
#include "store/validation.h"

namespace gpufleet::store {
namespace {

constexpr const char kSelectJob[] = "SELECT " GPUFLEET_PG_JOB_COLUMNS " FROM jobs WHERE id = $1";
constexpr const char kSelectPlacements[] =
    "SELECT replica, node, gpu_mask, epoch FROM placements WHERE job_id = $1 ORDER BY replica";
constexpr const char kSelectPlacementsOf[] =
    "SELECT job_id, replica, node, gpu_mask, epoch FROM placements "
    "WHERE job_id = ANY($1::bigint[]) ORDER BY job_id, replica";

}  // namespace

PgParam Sql(JobId id) { return PgInt(static_cast<int64_t>(id.value())); }

Result<JobRecord> RowToJob(const PgResult& q, int r) {
  JobRecord j;
  j.id = JobId(static_cast<uint64_t>(q.Int(r, 0)));
  j.spec.tenant = q.Text(r, 1);
  j.spec.name = q.Text(r, 2);
  j.spec.priority = static_cast<int32_t>(q.Int(r, 3));
  j.spec.data_class = q.Text(r, 4);
  j.spec.models = SplitModels(q.Text(r, 5));
  j.spec.gpu_count = static_cast<int32_t>(q.Int(r, 6));
  j.spec.gpu_milli = static_cast<int32_t>(q.Int(r, 7));
  j.spec.replicas = static_cast<int32_t>(q.Int(r, 8));
  j.spec.cpu_milli = q.Int(r, 9);
  j.spec.memory_mib = q.Int(r, 10);
  j.spec.duration_s = q.Int(r, 11);
  Result<JobState> state = ParseJobState(q.Text(r, 12));
  if (!state.ok()) {
    return Status::Corruption("store: job " + std::to_string(j.id.value()) + ": " +
                              state.status().message());
  }
  j.state = *state;
  j.spec.submitted_at_ms = q.Int(r, 13);
  j.started_at_ms = q.Int(r, 14);
  j.finished_at_ms = q.Int(r, 15);
  j.pending_reason = q.Text(r, 16);
  j.preempted_count = static_cast<int32_t>(q.Int(r, 17));
  j.last_preemption_reason = q.Text(r, 18);
  if (!q.IsNull(r, 19)) j.spec.idempotency_key = q.Text(r, 19);
  j.draining_until_ms = q.Int(r, 20);
  j.draining_reason = q.Text(r, 21);
  return j;
}

Result<std::vector<JobRecord>> RowsToJobs(const PgResult& q) {
  std::vector<JobRecord> out;
  out.reserve(static_cast<size_t>(q.Rows()));
  for (int r = 0; r < q.Rows(); ++r) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(JobRecord job, RowToJob(q, r));
    out.push_back(std::move(job));
  }
  return out;
}

Status LoadPlacements(PgConnection& conn, JobRecord& job) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult q, conn.Query(kSelectPlacements, {Sql(job.id)}));
  for (int r = 0; r < q.Rows(); ++r) {
    job.placements.push_back({.replica = static_cast<int32_t>(q.Int(r, 0)),
                              .node = q.Text(r, 1),
                              .gpu_mask = static_cast<uint64_t>(q.Int(r, 2)),
                              .epoch = q.Int(r, 3)});
  }
  return Status::Ok();
}

// Placements of the running jobs among `jobs`, in one query (a query per job cost the dry
// run of a rule change about 40 µs per running job: 4 s for 100,000).
Status LoadRunningPlacements(PgConnection& conn, std::vector<JobRecord>& jobs) {
  std::unordered_map<uint64_t, JobRecord*> running;
  std::string ids = "{";
  for (JobRecord& job : jobs) {
    if (job.state != JobState::kRunning) continue;
    running.emplace(job.id.value(), &job);
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(job.id.value());
  }
  if (running.empty()) return Status::Ok();
  ids += '}';
  GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult q, conn.Query(kSelectPlacementsOf, {PgText(ids)}));
  for (int r = 0; r < q.Rows(); ++r) {
    const auto it = running.find(static_cast<uint64_t>(q.Int(r, 0)));
    if (it == running.end()) continue;
    it->second->placements.push_back({.replica = static_cast<int32_t>(q.Int(r, 1)),
                                      .node = q.Text(r, 2),
                                      .gpu_mask = static_cast<uint64_t>(q.Int(r, 3)),
                                      .epoch = q.Int(r, 4)});
  }
  return Status::Ok();
}

// The job with its placements; NotFound when absent.
Result<JobRecord> ReadJob(PgConnection& conn, JobId id) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult q, conn.Query(kSelectJob, {Sql(id)}));
  if (q.Rows() == 0) return Status::NotFound("job " + std::to_string(id.value()) + " not found");
  GPUFLEET_STORE_ASSIGN_OR_RETURN(JobRecord job, RowToJob(q, 0));
  GPUFLEET_RETURN_IF_ERROR(LoadPlacements(conn, job));
  return job;
}

// REQUIRES: in a transaction holding the write lock. The event's tenant is its job's.
Status AppendEvent(PgConnection& conn, int64_t at_ms, std::optional<JobId> job,
                   std::string_view kind, std::string_view detail) {
  return conn
      .Query(
          "INSERT INTO events (at_ms, job_id, tenant, kind, detail) VALUES ($1, $2, "
          "COALESCE((SELECT tenant FROM jobs WHERE id = $2), ''), $3, $4)",
          {PgInt(at_ms), job.has_value() ? Sql(*job) : PgParam(), PgText(kind), PgText(detail)})
      .status();
}

Result<bool> TenantExists(PgConnection& conn, std::string_view tenant) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT 1 FROM tenants WHERE id = $1", {PgText(tenant)}));
  return q.Rows() > 0;
}

Status DeletePlacements(PgConnection& conn, JobId id) {
  return conn.Query("DELETE FROM placements WHERE job_id = $1", {Sql(id)}).status();
}

TenantRecord RowToTenant(const PgResult& q, int r) {
  return {.id = q.Text(r, 0),
          .name = q.Text(r, 1),
          .org = q.Text(r, 2),
          .external = q.Int(r, 3) != 0,
          .priority = static_cast<int32_t>(q.Int(r, 4)),
          .max_job_priority = static_cast<int32_t>(q.Int(r, 6)),
          .created_at_ms = q.Int(r, 5)};
}

}  // namespace gpufleet::store
