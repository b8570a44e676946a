#include "store/sqlite_job_writes.h"

#include <string>
#include <utility>

#include "store/validation.h"

namespace gpufleet::store {
namespace {

// Runs an UPDATE of one job ending in "RETURNING tenant": the job's tenant, or nullopt when
// the WHERE clause matched no row.
Result<std::optional<std::string>> UpdateReturningTenant(Statement& q) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
  if (!row) return std::optional<std::string>();
  std::string tenant = q.Text(0);
  GPUFLEET_RETURN_IF_ERROR(q.Run());
  return std::optional<std::string>(std::move(tenant));
}

}  // namespace

Result<JobId> InsertJob(SqliteConnection& conn, const JobSpec& spec) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("INSERT INTO jobs (tenant, name, priority, data_class, models, "
                                "gpu_count, gpu_milli, replicas, cpu_milli, memory_mib, "
                                "duration_s, state, submitted_at_ms, idempotency_key) VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', ?12, "
                                "?13)"));
  q.Bind(1, spec.tenant)
      .Bind(2, spec.name)
      .Bind(3, spec.priority)
      .Bind(4, spec.data_class)
      .Bind(5, JoinModels(spec.models))
      .Bind(6, spec.gpu_count)
      .Bind(7, spec.gpu_milli)
      .Bind(8, spec.replicas)
      .Bind(9, spec.cpu_milli)
      .Bind(10, spec.memory_mib)
      .Bind(11, spec.duration_s)
      .Bind(12, spec.submitted_at_ms);
  if (spec.idempotency_key.has_value()) q.Bind(13, *spec.idempotency_key);
  GPUFLEET_RETURN_IF_ERROR(q.Run());
  return JobId(static_cast<uint64_t>(conn.LastInsertRowid()));
}

Status AppendEvent(SqliteConnection& conn, int64_t at_ms, std::optional<JobId> job,
                   std::string_view tenant, std::string_view kind, std::string_view detail) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("INSERT INTO events (at_ms, job_id, tenant, kind, detail) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)"));
  q.Bind(1, at_ms);
  if (job.has_value()) {
    q.Bind(2, Sql(*job));
  } else {
    q.BindNull(2);
  }
  return q.Bind(3, tenant).Bind(4, kind).Bind(5, detail).Run();
}

Status DeletePlacements(SqliteConnection& conn, JobId id) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                  conn.Prepare("DELETE FROM placements WHERE job_id = ?1"));
  return q.Bind(1, Sql(id)).Run();
}

Result<bool> Transition(SqliteConnection& conn, JobId id, JobState from, JobState to, int64_t at_ms,
                        std::string_view kind) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                  conn.Prepare("UPDATE jobs SET state = ?1, finished_at_ms = ?2 "
                                               "WHERE id = ?3 AND state = ?4 RETURNING tenant"));
  q.Bind(1, JobStateName(to)).Bind(2, at_ms).Bind(3, Sql(id)).Bind(4, JobStateName(from));
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const std::optional<std::string> tenant,
                                  UpdateReturningTenant(q));
  if (!tenant.has_value()) return false;
  GPUFLEET_RETURN_IF_ERROR(DeletePlacements(conn, id));
  GPUFLEET_RETURN_IF_ERROR(AppendEvent(conn, at_ms, id, *tenant, kind, ""));
  return true;
}

Result<bool> Preempt(SqliteConnection& conn, const Schedule::Preemption& p) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("UPDATE jobs SET state = 'pending', preempted_count = "
                                "preempted_count + 1, last_preemption_reason = ?1, "
                                "draining_until_ms = 0, draining_reason = '' "
                                "WHERE id = ?2 AND state = 'running' RETURNING tenant"));
  q.Bind(1, p.reason).Bind(2, Sql(p.job));
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const std::optional<std::string> tenant,
                                  UpdateReturningTenant(q));
  if (!tenant.has_value()) return false;
  GPUFLEET_RETURN_IF_ERROR(DeletePlacements(conn, p.job));
  GPUFLEET_RETURN_IF_ERROR(AppendEvent(conn, p.at_ms, p.job, *tenant, "preempted", p.reason));
  return true;
}

Result<bool> Drain(SqliteConnection& conn, const Schedule::Drain& d) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("UPDATE jobs SET draining_until_ms = ?1, draining_reason = ?2 "
                                "WHERE id = ?3 AND state = 'running' RETURNING tenant"));
  q.Bind(1, d.until_ms).Bind(2, d.reason).Bind(3, Sql(d.job));
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const std::optional<std::string> tenant,
                                  UpdateReturningTenant(q));
  if (!tenant.has_value()) return false;
  GPUFLEET_RETURN_IF_ERROR(AppendEvent(conn, d.at_ms, d.job, *tenant,
                                       d.until_ms > 0 ? "draining" : "undrained", d.reason));
  return true;
}

Result<bool> StartJob(SqliteConnection& conn, const Schedule::Start& start, int64_t epoch) {
  int64_t replicas = 0;
  std::string tenant;
  {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                    conn.Prepare("SELECT replicas, tenant FROM jobs "
                                                 "WHERE id = ?1 AND state = 'pending'"));
    q.Bind(1, Sql(start.job));
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return false;
    replicas = q.Int(0);
    tenant = q.Text(1);
  }
  GPUFLEET_RETURN_IF_ERROR(ValidateStartReplicas(start, replicas));
  std::string nodes;
  for (const Placement& p : start.placements) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q, conn.Prepare("INSERT INTO placements (job_id, replica, node, gpu_mask, epoch) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5)"));
    GPUFLEET_RETURN_IF_ERROR(q.Bind(1, Sql(start.job))
                                 .Bind(2, p.replica)
                                 .Bind(3, p.node)
                                 .Bind(4, static_cast<int64_t>(p.gpu_mask))
                                 .Bind(5, epoch)
                                 .Run());
    if (!nodes.empty()) nodes += ' ';
    nodes += p.node;
  }
  {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q, conn.Prepare("UPDATE jobs SET state = 'running', started_at_ms = ?1, "
                                  "pending_reason = '', draining_until_ms = 0, "
                                  "draining_reason = '' WHERE id = ?2"));
    GPUFLEET_RETURN_IF_ERROR(q.Bind(1, start.started_at_ms).Bind(2, Sql(start.job)).Run());
  }
  GPUFLEET_RETURN_IF_ERROR(
      AppendEvent(conn, start.started_at_ms, start.job, tenant, "started", nodes));
  return true;
}

// An event only when the reason changed, so a job waiting through many passes for the
// same reason does not flood the log.
Result<bool> SetPendingReason(SqliteConnection& conn, const Schedule::PendingReason& p) {
  std::string tenant;
  {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                    conn.Prepare("SELECT pending_reason, tenant FROM jobs "
                                                 "WHERE id = ?1 AND state = 'pending'"));
    q.Bind(1, Sql(p.job));
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return false;
    if (q.Text(0) == p.reason) return true;
    tenant = q.Text(1);
  }
  {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q, conn.Prepare("UPDATE jobs SET pending_reason = ?1 WHERE id = ?2"));
    GPUFLEET_RETURN_IF_ERROR(q.Bind(1, p.reason).Bind(2, Sql(p.job)).Run());
  }
  GPUFLEET_RETURN_IF_ERROR(AppendEvent(conn, p.at_ms, p.job, tenant, "pending", p.reason));
  return true;
}

}  // namespace gpufleet::store
