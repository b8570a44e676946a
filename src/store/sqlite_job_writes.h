#pragma once
// The SQLite back end's writes of one job's state: the steps of ApplySchedule (a finish, a
// preemption, a start, a pending reason), the API's cancel and complete, and the event each
// appends. Each returns false, writing nothing, when the job is no longer in the state the
// decision assumed. Private to the SQLite back end.
// REQUIRES (all): `conn` is the writer, inside a write transaction.

#include <cstdint>
#include <optional>
#include <string_view>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "store/sqlite_connection.h"

namespace gpufleet::store {

inline int64_t Sql(JobId id) { return static_cast<int64_t>(id.value()); }

// Inserts a new pending job (SubmitJob's row; its event is the caller's) and returns its id.
Result<JobId> InsertJob(SqliteConnection& conn, const JobSpec& spec);
// Appends an event; `tenant` is the job's ("" for an event about no job): the caller has it at
// hand, which spares a lookup per event.
Status AppendEvent(SqliteConnection& conn, int64_t at_ms, std::optional<JobId> job,
                   std::string_view tenant, std::string_view kind, std::string_view detail);
Status DeletePlacements(SqliteConnection& conn, JobId id);

// Moves job `id` from `from` to `to` (completed or cancelled), freeing its placements, with an
// event of `kind`.
Result<bool> Transition(SqliteConnection& conn, JobId id, JobState from, JobState to, int64_t at_ms,
                        std::string_view kind);
Result<bool> Preempt(SqliteConnection& conn, const Schedule::Preemption& p);
// Starts or stops a running job's draining: false when the job is not running.
Result<bool> Drain(SqliteConnection& conn, const Schedule::Drain& d);
// InvalidArgument for placements that do not match the job's replicas.
Result<bool> StartJob(SqliteConnection& conn, const Schedule::Start& start, int64_t epoch);
// Writes (and logs) the reason only when it changed.
Result<bool> SetPendingReason(SqliteConnection& conn, const Schedule::PendingReason& p);

}  // namespace gpufleet::store
