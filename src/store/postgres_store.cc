// The PostgreSQL back end of Store: the same contract as the SQLite store (sqlite_store.cc is
// the reference), for several processes sharing one database.
//
// Connections: a pool of up to kMaxConnections sessions shared by every method, plus one
// dedicated session per Store that holds the leadership lock. Reads that need one snapshot
// run in a REPEATABLE READ READ ONLY transaction.
//
// Writes that append events first take a transaction-scoped advisory lock (the write lock),
// so they commit one at a time, in the order they took their ids. Without it a reader
// following the event log by id (ListEvents after_id) could pass an id whose transaction
// commits later and never see that event; and every row lock is taken after it, so these
// writers cannot deadlock each other. It is the same one-writer-at-a-time rule as SQLite's,
// across processes.
//
// Group commit: as in the SQLite store, SubmitJob validates, queues the spec and waits; the
// committer thread inserts everything queued (up to max_batch) in one transaction and only
// then answers, so no caller hears OK before its row is committed (synchronous_commit = on).

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "gpufleet/store/store.h"
#include "store/known_tenants.h"
#include "store/observed_rows.h"
#include "store/pg_connection.h"
#include "store/pg_pool.h"
#include "store/postgres_inventory.h"
#include "store/postgres_job_rows.h"
#include "store/postgres_migrations.h"
#include "store/postgres_tokens.h"
#include "store/validation.h"

namespace gpufleet::store {
namespace {

// Enough for the committer, a scheduler and a handful of API threads; more sessions would
// only queue on the write lock.
constexpr int kMaxConnections = 8;

constexpr const char kBeginRead[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
constexpr const char kBeginWrite[] =
    "BEGIN; SELECT pg_advisory_xact_lock(" GPUFLEET_PG_WRITE_LOCK ")";
constexpr const char kBeginPlain[] = "BEGIN";

constexpr const char kSelectJobPage[] =
    "SELECT " GPUFLEET_PG_JOB_COLUMNS
    " FROM jobs WHERE id > $1"
    " AND ($2::text IS NULL OR tenant = $2)"
    " AND ($3::text IS NULL OR state = $3) ORDER BY id LIMIT $4";
constexpr const char kSelectActive[] = "SELECT " GPUFLEET_PG_JOB_COLUMNS
                                       " FROM jobs WHERE state IN ('pending', 'running')"
                                       " ORDER BY id";
// Jobs with an event an API call writes (Store::LoadActiveChanges) after event $1.
constexpr const char kSelectChanged[] =
    "SELECT " GPUFLEET_PG_JOB_COLUMNS
    " FROM jobs WHERE id IN (SELECT job_id FROM events"
    " WHERE id > $1 AND kind IN ('submitted', 'cancelled', 'completed')) ORDER BY id";
// One statement per submission: the job and its "submitted" event. With a key already used
// by the tenant it inserts nothing and returns no row.
constexpr const char kInsertJob[] =
    "WITH j AS (INSERT INTO jobs (tenant, name, priority, data_class, models, gpu_count, "
    "gpu_milli, replicas, cpu_milli, memory_mib, duration_s, state, submitted_at_ms, "
    "idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13) "
    "ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
    "RETURNING id, tenant, submitted_at_ms, name) "
    "INSERT INTO events (at_ms, job_id, tenant, kind, detail) "
    "SELECT submitted_at_ms, id, tenant, 'submitted', name FROM j RETURNING job_id";
// A schedule's preemptions in one statement (a rule change can preempt thousands of jobs in
// a pass; one statement per job cost ~0.25 ms each): $1 job ids, $2 reasons, $3 times, as
// arrays, each job at most once. Those still running go back to pending with their reasons,
// lose their placements and get their events, in the arrays' order; their ids come back.
constexpr const char kPreemptJobs[] =
    "WITH p AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[]) WITH ORDINALITY "
    "AS t(id, reason, at_ms, ord)), "
    "j AS (UPDATE jobs SET state = 'pending', preempted_count = jobs.preempted_count + 1, "
    "last_preemption_reason = p.reason, draining_until_ms = 0, draining_reason = '' "
    "FROM p WHERE jobs.id = p.id AND jobs.state = 'running' "
    "RETURNING jobs.id, jobs.tenant, p.reason, p.at_ms, p.ord), "
    "d AS (DELETE FROM placements WHERE job_id IN (SELECT id FROM j)), "
    "e AS (INSERT INTO events (at_ms, job_id, tenant, kind, detail) "
    "SELECT at_ms, id, tenant, 'preempted', reason FROM j ORDER BY ord) "
    "SELECT id FROM j";

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, std::unique_ptr<PgConnection> first,
                const StoreOptions& options)
      : options_(options),
        pool_(std::move(conninfo), options.busy_timeout_ms, kMaxConnections, std::move(first)) {
    committer_ = std::thread([this] { CommitLoop(); });
  }

  ~PostgresStore() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    committer_.join();  // commits whatever is still queued first
    // Unlock explicitly rather than only closing the session: closing does not wait for the
    // server to notice, and a standby's TryLead right after this returns should succeed.
    Resign();
  }

  Status PutTenant(const TenantRecord& t) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateTenant(t));
    return WithConnection([&](PgConnection& c) -> Status {
      return c
          .Query(
              "INSERT INTO tenants (id, name, org, external, priority, created_at_ms, "
              "max_job_priority) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE "
              "SET name = EXCLUDED.name, org = EXCLUDED.org, external = EXCLUDED.external, "
              "priority = EXCLUDED.priority, max_job_priority = EXCLUDED.max_job_priority",
              {PgText(t.id), PgText(t.name), PgText(t.org), PgBool(t.external), PgInt(t.priority),
               PgInt(t.created_at_ms), PgInt(t.max_job_priority)})
          .status();
    });
  }

  Result<TenantRecord> GetTenant(std::string_view id) override {
    return WithConnection([&](PgConnection& c) -> Result<TenantRecord> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q,
          c.Query("SELECT id, name, org, external, priority, created_at_ms, max_job_priority "
                  "FROM tenants WHERE id = $1",
                  {PgText(id)}));
      if (q.Rows() == 0) return Status::NotFound("tenant '" + std::string(id) + "' not found");
      return RowToTenant(q, 0);
    });
  }

  Result<std::vector<TenantRecord>> ListTenants() override {
    return WithConnection([&](PgConnection& c) -> Result<std::vector<TenantRecord>> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q,
          c.Query("SELECT id, name, org, external, priority, created_at_ms, max_job_priority "
                  "FROM tenants ORDER BY id"));
      std::vector<TenantRecord> out;
      for (int r = 0; r < q.Rows(); ++r) out.push_back(RowToTenant(q, r));
      return out;
    });
  }

  Status SetQuota(const QuotaRecord& quota) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateQuota(quota));
    // Tenants are never deleted: one seen here still exists at the insert.
    return WithConnection([&](PgConnection& c) -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool exists, TenantExists(c, quota.tenant));
      if (!exists) return UnknownTenant(quota.tenant);
      return c
          .Query(
              "INSERT INTO quotas (tenant, model, guaranteed_gpus) VALUES ($1, $2, $3) "
              "ON CONFLICT (tenant, model) DO UPDATE SET "
              "guaranteed_gpus = EXCLUDED.guaranteed_gpus",
              {PgText(quota.tenant), PgText(quota.model), PgInt(quota.guaranteed_gpus)})
          .status();
    });
  }

  Result<std::vector<QuotaRecord>> ListQuotas(std::optional<std::string_view> tenant) override {
    return WithConnection([&](PgConnection& c) -> Result<std::vector<QuotaRecord>> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q, c.Query("SELECT tenant, model, guaranteed_gpus FROM quotas "
                              "WHERE $1::text IS NULL OR tenant = $1 ORDER BY tenant, model",
                              {PgOptional(tenant)}));
      std::vector<QuotaRecord> out;
      for (int r = 0; r < q.Rows(); ++r) {
        out.push_back({.tenant = q.Text(r, 0),
                       .model = q.Text(r, 1),
                       .guaranteed_gpus = static_cast<int32_t>(q.Int(r, 2))});
      }
      return out;
    });
  }

  Status PutToken(const TokenRecord& t) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateToken(t));
    return InTxn("BEGIN", [&](PgConnection& c) -> Status {
      GPUFLEET_RETURN_IF_ERROR(RequireTokenTenant(c, t));
      return InsertToken(c, t);
    });
  }

  Status ReplaceNamedToken(const TokenRecord& t) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateToken(t));
    if (t.name.empty()) return Status::InvalidArgument("name: must not be empty to replace");
    return InTxn("BEGIN", [&](PgConnection& c) -> Status {
      GPUFLEET_RETURN_IF_ERROR(RequireTokenTenant(c, t));
      GPUFLEET_RETURN_IF_ERROR(RevokeLiveNamed(c, t.name, t.created_at_ms));
      return InsertToken(c, t);
    });
  }

  Result<std::optional<TokenRecord>> FindToken(std::string_view sha256_hex) override {
    return WithConnection([&](PgConnection& c) { return SelectLiveToken(c, sha256_hex); });
  }

  Result<TokenRecord> GetToken(std::string_view id) override {
    return WithConnection([&](PgConnection& c) { return SelectTokenById(c, id); });
  }

  Result<std::vector<TokenRecord>> ListTokens() override {
    return WithConnection([&](PgConnection& c) { return SelectTokens(c); });
  }

  Status RevokeToken(std::string_view id, int64_t at_ms) override {
    return WithConnection([&](PgConnection& c) -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool found, RevokeTokenById(c, id, at_ms));
      if (!found) return Status::NotFound("token '" + std::string(id) + "' not found");
      return Status::Ok();
    });
  }

  Status TouchToken(std::string_view id, int64_t at_ms) override {
    return WithConnection([&](PgConnection& c) -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool found, TouchTokenById(c, id, at_ms));
      if (!found) return Status::NotFound("token '" + std::string(id) + "' not found");
      return Status::Ok();
    });
  }

  Status AppendInventory(const std::vector<InventoryEntry>& entries,
                         const std::vector<AssetRow>& assets) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateInventoryAppend(entries, assets));
    // The write lock serialises appenders across processes, so the size read is the size the
    // insert extends.
    return InTxn(kBeginWrite, [&](PgConnection& c) -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const int64_t size, SelectInventorySize(c));
      if (!entries.empty() && entries.front().index != size) {
        return InventoryRace(entries.front().index, size);
      }
      return InsertInventory(c, entries, assets);
    });
  }

  Result<int64_t> InventorySize() override {
    return WithConnection([&](PgConnection& c) { return SelectInventorySize(c); });
  }

  Result<std::vector<InventoryEntry>> ReadInventory(int64_t from, int32_t limit) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateInventoryRead(from, limit));
    return WithConnection([&](PgConnection& c) { return SelectInventory(c, from, limit); });
  }

  Result<std::vector<InventoryEntry>> ReadInventoryAt(
      const std::vector<int64_t>& indexes) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateInventoryIndexes(indexes));
    return WithConnection([&](PgConnection& c) { return SelectInventoryAt(c, indexes); });
  }

  Result<std::vector<InventoryEntry>> ReadSubjectHistory(std::string_view serial) override {
    return WithConnection([&](PgConnection& c) { return SelectSubjectHistory(c, serial); });
  }

  Result<std::optional<AssetRow>> GetAsset(std::string_view serial) override {
    return WithConnection([&](PgConnection& c) { return SelectAsset(c, serial); });
  }

  Result<std::vector<AssetRow>> ListAssets(const AssetFilter& filter) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateAssetFilter(filter));
    return WithConnection([&](PgConnection& c) { return SelectAssets(c, filter); });
  }

  Status PutCheckpoint(const CheckpointRecord& checkpoint) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateCheckpoint(checkpoint));
    return InTxn(kBeginWrite,
                 [&](PgConnection& c) -> Status { return InsertCheckpoint(c, checkpoint); });
  }

  Result<std::optional<CheckpointRecord>> LatestCheckpoint() override {
    return WithConnection([&](PgConnection& c) { return SelectLatestCheckpoint(c); });
  }

  // Single statements, outside the write lock: they append no event.
  Status PutObservedNode(const ObservedNodeRow& row) override {
    return WithConnection([&](PgConnection& c) { return UpsertObservedNode(c, row); });
  }
  Status SetLastSeen(const std::vector<NodeLastSeen>& seen) override {
    return WithConnection([&](PgConnection& c) { return UpdateLastSeen(c, seen); });
  }
  Result<std::vector<ObservedNodeRow>> ListObservedNodes() override {
    return WithConnection([&](PgConnection& c) { return SelectObservedNodes(c); });
  }

  Result<JobRecord> SubmitJob(const JobSpec& spec) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateJobSpec(spec));
    GPUFLEET_RETURN_IF_ERROR(tenants_.Require(spec.tenant, [&] {
      return WithConnection([&](PgConnection& c) { return TenantExists(c, spec.tenant); });
    }));
    QueuedSubmit item{.spec = &spec, .done = {}};
    std::future<Result<JobRecord>> done = item.done.get_future();
    {
      std::lock_guard lock(queue_mu_);
      queue_.push_back(&item);
    }
    queue_cv_.notify_one();
    return done.get();
  }

  Result<JobRecord> GetJob(JobId id) override {
    return InTxn(kBeginRead, [&](PgConnection& c) { return ReadJob(c, id); });
  }

  Result<JobPage> ListJobs(const JobFilter& filter) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateJobFilter(filter));
    return InTxn(kBeginRead, [&](PgConnection& c) -> Result<JobPage> {
      // One row more than asked for tells whether another page follows.
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q,
          c.Query(kSelectJobPage,
                  {Sql(filter.after), PgOptional(filter.tenant),
                   filter.state.has_value() ? PgText(JobStateName(*filter.state)) : PgParam(),
                   PgInt(int64_t{filter.limit} + 1)}));
      JobPage page;
      GPUFLEET_STORE_ASSIGN_OR_RETURN(page.jobs, RowsToJobs(q));
      if (page.jobs.size() > static_cast<size_t>(filter.limit)) {
        page.jobs.pop_back();
        page.next = page.jobs.back().id;
      }
      GPUFLEET_RETURN_IF_ERROR(LoadRunningPlacements(c, page.jobs));
      return page;
    });
  }

  Result<JobRecord> CancelJob(JobId id, int64_t at_ms) override {
    return Finish(id, at_ms, JobState::kCancelled);
  }
  Result<JobRecord> CompleteJob(JobId id, int64_t at_ms) override {
    return Finish(id, at_ms, JobState::kCompleted);
  }

  Result<std::vector<JobRecord>> LoadActive() override {
    Result<ActiveChanges> all = LoadActiveChanges(std::nullopt);
    if (!all.ok()) return all.status();
    return std::move(all->jobs);
  }

  Result<ActiveChanges> LoadActiveChanges(std::optional<int64_t> cursor) override {
    return InTxn(kBeginRead, [&](PgConnection& c) -> Result<ActiveChanges> {
      ActiveChanges out;
      {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult q,
                                        c.Query("SELECT COALESCE(MAX(id), 0) FROM events"));
        out.cursor = q.Int(0, 0);
      }
      GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult q, cursor.has_value()
                                                      ? c.Query(kSelectChanged, {PgInt(*cursor)})
                                                      : c.Query(kSelectActive));
      GPUFLEET_STORE_ASSIGN_OR_RETURN(out.jobs, RowsToJobs(q));
      GPUFLEET_RETURN_IF_ERROR(LoadRunningPlacements(c, out.jobs));
      return out;
    });
  }

  Result<int64_t> AcquireEpoch(std::string_view holder, int64_t at_ms) override {
    return InTxn(kBeginWrite, [&](PgConnection& c) -> Result<int64_t> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q, c.Query("UPDATE leadership SET epoch = epoch + 1, holder = $1 "
                              "WHERE id = 1 RETURNING epoch",
                              {PgText(holder)}));
      if (q.Rows() == 0) return Status::Corruption("store: the leadership row is missing");
      const int64_t epoch = q.Int(0, 0);
      GPUFLEET_RETURN_IF_ERROR(AppendEvent(c, at_ms, std::nullopt, "epoch",
                                           std::to_string(epoch) + " " + std::string(holder)));
      return epoch;
    });
  }

  Result<ScheduleOutcome> ApplySchedule(const Schedule& s) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateSchedule(s));
    return InTxn(kBeginWrite, [&](PgConnection& c) -> Result<ScheduleOutcome> {
      // FOR UPDATE: a new leader's AcquireEpoch waits for this schedule, or this schedule
      // sees the new epoch and is fenced; never both written.
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q, c.Query("SELECT epoch FROM leadership WHERE id = 1 FOR UPDATE"));
      if (q.Rows() == 0) return Status::Corruption("store: the leadership row is missing");
      const int64_t stored = q.Int(0, 0);
      if (stored > s.epoch) {
        return Status::FailedPrecondition("fenced: epoch " + std::to_string(s.epoch) + " < " +
                                          std::to_string(stored));
      }
      if (stored < s.epoch) {
        return Status::FailedPrecondition("fenced: epoch " + std::to_string(s.epoch) +
                                          " was never acquired (stored " + std::to_string(stored) +
                                          ")");
      }
      ScheduleOutcome out;
      for (const Schedule::Finish& f : s.finishes) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(
            const bool applied, Transition(c, f.job, JobState::kRunning, JobState::kCompleted,
                                           f.finished_at_ms, "finished"));
        if (!applied) out.skipped_finishes.push_back(f.job);
      }
      if (!s.preemptions.empty()) {
        // A job named twice is preempted by its first mention; the later ones find it
        // pending, as if written one at a time, and are skipped.
        std::vector<int64_t> ids, at;
        std::vector<std::string_view> reasons;
        std::set<uint64_t> named;
        for (const Schedule::Preemption& p : s.preemptions) {
          if (!named.insert(p.job.value()).second) continue;
          ids.push_back(static_cast<int64_t>(p.job.value()));
          reasons.push_back(p.reason);
          at.push_back(p.at_ms);
        }
        GPUFLEET_STORE_ASSIGN_OR_RETURN(
            PgResult done,
            c.Query(kPreemptJobs, {PgText(PgIntArray(ids)), PgText(PgTextArray(reasons)),
                                   PgText(PgIntArray(at))}));
        std::set<uint64_t> applied;
        for (int r = 0; r < done.Rows(); ++r) applied.insert(static_cast<uint64_t>(done.Int(r, 0)));
        std::set<uint64_t> seen;
        for (const Schedule::Preemption& p : s.preemptions) {
          const bool first = seen.insert(p.job.value()).second;
          if (!first || !applied.contains(p.job.value())) out.skipped_preemptions.push_back(p.job);
        }
      }
      for (const Schedule::Drain& d : s.drains) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied, Drain(c, d));
        if (!applied) out.skipped_drains.push_back(d.job);
      }
      for (const Schedule::Start& start : s.starts) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied, Start(c, start, s.epoch));
        if (!applied) out.skipped_starts.push_back(start.job);
      }
      for (const Schedule::PendingReason& p : s.pending_reasons) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied, SetPendingReason(c, p));
        if (!applied) out.skipped_pending.push_back(p.job);
      }
      return out;
    });
  }

  Result<std::optional<int64_t>> TryLead(std::string_view holder, int64_t at_ms) override {
    std::lock_guard lock(lead_mu_);
    if (lead_epoch_.has_value()) {
      // The lock lives as long as the session: a lost session means someone else may lead.
      if (lead_conn_->Exec("SELECT 1").ok()) return lead_epoch_;
      lead_conn_.reset();  // reconnected by the next TryLead
      lead_epoch_.reset();
      return std::optional<int64_t>();
    }
    if (lead_conn_ == nullptr || !lead_conn_->Healthy()) {
      lead_conn_.reset();
      GPUFLEET_STORE_ASSIGN_OR_RETURN(lead_conn_, pool_.OpenDedicated());
    }
    Result<PgResult> got =
        lead_conn_->Query("SELECT pg_try_advisory_lock(" GPUFLEET_PG_LEAD_LOCK ")");
    if (!got.ok()) return got.status();
    if (got->Int(0, 0) == 0) return std::optional<int64_t>();
    Result<int64_t> epoch = AcquireEpoch(holder, at_ms);
    if (!epoch.ok()) {
      (void)lead_conn_->Exec("SELECT pg_advisory_unlock(" GPUFLEET_PG_LEAD_LOCK ")");
      return epoch.status();
    }
    lead_epoch_ = *epoch;
    return lead_epoch_;
  }

  void Resign() override {
    std::lock_guard lock(lead_mu_);
    if (!lead_epoch_.has_value()) return;
    lead_epoch_.reset();
    // Closing the session releases the lock too: the fallback when unlocking fails.
    if (!lead_conn_->Exec("SELECT pg_advisory_unlock(" GPUFLEET_PG_LEAD_LOCK ")").ok()) {
      lead_conn_.reset();
    }
  }

  Result<std::vector<EventRecord>> ListEvents(const EventFilter& filter) override {
    if (filter.limit < 1 || filter.limit > kMaxPageSize) {
      return Status::InvalidArgument("limit: " + std::to_string(filter.limit) + " is outside 1.." +
                                     std::to_string(kMaxPageSize));
    }
    return WithConnection([&](PgConnection& c) -> Result<std::vector<EventRecord>> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q,
          c.Query("SELECT id, at_ms, job_id, tenant, kind, detail FROM events "
                  "WHERE id > $1 AND ($2::text IS NULL OR tenant = $2) "
                  "AND ($3::bigint IS NULL OR job_id = $3) ORDER BY id LIMIT $4",
                  {PgInt(filter.after_id), PgOptional(filter.tenant),
                   filter.job.has_value() ? Sql(*filter.job) : PgParam(), PgInt(filter.limit)}));
      std::vector<EventRecord> out;
      out.reserve(static_cast<size_t>(q.Rows()));
      for (int r = 0; r < q.Rows(); ++r) {
        EventRecord e{.id = q.Int(r, 0),
                      .at_ms = q.Int(r, 1),
                      .job = {},
                      .tenant = q.Text(r, 3),
                      .kind = q.Text(r, 4),
                      .detail = q.Text(r, 5)};
        if (!q.IsNull(r, 2)) e.job = JobId(static_cast<uint64_t>(q.Int(r, 2)));
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  StoreStats Stats() override {
    return {.submit_transactions = submit_transactions_.load(),
            .submitted_jobs = submitted_jobs_.load()};
  }

 private:
  struct QueuedSubmit {
    const JobSpec* spec;  // owned by the waiting caller
    std::promise<Result<JobRecord>> done;
  };

  // Runs `fn` on a pooled connection outside any explicit transaction (single statements, or
  // look-ups that need no common snapshot).
  // A tenant token names a tenant that exists.
  static Status RequireTokenTenant(PgConnection& c, const TokenRecord& t) {
    if (t.role != Role::kTenant) return Status::Ok();
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool exists, TenantExists(c, t.tenant));
    return exists ? Status::Ok() : UnknownTenant(t.tenant);
  }

  template <typename Fn>
  auto WithConnection(Fn&& fn) -> decltype(fn(std::declval<PgConnection&>())) {
    Result<PgPool::Lease> lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    return fn(**lease);
  }

  // Runs `fn` in a transaction opened with `begin`, committing only when it succeeded.
  template <typename Fn>
  auto InTxn(const char* begin, Fn&& fn) -> decltype(fn(std::declval<PgConnection&>())) {
    Result<PgPool::Lease> lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    PgConnection& c = **lease;
    Result<std::unique_ptr<PgTransaction>> txn = PgTransaction::Begin(c, begin);
    if (!txn.ok()) {
      // A multi-statement BEGIN can fail after BEGIN itself ran (the write lock timed out).
      if (!c.Idle()) (void)c.Exec("ROLLBACK");
      return txn.status();
    }
    auto result = fn(c);
    if (!result.ok()) return result;  // rolled back by ~PgTransaction
    GPUFLEET_RETURN_IF_ERROR((*txn)->Commit());
    return result;
  }

  // Moves job `id` from `from` to `to` (completed or cancelled), freeing its placements, with
  // an event of `kind`. False when the job is not in state `from`. REQUIRES: in a write
  // transaction.
  static Result<bool> Transition(PgConnection& c, JobId id, JobState from, JobState to,
                                 int64_t at_ms, std::string_view kind) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        PgResult q,
        c.Query("UPDATE jobs SET state = $1, finished_at_ms = $2 "
                "WHERE id = $3 AND state = $4",
                {PgText(JobStateName(to)), PgInt(at_ms), Sql(id), PgText(JobStateName(from))}));
    if (q.Affected() == 0) return false;
    GPUFLEET_RETURN_IF_ERROR(DeletePlacements(c, id));
    GPUFLEET_RETURN_IF_ERROR(AppendEvent(c, at_ms, id, kind, ""));
    return true;
  }

  Result<JobRecord> Finish(JobId id, int64_t at_ms, JobState to) {
    return InTxn(kBeginWrite, [&](PgConnection& c) -> Result<JobRecord> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult q, c.Query("SELECT state FROM jobs WHERE id = $1 FOR UPDATE", {Sql(id)}));
      if (q.Rows() == 0)
        return Status::NotFound("job " + std::to_string(id.value()) + " not found");
      Result<JobState> state = ParseJobState(q.Text(0, 0));
      if (!state.ok()) return Status::Corruption("store: job state: " + state.status().message());
      if (*state != JobState::kPending && *state != JobState::kRunning) {
        return Status::FailedPrecondition("job " + std::to_string(id.value()) + " is already " +
                                          std::string(JobStateName(*state)));
      }
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied,
                                      Transition(c, id, *state, to, at_ms, JobStateName(to)));
      if (!applied) return Status::Corruption("store: job state changed inside a transaction");
      return ReadJob(c, id);
    });
  }

  static Result<bool> Drain(PgConnection& c, const Schedule::Drain& d) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        PgResult q, c.Query("UPDATE jobs SET draining_until_ms = $1, draining_reason = $2 "
                            "WHERE id = $3 AND state = 'running'",
                            {PgInt(d.until_ms), PgText(d.reason), Sql(d.job)}));
    if (q.Affected() == 0) return false;
    GPUFLEET_RETURN_IF_ERROR(
        AppendEvent(c, d.at_ms, d.job, d.until_ms > 0 ? "draining" : "undrained", d.reason));
    return true;
  }

  static Result<bool> Start(PgConnection& c, const Schedule::Start& start, int64_t epoch) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        PgResult q, c.Query("SELECT replicas FROM jobs WHERE id = $1 AND state = 'pending' "
                            "FOR UPDATE",
                            {Sql(start.job)}));
    if (q.Rows() == 0) return false;
    const int64_t replicas = q.Int(0, 0);
    GPUFLEET_RETURN_IF_ERROR(ValidateStartReplicas(start, replicas));
    std::string nodes;
    for (const Placement& p : start.placements) {
      GPUFLEET_RETURN_IF_ERROR(
          c.Query("INSERT INTO placements (job_id, replica, node, gpu_mask, epoch) "
                  "VALUES ($1, $2, $3, $4, $5)",
                  {Sql(start.job), PgInt(p.replica), PgText(p.node),
                   PgInt(static_cast<int64_t>(p.gpu_mask)), PgInt(epoch)})
              .status());
      if (!nodes.empty()) nodes += ' ';
      nodes += p.node;
    }
    GPUFLEET_RETURN_IF_ERROR(c.Query("UPDATE jobs SET state = 'running', started_at_ms = $1, "
                                     "pending_reason = '', draining_until_ms = 0, "
                                     "draining_reason = '' WHERE id = $2",
                                     {PgInt(start.started_at_ms), Sql(start.job)})
                                 .status());
    GPUFLEET_RETURN_IF_ERROR(AppendEvent(c, start.started_at_ms, start.job, "started", nodes));
    return true;
  }

  // An event only when the reason changed, so a job waiting through many passes for the
  // same reason does not flood the log.
  static Result<bool> SetPendingReason(PgConnection& c, const Schedule::PendingReason& p) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        PgResult q, c.Query("SELECT pending_reason FROM jobs WHERE id = $1 AND state = 'pending' "
                            "FOR UPDATE",
                            {Sql(p.job)}));
    if (q.Rows() == 0) return false;
    if (q.Text(0, 0) == p.reason) return true;
    GPUFLEET_RETURN_IF_ERROR(
        c.Query("UPDATE jobs SET pending_reason = $1 WHERE id = $2", {PgText(p.reason), Sql(p.job)})
            .status());
    GPUFLEET_RETURN_IF_ERROR(AppendEvent(c, p.at_ms, p.job, "pending", p.reason));
    return true;
  }

  // The committer thread: one transaction per batch of queued submissions.
  void CommitLoop() {
    for (;;) {
      std::vector<QueuedSubmit*> batch;
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left to commit
        while (!queue_.empty() && batch.size() < static_cast<size_t>(options_.max_batch)) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      Result<std::vector<JobRecord>> committed =
          InTxn(kBeginWrite, [&](PgConnection& c) { return InsertBatch(c, batch); });
      if (committed.ok()) {
        submit_transactions_.fetch_add(1);
        submitted_jobs_.fetch_add(batch.size());
        for (size_t i = 0; i < batch.size(); ++i) {
          batch[i]->done.set_value(std::move((*committed)[i]));
        }
      } else {
        for (QueuedSubmit* item : batch) item->done.set_value(committed.status());
      }
      // `batch` now points at callers' stack frames that may be gone: not touched again.
    }
  }

  // REQUIRES: in a write transaction. The inserts go out in one round trip; a key the
  // tenant already used (possibly earlier in this batch) inserts nothing and is answered with
  // that job afterwards.
  static Result<std::vector<JobRecord>> InsertBatch(PgConnection& c,
                                                    const std::vector<QueuedSubmit*>& batch) {
    std::vector<std::vector<PgParam>> rows;
    rows.reserve(batch.size());
    for (const QueuedSubmit* item : batch) {
      const JobSpec& spec = *item->spec;
      rows.push_back({PgText(spec.tenant), PgText(spec.name), PgInt(spec.priority),
                      PgText(spec.data_class), PgText(JoinModels(spec.models)),
                      PgInt(spec.gpu_count), PgInt(spec.gpu_milli), PgInt(spec.replicas),
                      PgInt(spec.cpu_milli), PgInt(spec.memory_mib), PgInt(spec.duration_s),
                      PgInt(spec.submitted_at_ms), PgOptional(spec.idempotency_key)});
    }
    GPUFLEET_STORE_ASSIGN_OR_RETURN(std::vector<PgResult> inserted,
                                    c.QueryPipelined(kInsertJob, rows));
    std::vector<JobRecord> out;
    out.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      const JobSpec& spec = *batch[i]->spec;
      if (inserted[i].Rows() == 1) {
        JobRecord job;
        job.id = JobId(static_cast<uint64_t>(inserted[i].Int(0, 0)));
        job.spec = spec;
        out.push_back(std::move(job));
        continue;
      }
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          PgResult existing, c.Query("SELECT id FROM jobs WHERE tenant = $1 AND "
                                     "idempotency_key = $2",
                                     {PgText(spec.tenant), PgOptional(spec.idempotency_key)}));
      if (existing.Rows() == 0) {
        return Status::Corruption("store: a submission was neither inserted nor found");
      }
      GPUFLEET_STORE_ASSIGN_OR_RETURN(JobRecord job,
                                      ReadJob(c, JobId(static_cast<uint64_t>(existing.Int(0, 0)))));
      out.push_back(std::move(job));
    }
    return out;
  }

  const StoreOptions options_;
  PgPool pool_;

  KnownTenants tenants_;
  std::mutex lead_mu_;
  std::unique_ptr<PgConnection> lead_conn_;  // guarded by lead_mu_; the leadership session
  std::optional<int64_t> lead_epoch_;        // guarded by lead_mu_; set while leader

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<QueuedSubmit*> queue_;  // guarded by queue_mu_
  bool stopping_ = false;            // guarded by queue_mu_

  std::atomic<uint64_t> submit_transactions_{0};
  std::atomic<uint64_t> submitted_jobs_{0};
  std::thread committer_;  // last: starts after everything above is constructed
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const StoreOptions& options) {
  if (options.max_batch < 1) {
    return Status::InvalidArgument("max_batch: " + std::to_string(options.max_batch) +
                                   " is below 1");
  }
  GPUFLEET_STORE_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> first,
                                  PgConnection::Open(conninfo, options.busy_timeout_ms));
  GPUFLEET_RETURN_IF_ERROR(MigratePostgres(*first, PostgresMigrations()));
  return std::unique_ptr<Store>(
      std::make_unique<PostgresStore>(conninfo, std::move(first), options));
}

}  // namespace gpufleet::store
