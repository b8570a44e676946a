#pragma once
// The PostgreSQL back end's job rows: the columns a job is read with, turning rows into
// JobRecords and TenantRecords, placements, and the event every job write appends. Private to
// postgres_store.cc.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "store/pg_connection.h"

namespace gpufleet::store {

#define GPUFLEET_PG_JOB_COLUMNS                                                                 \
  "id, tenant, name, priority, data_class, models, gpu_count, gpu_milli, replicas, cpu_milli, " \
  "memory_mib, duration_s, state, submitted_at_ms, started_at_ms, finished_at_ms, "             \
  "pending_reason, preempted_count, last_preemption_reason, idempotency_key, "                  \
  "draining_until_ms, draining_reason"

PgParam Sql(JobId id);
Result<JobRecord> RowToJob(const PgResult& q, int r);
Result<std::vector<JobRecord>> RowsToJobs(const PgResult& q);
Status LoadPlacements(PgConnection& conn, JobRecord& job);
// Placements of the running jobs among `jobs`.
Status LoadRunningPlacements(PgConnection& conn, std::vector<JobRecord>& jobs);
// The job with its placements; NotFound when absent.
Result<JobRecord> ReadJob(PgConnection& conn, JobId id);
// REQUIRES: in a transaction holding the write lock. The event's tenant is its job's.
Status AppendEvent(PgConnection& conn, int64_t at_ms, std::optional<JobId> job,
                   std::string_view kind, std::string_view detail);
Result<bool> TenantExists(PgConnection& conn, std::string_view tenant);
Status DeletePlacements(PgConnection& conn, JobId id);
TenantRecord RowToTenant(const PgResult& q, int r);

}  // namespace gpufleet::store
