// The embedded SQLite back end of Store.
//
// Connections: one writer, used by the group-commit thread and by every other write under
// write_mu_, and a few readers handed out one per read (WAL lets them read committed data
// while the writer writes). Every multi-statement read runs in one read transaction so it sees one
// snapshot.
//
// Group commit: SubmitJob validates, then queues the spec and waits on a future. The
// committer thread takes everything queued (up to max_batch), inserts it in one BEGIN
// IMMEDIATE ... COMMIT, and only then fulfils the futures: one fsync covers the whole batch,
// and no caller hears OK before its row is durable.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gpufleet/store/store.h"
#include "store/known_tenants.h"
#include "store/migrations.h"
#include "store/observed_rows.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_inventory.h"
#include "store/sqlite_job_writes.h"
#include "store/sqlite_tokens.h"
#include "store/validation.h"

namespace gpufleet::store {
namespace {

#define GPUFLEET_JOB_COLUMNS                                                                    \
  "id, tenant, name, priority, data_class, models, gpu_count, gpu_milli, replicas, cpu_milli, " \
  "memory_mib, duration_s, state, submitted_at_ms, started_at_ms, finished_at_ms, "             \
  "pending_reason, preempted_count, last_preemption_reason, idempotency_key, "                  \
  "draining_until_ms, draining_reason"

constexpr const char kSelectJob[] = "SELECT " GPUFLEET_JOB_COLUMNS " FROM jobs WHERE id = ?1";
constexpr const char kSelectJobPage[] = "SELECT " GPUFLEET_JOB_COLUMNS
                                        " FROM jobs WHERE id > ?1"
                                        " AND (?2 IS NULL OR tenant = ?2)"
                                        " AND (?3 IS NULL OR state = ?3) ORDER BY id LIMIT ?4";
constexpr const char kSelectActive[] = "SELECT " GPUFLEET_JOB_COLUMNS
                                       " FROM jobs WHERE state IN ('pending', 'running')"
                                       " ORDER BY id";
// Jobs with an event an API call writes (Store::LoadActiveChanges) after event ?1.
constexpr const char kSelectChanged[] =
    "SELECT " GPUFLEET_JOB_COLUMNS
    " FROM jobs WHERE id IN (SELECT job_id FROM events"
    " WHERE id > ?1 AND kind IN ('submitted', 'cancelled', 'completed')) ORDER BY id";
constexpr const char kSelectPlacements[] =
    "SELECT replica, node, gpu_mask, epoch FROM placements WHERE job_id = ?1 ORDER BY replica";

Result<JobRecord> RowToJob(const Statement& q) {
  JobRecord j;
  j.id = JobId(static_cast<uint64_t>(q.Int(0)));
  j.spec.tenant = q.Text(1);
  j.spec.name = q.Text(2);
  j.spec.priority = static_cast<int32_t>(q.Int(3));
  j.spec.data_class = q.Text(4);
  j.spec.models = SplitModels(q.Text(5));
  j.spec.gpu_count = static_cast<int32_t>(q.Int(6));
  j.spec.gpu_milli = static_cast<int32_t>(q.Int(7));
  j.spec.replicas = static_cast<int32_t>(q.Int(8));
  j.spec.cpu_milli = q.Int(9);
  j.spec.memory_mib = q.Int(10);
  j.spec.duration_s = q.Int(11);
  Result<JobState> state = ParseJobState(q.Text(12));
  if (!state.ok()) {
    return Status::Corruption("store: job " + std::to_string(j.id.value()) + ": " +
                              state.status().message());
  }
  j.state = *state;
  j.spec.submitted_at_ms = q.Int(13);
  j.started_at_ms = q.Int(14);
  j.finished_at_ms = q.Int(15);
  j.pending_reason = q.Text(16);
  j.preempted_count = static_cast<int32_t>(q.Int(17));
  j.last_preemption_reason = q.Text(18);
  if (!q.IsNull(19)) j.spec.idempotency_key = q.Text(19);
  j.draining_until_ms = q.Int(20);
  j.draining_reason = q.Text(21);
  return j;
}

Status LoadPlacements(SqliteConnection& conn, JobRecord& job) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q, conn.Prepare(kSelectPlacements));
  q.Bind(1, Sql(job.id));
  for (;;) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return Status::Ok();
    job.placements.push_back({.replica = static_cast<int32_t>(q.Int(0)),
                              .node = q.Text(1),
                              .gpu_mask = static_cast<uint64_t>(q.Int(2)),
                              .epoch = q.Int(3)});
  }
}

// The job with its placements; NotFound when absent.
Result<JobRecord> ReadJob(SqliteConnection& conn, JobId id) {
  Result<JobRecord> job = Status::NotFound("job " + std::to_string(id.value()) + " not found");
  {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q, conn.Prepare(kSelectJob));
    q.Bind(1, Sql(id));
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return job;
    job = RowToJob(q);
  }
  if (job.ok()) GPUFLEET_RETURN_IF_ERROR(LoadPlacements(conn, *job));
  return job;
}

Result<bool> TenantExists(SqliteConnection& conn, std::string_view tenant) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q, conn.Prepare("SELECT 1 FROM tenants WHERE id = ?1"));
  q.Bind(1, tenant);
  return q.Step();
}

// Where the job is and what it may still become; nullopt when there is no such job.
Result<std::optional<JobState>> ReadState(SqliteConnection& conn, JobId id) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                  conn.Prepare("SELECT state FROM jobs WHERE id = ?1"));
  q.Bind(1, Sql(id));
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
  if (!row) return std::optional<JobState>();
  Result<JobState> state = ParseJobState(q.Text(0));
  if (!state.ok()) return Status::Corruption("store: job state: " + state.status().message());
  return std::optional<JobState>(*state);
}

// Reader connections: enough for the scheduler's long reads plus the requests of a busy API
// on a few cores; each holds its own page cache.
constexpr int kReaders = 4;

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<SqliteConnection> writer,
              std::vector<std::unique_ptr<SqliteConnection>> readers, const StoreOptions& options)
      : options_(options),
        lead_lock_path_(std::move(path) + ".leader"),
        writer_(std::move(writer)),
        readers_(std::move(readers)) {
    for (const auto& r : readers_) free_readers_.push_back(r.get());
    committer_ = std::thread([this] { CommitLoop(); });
  }

  ~SqliteStore() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    committer_.join();  // commits whatever is still queued first
    Resign();
  }

  Status PutTenant(const TenantRecord& t) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateTenant(t));
    return InWriteTxn([&]() -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          Statement q, writer_->Prepare("INSERT INTO tenants (id, name, org, external, priority, "
                                        "created_at_ms, max_job_priority) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                                        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                                        "org = excluded.org, external = excluded.external, "
                                        "priority = excluded.priority, "
                                        "max_job_priority = excluded.max_job_priority"));
      return q.Bind(1, t.id)
          .Bind(2, t.name)
          .Bind(3, t.org)
          .Bind(4, int64_t{t.external})
          .Bind(5, t.priority)
          .Bind(6, t.created_at_ms)
          .Bind(7, t.max_job_priority)
          .Run();
    });
  }

  Result<TenantRecord> GetTenant(std::string_view id) override {
    return InReadTxn([&](SqliteConnection& reader) -> Result<TenantRecord> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          Statement q, reader.Prepare("SELECT id, name, org, external, priority, created_at_ms, "
                                      "max_job_priority "
                                      "FROM tenants WHERE id = ?1"));
      q.Bind(1, id);
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
      if (!row) return Status::NotFound("tenant '" + std::string(id) + "' not found");
      return RowToTenant(q);
    });
  }

  Result<std::vector<TenantRecord>> ListTenants() override {
    return InReadTxn([&](SqliteConnection& reader) -> Result<std::vector<TenantRecord>> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          Statement q, reader.Prepare("SELECT id, name, org, external, priority, created_at_ms, "
                                      "max_job_priority "
                                      "FROM tenants ORDER BY id"));
      std::vector<TenantRecord> out;
      for (;;) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
        if (!row) return out;
        out.push_back(RowToTenant(q));
      }
    });
  }

  Status SetQuota(const QuotaRecord& quota) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateQuota(quota));
    return InWriteTxn([&]() -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool exists, TenantExists(*writer_, quota.tenant));
      if (!exists) return UnknownTenant(quota.tenant);
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          Statement q,
          writer_->Prepare("INSERT INTO quotas (tenant, model, guaranteed_gpus) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (tenant, model) "
                           "DO UPDATE SET guaranteed_gpus = excluded.guaranteed_gpus"));
      return q.Bind(1, quota.tenant).Bind(2, quota.model).Bind(3, quota.guaranteed_gpus).Run();
    });
  }

  Result<std::vector<QuotaRecord>> ListQuotas(std::optional<std::string_view> tenant) override {
    return InReadTxn([&](SqliteConnection& reader) -> Result<std::vector<QuotaRecord>> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          Statement q, reader.Prepare("SELECT tenant, model, guaranteed_gpus FROM quotas "
                                      "WHERE ?1 IS NULL OR tenant = ?1 ORDER BY tenant, model"));
      if (tenant.has_value()) q.Bind(1, *tenant);
      std::vector<QuotaRecord> out;
      for (;;) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
        if (!row) return out;
        out.push_back({.tenant = q.Text(0),
                       .model = q.Text(1),
                       .guaranteed_gpus = static_cast<int32_t>(q.Int(2))});
      }
    });
  }

  Status PutToken(const TokenRecord& t) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateToken(t));
    return InWriteTxn([&]() -> Status {
      GPUFLEET_RETURN_IF_ERROR(RequireTokenTenant(t));
      return InsertToken(*writer_, t);
    });
  }

  Status ReplaceNamedToken(const TokenRecord& t) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateToken(t));
    if (t.name.empty()) return Status::InvalidArgument("name: must not be empty to replace");
    return InWriteTxn([&]() -> Status {
      GPUFLEET_RETURN_IF_ERROR(RequireTokenTenant(t));
      GPUFLEET_RETURN_IF_ERROR(RevokeLiveNamed(*writer_, t.name, t.created_at_ms));
      return InsertToken(*writer_, t);
    });
  }

  Result<std::optional<TokenRecord>> FindToken(std::string_view sha256_hex) override {
    return InReadTxn([&](SqliteConnection& reader) { return SelectLiveToken(reader, sha256_hex); });
  }

  Result<TokenRecord> GetToken(std::string_view id) override {
    return InReadTxn([&](SqliteConnection& reader) { return SelectTokenById(reader, id); });
  }

  Result<std::vector<TokenRecord>> ListTokens() override {
    return InReadTxn([&](SqliteConnection& reader) { return SelectTokens(reader); });
  }

  Status RevokeToken(std::string_view id, int64_t at_ms) override {
    return InWriteTxn([&]() -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool found, RevokeTokenById(*writer_, id, at_ms));
      if (!found) return Status::NotFound("token '" + std::string(id) + "' not found");
      return Status::Ok();
    });
  }

  Status TouchToken(std::string_view id, int64_t at_ms) override {
    return InWriteTxn([&]() -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool found, TouchTokenById(*writer_, id, at_ms));
      if (!found) return Status::NotFound("token '" + std::string(id) + "' not found");
      return Status::Ok();
    });
  }

  Status AppendInventory(const std::vector<InventoryEntry>& entries,
                         const std::vector<AssetRow>& assets) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateInventoryAppend(entries, assets));
    return InWriteTxn([&]() -> Status {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const int64_t size, SelectInventorySize(*writer_));
      if (!entries.empty() && entries.front().index != size) {
        return InventoryRace(entries.front().index, size);
      }
      return InsertInventory(*writer_, entries, assets);
    });
  }

  Result<int64_t> InventorySize() override {
    return InReadTxn([&](SqliteConnection& reader) { return SelectInventorySize(reader); });
  }

  Result<std::vector<InventoryEntry>> ReadInventory(int64_t from, int32_t limit) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateInventoryRead(from, limit));
    return InReadTxn(
        [&](SqliteConnection& reader) { return SelectInventory(reader, from, limit); });
  }

  Result<std::vector<InventoryEntry>> ReadInventoryAt(
      const std::vector<int64_t>& indexes) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateInventoryIndexes(indexes));
    return InReadTxn([&](SqliteConnection& reader) { return SelectInventoryAt(reader, indexes); });
  }

  Result<std::vector<InventoryEntry>> ReadSubjectHistory(std::string_view serial) override {
    return InReadTxn(
        [&](SqliteConnection& reader) { return SelectSubjectHistory(reader, serial); });
  }

  Result<std::optional<AssetRow>> GetAsset(std::string_view serial) override {
    return InReadTxn([&](SqliteConnection& reader) { return SelectAsset(reader, serial); });
  }

  Result<std::vector<AssetRow>> ListAssets(const AssetFilter& filter) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateAssetFilter(filter));
    return InReadTxn([&](SqliteConnection& reader) { return SelectAssets(reader, filter); });
  }

  Status PutCheckpoint(const CheckpointRecord& checkpoint) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateCheckpoint(checkpoint));
    return InWriteTxn([&]() { return InsertCheckpoint(*writer_, checkpoint); });
  }

  Result<std::optional<CheckpointRecord>> LatestCheckpoint() override {
    return InReadTxn([&](SqliteConnection& reader) { return SelectLatestCheckpoint(reader); });
  }

  Status PutObservedNode(const ObservedNodeRow& row) override {
    return InWriteTxn([&] { return UpsertObservedNode(*writer_, row); });
  }
  Status SetLastSeen(const std::vector<NodeLastSeen>& seen) override {
    return InWriteTxn([&] { return UpdateLastSeen(*writer_, seen); });
  }
  Result<std::vector<ObservedNodeRow>> ListObservedNodes() override {
    return InReadTxn([&](SqliteConnection& reader) { return SelectObservedNodes(reader); });
  }

  Result<JobRecord> SubmitJob(const JobSpec& spec) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateJobSpec(spec));
    GPUFLEET_RETURN_IF_ERROR(tenants_.Require(spec.tenant, [&] {
      return InReadTxn([&](SqliteConnection& reader) { return TenantExists(reader, spec.tenant); });
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
    return InReadTxn([&](SqliteConnection& reader) { return ReadJob(reader, id); });
  }

  Result<JobPage> ListJobs(const JobFilter& filter) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateJobFilter(filter));
    return InReadTxn([&](SqliteConnection& reader) -> Result<JobPage> {
      JobPage page;
      {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q, reader.Prepare(kSelectJobPage));
        q.Bind(1, Sql(filter.after));
        if (filter.tenant.has_value()) q.Bind(2, *filter.tenant);
        if (filter.state.has_value()) q.Bind(3, JobStateName(*filter.state));
        // One row more than asked for tells whether another page follows.
        q.Bind(4, int64_t{filter.limit} + 1);
        for (;;) {
          GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
          if (!row) break;
          if (page.jobs.size() == static_cast<size_t>(filter.limit)) {
            page.next = page.jobs.back().id;
            break;
          }
          GPUFLEET_STORE_ASSIGN_OR_RETURN(JobRecord job, RowToJob(q));
          page.jobs.push_back(std::move(job));
        }
      }
      for (JobRecord& job : page.jobs) {
        if (job.state == JobState::kRunning) {
          GPUFLEET_RETURN_IF_ERROR(LoadPlacements(reader, job));
        }
      }
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
    return InReadTxn([&](SqliteConnection& reader) -> Result<ActiveChanges> {
      ActiveChanges out;
      {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                        reader.Prepare("SELECT COALESCE(MAX(id), 0) FROM events"));
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
        if (row) out.cursor = q.Int(0);
      }
      {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(
            Statement q, reader.Prepare(cursor.has_value() ? kSelectChanged : kSelectActive));
        if (cursor.has_value()) q.Bind(1, *cursor);
        for (;;) {
          GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
          if (!row) break;
          GPUFLEET_STORE_ASSIGN_OR_RETURN(JobRecord job, RowToJob(q));
          out.jobs.push_back(std::move(job));
        }
      }
      for (JobRecord& job : out.jobs) {
        if (job.state == JobState::kRunning) {
          GPUFLEET_RETURN_IF_ERROR(LoadPlacements(reader, job));
        }
      }
      return out;
    });
  }

  Result<int64_t> AcquireEpoch(std::string_view holder, int64_t at_ms) override {
    return InWriteTxn([&]() -> Result<int64_t> {
      {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(
            Statement q, writer_->Prepare("UPDATE leadership SET epoch = epoch + 1, holder = ?1 "
                                          "WHERE id = 1"));
        GPUFLEET_RETURN_IF_ERROR(q.Bind(1, holder).Run());
      }
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const int64_t epoch, StoredEpoch());
      GPUFLEET_RETURN_IF_ERROR(AppendEvent(*writer_, at_ms, std::nullopt, "", "epoch",
                                           std::to_string(epoch) + " " + std::string(holder)));
      return epoch;
    });
  }

  Result<ScheduleOutcome> ApplySchedule(const Schedule& s) override {
    GPUFLEET_RETURN_IF_ERROR(ValidateSchedule(s));
    return InWriteTxn([&]() -> Result<ScheduleOutcome> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const int64_t stored, StoredEpoch());
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
            const bool applied, Transition(*writer_, f.job, JobState::kRunning,
                                           JobState::kCompleted, f.finished_at_ms, "finished"));
        if (!applied) out.skipped_finishes.push_back(f.job);
      }
      for (const Schedule::Preemption& p : s.preemptions) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied, Preempt(*writer_, p));
        if (!applied) out.skipped_preemptions.push_back(p.job);
      }
      for (const Schedule::Drain& d : s.drains) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied, Drain(*writer_, d));
        if (!applied) out.skipped_drains.push_back(d.job);
      }
      for (const Schedule::Start& start : s.starts) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied, StartJob(*writer_, start, s.epoch));
        if (!applied) out.skipped_starts.push_back(start.job);
      }
      for (const Schedule::PendingReason& p : s.pending_reasons) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool applied, SetPendingReason(*writer_, p));
        if (!applied) out.skipped_pending.push_back(p.job);
      }
      return out;
    });
  }

  Result<std::optional<int64_t>> TryLead(std::string_view holder, int64_t at_ms) override {
    std::lock_guard lock(lead_mu_);
    if (lead_fd_ >= 0) return std::optional<int64_t>(lead_epoch_);
    const int fd = ::open(lead_lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Status::IOError("store: cannot open '" + lead_lock_path_ +
                             "': " + std::strerror(errno));
    }
    // flock, not fcntl: its lock belongs to this open file description, so two Stores in one
    // process exclude each other too, and the kernel drops it when the process dies.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) return std::optional<int64_t>();
      return Status::IOError("store: cannot lock '" + lead_lock_path_ + "': " + std::strerror(err));
    }
    Result<int64_t> epoch = AcquireEpoch(holder, at_ms);
    if (!epoch.ok()) {
      ::close(fd);
      return epoch.status();
    }
    lead_fd_ = fd;
    lead_epoch_ = *epoch;
    return std::optional<int64_t>(lead_epoch_);
  }

  void Resign() override {
    std::lock_guard lock(lead_mu_);
    if (lead_fd_ < 0) return;
    ::close(lead_fd_);  // releases the flock
    lead_fd_ = -1;
  }

  Result<std::vector<EventRecord>> ListEvents(const EventFilter& filter) override {
    if (filter.limit < 1 || filter.limit > kMaxPageSize) {
      return Status::InvalidArgument("limit: " + std::to_string(filter.limit) + " is outside 1.." +
                                     std::to_string(kMaxPageSize));
    }
    return InReadTxn([&](SqliteConnection& reader) -> Result<std::vector<EventRecord>> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          Statement q, reader.Prepare("SELECT id, at_ms, job_id, tenant, kind, detail FROM events "
                                      "WHERE id > ?1 AND (?2 IS NULL OR tenant = ?2) "
                                      "AND (?3 IS NULL OR job_id = ?3) ORDER BY id LIMIT ?4"));
      q.Bind(1, filter.after_id);
      if (filter.tenant.has_value()) {
        q.Bind(2, *filter.tenant);
      } else {
        q.BindNull(2);
      }
      if (filter.job.has_value()) {
        q.Bind(3, Sql(*filter.job));
      } else {
        q.BindNull(3);
      }
      q.Bind(4, filter.limit);
      std::vector<EventRecord> out;
      for (;;) {
        GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
        if (!row) return out;
        EventRecord e{.id = q.Int(0),
                      .at_ms = q.Int(1),
                      .job = {},
                      .tenant = q.Text(3),
                      .kind = q.Text(4),
                      .detail = q.Text(5)};
        if (!q.IsNull(2)) e.job = JobId(static_cast<uint64_t>(q.Int(2)));
        out.push_back(std::move(e));
      }
    });
  }

  StoreStats Stats() override {
    return {.submit_transactions = submit_transactions_.load(),
            .submitted_jobs = submitted_jobs_.load()};
  }

 private:
  // A tenant token names a tenant that exists. REQUIRES: in a write transaction.
  Status RequireTokenTenant(const TokenRecord& t) {
    if (t.role != Role::kTenant) return Status::Ok();
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool exists, TenantExists(*writer_, t.tenant));
    return exists ? Status::Ok() : UnknownTenant(t.tenant);
  }

  struct QueuedSubmit {
    const JobSpec* spec;  // owned by the waiting caller
    std::promise<Result<JobRecord>> done;
  };

  static TenantRecord RowToTenant(const Statement& q) {
    return {.id = q.Text(0),
            .name = q.Text(1),
            .org = q.Text(2),
            .external = q.Int(3) != 0,
            .priority = static_cast<int32_t>(q.Int(4)),
            .max_job_priority = static_cast<int32_t>(q.Int(6)),
            .created_at_ms = q.Int(5)};
  }

  // Runs `fn` in a write transaction on the writer, committing only when it succeeded.
  template <typename Fn>
  auto InWriteTxn(Fn&& fn) -> decltype(fn()) {
    std::lock_guard lock(write_mu_);
    Result<std::unique_ptr<Transaction>> txn = Transaction::Begin(*writer_);
    if (!txn.ok()) return txn.status();
    auto result = fn();
    if (!result.ok()) return result;  // rolled back by ~Transaction
    GPUFLEET_RETURN_IF_ERROR((*txn)->Commit());
    return result;
  }

  // Runs `fn(reader)` in one read transaction on a free reader connection: one consistent
  // snapshot. Waits while every reader is busy.
  template <typename Fn>
  auto InReadTxn(Fn&& fn) -> decltype(fn(std::declval<SqliteConnection&>())) {
    SqliteConnection* reader = nullptr;
    {
      std::unique_lock lock(read_mu_);
      read_cv_.wait(lock, [this] { return !free_readers_.empty(); });
      reader = free_readers_.back();
      free_readers_.pop_back();
    }
    auto result = [&]() -> decltype(fn(*reader)) {
      GPUFLEET_RETURN_IF_ERROR(reader->Exec("BEGIN"));
      auto r = fn(*reader);
      // A read transaction has nothing to lose; end it whether or not `fn` failed.
      const Status end = reader->Exec("COMMIT");
      if (r.ok() && !end.ok()) return end;
      return r;
    }();
    {
      std::lock_guard lock(read_mu_);
      free_readers_.push_back(reader);
    }
    read_cv_.notify_one();
    return result;
  }

  // REQUIRES: write_mu_ held, in a transaction.
  Result<int64_t> StoredEpoch() {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                    writer_->Prepare("SELECT epoch FROM leadership WHERE id = 1"));
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return Status::Corruption("store: the leadership row is missing");
    return q.Int(0);
  }

  Result<JobRecord> Finish(JobId id, int64_t at_ms, JobState to) {
    return InWriteTxn([&]() -> Result<JobRecord> {
      GPUFLEET_STORE_ASSIGN_OR_RETURN(const std::optional<JobState> state, ReadState(*writer_, id));
      if (!state.has_value()) {
        return Status::NotFound("job " + std::to_string(id.value()) + " not found");
      }
      if (*state != JobState::kPending && *state != JobState::kRunning) {
        return Status::FailedPrecondition("job " + std::to_string(id.value()) + " is already " +
                                          std::string(JobStateName(*state)));
      }
      GPUFLEET_STORE_ASSIGN_OR_RETURN(
          const bool applied, Transition(*writer_, id, *state, to, at_ms, JobStateName(to)));
      if (!applied) return Status::Corruption("store: job state changed inside a transaction");
      return ReadJob(*writer_, id);
    });
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
      Result<std::vector<JobRecord>> committed = InWriteTxn([&] { return InsertBatch(batch); });
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

  // REQUIRES: write_mu_ held, in a transaction.
  Result<std::vector<JobRecord>> InsertBatch(const std::vector<QueuedSubmit*>& batch) {
    std::vector<JobRecord> out;
    out.reserve(batch.size());
    for (const QueuedSubmit* item : batch) {
      const JobSpec& spec = *item->spec;
      if (spec.idempotency_key.has_value()) {
        // Also finds a job inserted earlier in this same batch: same transaction.
        std::optional<JobId> existing;
        {
          GPUFLEET_STORE_ASSIGN_OR_RETURN(
              Statement q, writer_->Prepare("SELECT id FROM jobs "
                                            "WHERE tenant = ?1 AND idempotency_key = ?2"));
          q.Bind(1, spec.tenant).Bind(2, *spec.idempotency_key);
          GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
          if (row) existing = JobId(static_cast<uint64_t>(q.Int(0)));
        }
        if (existing.has_value()) {
          GPUFLEET_STORE_ASSIGN_OR_RETURN(JobRecord job, ReadJob(*writer_, *existing));
          out.push_back(std::move(job));
          continue;
        }
      }
      JobRecord job;
      GPUFLEET_STORE_ASSIGN_OR_RETURN(job.id, InsertJob(*writer_, spec));
      job.spec = spec;
      GPUFLEET_RETURN_IF_ERROR(
          AppendEvent(*writer_, spec.submitted_at_ms, job.id, spec.tenant, "submitted", spec.name));
      out.push_back(std::move(job));
    }
    return out;
  }

  const StoreOptions options_;

  const std::string lead_lock_path_;
  KnownTenants tenants_;
  std::mutex lead_mu_;
  int lead_fd_ = -1;        // guarded by lead_mu_; >= 0 while leader
  int64_t lead_epoch_ = 0;  // guarded by lead_mu_

  std::mutex write_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // guarded by write_mu_
  // Several readers, so that a long read (the scheduler's LoadActive) does not hold up the
  // short ones of every request (token lookups, tenant checks).
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<SqliteConnection*> free_readers_;  // guarded by read_mu_

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<QueuedSubmit*> queue_;  // guarded by queue_mu_
  bool stopping_ = false;            // guarded by queue_mu_

  std::atomic<uint64_t> submit_transactions_{0};
  std::atomic<uint64_t> submitted_jobs_{0};
  std::thread committer_;  // last: starts after everything above is constructed
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
    return Status::InvalidArgument("path: '" + path + "' does not name a file");
  }
  if (options.max_batch < 1) {
    return Status::InvalidArgument("max_batch: " + std::to_string(options.max_batch) +
                                   " is below 1");
  }
  GPUFLEET_STORE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> writer,
                                  SqliteConnection::Open(path, options.busy_timeout_ms));
  GPUFLEET_RETURN_IF_ERROR(Migrate(*writer, SqliteMigrations()));
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < kReaders; ++i) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> reader,
                                    SqliteConnection::Open(path, options.busy_timeout_ms));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(path, std::move(writer), std::move(readers), options));
}

}  // namespace gpufleet::store
