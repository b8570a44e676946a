#pragma once
// The service's durable state: tenants, quotas, API tokens, jobs, their placements, an event
// log and the scheduler's fencing epoch, behind one abstract `Store` (leveldb's `DB` style).
// Back ends: embedded SQLite (OpenSqliteStore, below) and PostgreSQL (OpenPostgresStore), which
// several processes may share. Nothing here is specific to one database: ids are assigned by the
// store and only increase, every write is one transaction, and a write acknowledged with OK is
// durable.
//
// Time: every timestamp is passed in by the caller (milliseconds since the Unix epoch, or of a
// simulated clock); the store never reads a clock.
// Thread safety: every method of a Store may be called concurrently from any thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/model/ids.h"
#include "gpufleet/status.h"

namespace gpufleet::store {

// What an API token may do (docs/service.md, "Roles"). Persisted by name ("admin", "tenant",
// "inventory", "node", "viewer"), not by number.
enum class Role : uint8_t {
  kAdmin,      // everything
  kTenant,     // one tenant's objects (TokenRecord::tenant)
  kInventory,  // changes the fleet inventory
  kNode,       // reports for one node (TokenRecord::node)
  kViewer,     // reads everything, changes nothing
};
inline constexpr Role kAllRoles[] = {Role::kAdmin, Role::kTenant, Role::kInventory, Role::kNode,
                                     Role::kViewer};
// Persisted by name ("pending", "running", "completed", "cancelled").
enum class JobState : uint8_t { kPending, kRunning, kCompleted, kCancelled };

std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);
std::string_view JobStateName(JobState state);
Result<JobState> ParseJobState(std::string_view name);

// Limits checked on every write; violations are InvalidArgument naming the field.
inline constexpr size_t kMaxSlugLength = 63;
inline constexpr size_t kMaxTextLength = 1024;  // names, reasons, keys, catalog ids
inline constexpr int32_t kMaxGpusPerReplica = 64;
inline constexpr int32_t kMaxReplicas = 4096;
inline constexpr int32_t kMaxPageSize = 1000;
// What a tenant's jobs may ask for unless the admin sets otherwise (TenantRecord).
inline constexpr int32_t kDefaultMaxJobPriority = 1000;

// A customer of the fleet. `id` is a slug: 1..63 characters of [a-z0-9-].
struct TenantRecord {
  std::string id;
  std::string name;
  std::string org;        // organisation id from the fleet inventory (free text here)
  bool external = false;  // a resale customer
  int32_t priority = 0;   // orders this tenant's pending jobs before their own priorities
  // The highest priority one of its jobs may be submitted with: 0..INT32_MAX. Job priorities
  // order jobs within the tenant (and its borrowed jobs for preemption); the cap keeps a
  // tenant from outbidding what the admin meant it to have.
  int32_t max_job_priority = kDefaultMaxJobPriority;
  int64_t created_at_ms = 0;  // kept from the first PutTenant on update
  friend bool operator==(const TenantRecord&, const TenantRecord&) = default;
};

// GPUs of one catalog model guaranteed to a tenant.
struct QuotaRecord {
  std::string tenant;
  std::string model;  // catalog id
  int32_t guaranteed_gpus = 0;
  friend bool operator==(const QuotaRecord&, const QuotaRecord&) = default;
};

// An API token, known only by its SHA-256 (64 lowercase hex digits): the store never sees the
// token itself. Its scope is the tenant of a kTenant token or the node of a kNode token; the
// other roles have neither.
struct TokenRecord {
  std::string id;  // TokenIdForHash(sha256_hex): how people and the API name the token
  std::string sha256_hex;
  Role role = Role::kTenant;
  std::string tenant;  // kTenant: an existing tenant; otherwise ""
  std::string node;    // kNode: a node id (the API checks it against the fleet); otherwise ""
  // Optional label, unique among the tokens neither revoked nor expired: "admin" is the
  // initial admin token (service/admin_token.h).
  std::string name;
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;    // 0 = never; else refused from this instant on
  int64_t last_used_at_ms = 0;  // 0 = never used; kept to about a minute (TouchToken)
  bool revoked = false;
  int64_t revoked_at_ms = 0;
  friend bool operator==(const TokenRecord&, const TokenRecord&) = default;
};

// "tok_" and the first 16 hex digits of the hash. Knowing it reveals nothing about the token
// (it is a prefix of a hash of 256 random bits) and names it in listings and revocations.
std::string TokenIdForHash(std::string_view sha256_hex);

// One entry of the inventory log: a change to the living inventory in its canonical encoding
// (inventory/change.h). Indices start at 0 and have no gaps: the log is the ledger's leaves.
struct InventoryEntry {
  int64_t index = 0;
  // What the change is about: an asset's serial, or "org:<id>" / "site:<id>" for places.
  std::string subject;
  std::string kind;  // the change's kind name, for queries; also inside `body`
  int64_t effective_ms = 0;
  int64_t recorded_ms = 0;
  std::string body;  // the canonical encoding: the ledger leaf's bytes
  // The Merkle tree hashes this leaf stores (ledger/merkle.h: its leaf hash, then one per
  // subtree it completes), lower-case hex, concatenated.
  std::string hashes;
  friend bool operator==(const InventoryEntry&, const InventoryEntry&) = default;
};

// A signed ledger checkpoint (docs/ledger.md): the signed note covering the first `size`
// entries of the inventory log.
struct CheckpointRecord {
  int64_t size = 0;
  std::string note;
  int64_t created_ms = 0;
  friend bool operator==(const CheckpointRecord&, const CheckpointRecord&) = default;
};

// An asset as the inventory stands after the log's entries: the columns queries filter on,
// and the whole record in its canonical encoding.
struct AssetRow {
  std::string serial;
  std::string model;
  std::string site;
  std::string owner;
  std::string operator_org;
  std::string status;  // active, retired, lost
  int64_t last_entry = 0;
  std::string record;  // canonical encoding of the inventory::Asset
  friend bool operator==(const AssetRow&, const AssetRow&) = default;
};

struct AssetFilter {
  std::string after;    // serials greater than this ("" = from the first)
  int32_t limit = 100;  // 1..kMaxPageSize
  std::optional<std::string> site;
  // An organisation's view: assets it owns or operates.
  std::optional<std::string> organisation;
};

// What a tenant submits. Checked before anything is written (see SubmitJob).
struct JobSpec {
  std::string tenant;  // must exist
  std::string name;    // 1..kMaxTextLength characters
  int32_t priority = 0;
  std::string data_class;           // 1..kMaxTextLength characters
  std::vector<std::string> models;  // catalog ids, none containing '|'; empty = any model
  int32_t gpu_count = 0;            // per replica, 0..kMaxGpusPerReplica; 0 = CPU-only
  // Per GPU: 0 when gpu_count == 0, else 1..1000; below 1000 only when gpu_count == 1.
  int32_t gpu_milli = 0;
  int32_t replicas = 1;  // 1..kMaxReplicas, placed all together or not at all
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  int64_t duration_s = 0;  // 0 = runs until completed through the API
  int64_t submitted_at_ms = 0;
  // Unique per tenant when set: submitting again with the same key returns the job stored
  // the first time (the rest of the spec is then ignored), so a retrying client never
  // duplicates a job.
  std::optional<std::string> idempotency_key;
  friend bool operator==(const JobSpec&, const JobSpec&) = default;
};

// Where one replica of a running job is bound.
struct Placement {
  int32_t replica = 0;  // 0..replicas-1
  std::string node;
  uint64_t gpu_mask = 0;  // bit i = GPU i of the node
  int64_t epoch = 0;      // the scheduling epoch that wrote it (set by ApplySchedule)
  friend bool operator==(const Placement&, const Placement&) = default;
};

struct JobRecord {
  JobId id;  // assigned by the store; increases with every submission
  JobSpec spec;
  JobState state = JobState::kPending;
  int64_t started_at_ms = 0;   // 0 = never started
  int64_t finished_at_ms = 0;  // 0 = not finished
  std::string pending_reason;
  int32_t preempted_count = 0;
  std::string last_preemption_reason;
  // A running job on hardware the rules took away, left to run out a grace period
  // (docs/service.md, "Rules that change while the fleet runs"): when it will be preempted,
  // and why. 0 and "" otherwise; a start or a preemption clears both.
  int64_t draining_until_ms = 0;
  std::string draining_reason;
  std::vector<Placement> placements;  // by replica; non-empty only while running
  friend bool operator==(const JobRecord&, const JobRecord&) = default;
};

struct JobFilter {
  std::optional<std::string> tenant;
  std::optional<JobState> state;
  JobId after;          // cursor: only jobs with a larger id; JobId{0} = from the start
  int32_t limit = 100;  // 1..kMaxPageSize
};

struct JobPage {
  std::vector<JobRecord> jobs;  // by increasing id
  // Pass as JobFilter::after for the next page; nullopt when this page is the last.
  std::optional<JobId> next;
};

struct EventRecord {
  // Increases with every event, in commit order: a reader paging with EventFilter::after_id
  // never misses one (PostgreSQL serialises event-appending writes to keep this).
  int64_t id = 0;
  int64_t at_ms = 0;
  std::optional<JobId> job;
  std::string tenant;  // the job's tenant; "" for an event about no job (epoch)
  std::string kind;    // submitted, started, preempted, pending, completed, cancelled, epoch
  std::string detail;
  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

// One scheduling pass's decisions, applied by ApplySchedule in this order: finishes,
// preemptions, starts, pending reasons.
struct Schedule {
  struct Start {
    JobId job;
    std::vector<Placement> placements;  // exactly one per replica; `epoch` is ignored
    int64_t started_at_ms = 0;
  };
  struct Preemption {
    JobId job;
    std::string reason;
    int64_t at_ms = 0;
  };
  struct PendingReason {
    JobId job;
    std::string reason;
    int64_t at_ms = 0;
  };
  struct Finish {
    JobId job;
    int64_t finished_at_ms = 0;
  };
  // A running job starts draining (until_ms > 0: it runs on, and is preempted then), or stops
  // (until_ms 0: its hardware came back). Events `draining` and `undrained`.
  struct Drain {
    JobId job;
    int64_t until_ms = 0;
    std::string reason;  // why; "" when it stops
    int64_t at_ms = 0;
  };
  int64_t epoch = 0;  // from AcquireEpoch
  std::vector<Finish> finishes;
  std::vector<Preemption> preemptions;
  std::vector<Drain> drains;
  std::vector<Start> starts;
  std::vector<PendingReason> pending_reasons;
};

// Decisions that no longer applied when the schedule was written (e.g. a job cancelled
// through the API after the pass read it). Everything else was applied.
struct ScheduleOutcome {
  std::vector<JobId> skipped_finishes;     // job no longer running
  std::vector<JobId> skipped_preemptions;  // job no longer running
  std::vector<JobId> skipped_drains;       // job no longer running
  std::vector<JobId> skipped_starts;       // job no longer pending
  std::vector<JobId> skipped_pending;      // job no longer pending
};

// What LoadActiveChanges read: job records and where the next call goes on from.
struct ActiveChanges {
  std::vector<JobRecord> jobs;  // by id; running ones with placements
  int64_t cursor = 0;           // the id of the last event the read saw
};

struct EventFilter {
  int64_t after_id = 0;               // only events with a larger id
  int32_t limit = 100;                // 1..kMaxPageSize
  std::optional<std::string> tenant;  // only this tenant's events (never the fleet's own)
  std::optional<JobId> job;           // only this job's events
};

// What a node agent last reported (docs/agent.md), kept so that a restarted service knows
// every node at once. The report is opaque here: the service writes and reads it in the
// agent's own format (codec/node_report_json.h).
struct ObservedNodeRow {
  std::string node;    // 1..kMaxTextLength characters
  std::string report;  // the latest accepted report, at most kMaxObservedReportBytes
  int64_t first_seen_ms = 0;
  int64_t last_change_ms = 0;  // when `report` was accepted
  int64_t last_seen_ms = 0;    // the latest report, a heartbeat or a change
  friend bool operator==(const ObservedNodeRow&, const ObservedNodeRow&) = default;
};
// A report of 64 devices with every field at its longest is about 170 KiB; real ones of 8
// devices are about 3 KiB.
inline constexpr size_t kMaxObservedReportBytes = 256 << 10;

// When a node was last heard from (Store::SetLastSeen).
struct NodeLastSeen {
  std::string node;
  int64_t last_seen_ms = 0;
  friend bool operator==(const NodeLastSeen&, const NodeLastSeen&) = default;
};

struct StoreStats {
  uint64_t submit_transactions = 0;  // group-commit batches committed
  uint64_t submitted_jobs = 0;       // SubmitJob calls acknowledged (incl. idempotent repeats)
};

struct StoreOptions {
  // How long a connection waits for a lock held by another process before failing with
  // IOError (SQLite's busy timeout; PostgreSQL's lock_timeout, covering the write lock, row
  // locks and the migration lock). Default: 5000 ms.
  int32_t busy_timeout_ms = 5000;
  // Upper bound on SubmitJob calls committed in one transaction. Larger batches amortise
  // the fsync further but make the first caller of a batch wait longer. Default: 1024.
  int32_t max_batch = 1024;
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // --- Tenants, quotas, tokens.
  // Inserts or updates (all fields but created_at_ms) the tenant `t.id`.
  virtual Status PutTenant(const TenantRecord& t) = 0;
  virtual Result<TenantRecord> GetTenant(std::string_view id) = 0;  // NotFound
  virtual Result<std::vector<TenantRecord>> ListTenants() = 0;      // by id
  // REQUIRES: the tenant exists, guaranteed_gpus >= 0. Inserts or replaces.
  virtual Status SetQuota(const QuotaRecord& q) = 0;
  // Quotas of one tenant, or of all tenants when `tenant` is nullopt; by (tenant, model).
  virtual Result<std::vector<QuotaRecord>> ListQuotas(std::optional<std::string_view> tenant) = 0;
  // REQUIRES: id == TokenIdForHash(sha256_hex); a tenant token names an existing tenant.
  // FailedPrecondition when the hash is already stored, AlreadyExists when a live token has
  // the same name. A token of that name that expired by t.created_at_ms is revoked then,
  // which frees its name.
  virtual Status PutToken(const TokenRecord& t) = 0;
  // The token with this hash, nullopt when unknown or revoked (expiry is the caller's check:
  // the store never reads a clock).
  virtual Result<std::optional<TokenRecord>> FindToken(std::string_view sha256_hex) = 0;
  virtual Result<TokenRecord> GetToken(std::string_view id) = 0;  // NotFound
  // Every token, revoked ones included, by created_at_ms then id.
  virtual Result<std::vector<TokenRecord>> ListTokens() = 0;
  // Revokes token `id` at `at_ms`; NotFound. Revoking a revoked token changes nothing.
  virtual Status RevokeToken(std::string_view id, int64_t at_ms) = 0;
  // Revokes every live token named `replacement.name` and stores `replacement`, in one
  // transaction (rotation: there is never a moment with both or neither).
  virtual Status ReplaceNamedToken(const TokenRecord& replacement) = 0;
  // Records a use at `at_ms` when later than the one stored; NotFound.
  virtual Status TouchToken(std::string_view id, int64_t at_ms) = 0;

  // --- The inventory log and the assets it leaves.
  // Appends `entries` (their indices must continue the log: the first is InventorySize()) and
  // writes `assets` (inserted or replaced by serial), in one transaction; acknowledged means
  // durable. FailedPrecondition, writing nothing, when the log has another size (another
  // process appended first: catch up and retry).
  virtual Status AppendInventory(const std::vector<InventoryEntry>& entries,
                                 const std::vector<AssetRow>& assets) = 0;
  virtual Result<int64_t> InventorySize() = 0;
  // Entries with index >= `from`, at most `limit` (1..100000), by index.
  virtual Result<std::vector<InventoryEntry>> ReadInventory(int64_t from, int32_t limit) = 0;
  // The entries at `indexes` (at most 1000), by index; an index beyond the log is left out.
  // One round trip: the ledger's proofs read their hashes this way.
  virtual Result<std::vector<InventoryEntry>> ReadInventoryAt(
      const std::vector<int64_t>& indexes) = 0;
  // Every entry about `subject`, by index.
  virtual Result<std::vector<InventoryEntry>> ReadSubjectHistory(std::string_view subject) = 0;
  virtual Result<std::optional<AssetRow>> GetAsset(std::string_view serial) = 0;
  virtual Result<std::vector<AssetRow>> ListAssets(const AssetFilter& filter) = 0;  // by serial
  // Records a checkpoint; one per size (AlreadyExists for a second with another note; the
  // same one again is OK). InvalidArgument when `size` exceeds the log.
  virtual Status PutCheckpoint(const CheckpointRecord& checkpoint) = 0;
  // The checkpoint of the largest size; nullopt before the first.
  virtual Result<std::optional<CheckpointRecord>> LatestCheckpoint() = 0;

  // --- Jobs.
  // Stores a new pending job and returns it with its id. Returns only after the transaction
  // holding it has committed, so an OK answer survives a crash. Concurrent callers are
  // committed together (group commit); if that transaction fails, every caller in it gets the
  // error. An invalid spec fails only its own caller, before anything is queued.
  virtual Result<JobRecord> SubmitJob(const JobSpec& spec) = 0;
  virtual Result<JobRecord> GetJob(JobId id) = 0;  // NotFound
  virtual Result<JobPage> ListJobs(const JobFilter& filter) = 0;
  // Pending or running -> cancelled / completed, deleting its placements; the updated job.
  // NotFound, or FailedPrecondition when the job already finished.
  virtual Result<JobRecord> CancelJob(JobId id, int64_t at_ms) = 0;
  virtual Result<JobRecord> CompleteJob(JobId id, int64_t at_ms) = 0;

  // --- The scheduler.
  // Pending and running jobs (running ones with placements), by id.
  virtual Result<std::vector<JobRecord>> LoadActive() = 0;
  // The incremental read of a scheduler that keeps the active jobs in memory, so a pass costs
  // what changed rather than the whole queue. With no cursor: every pending and running job
  // (as LoadActive). With the cursor of an earlier call: the current record, in whatever
  // state, of each job submitted, cancelled or completed (CancelJob, CompleteJob) since that
  // call, which are all the changes to jobs that do not come from ApplySchedule. The jobs and
  // the new cursor are read in one transaction, and every event is appended under the store's
  // single writer lock, so event ids grow in commit order and nothing committed between two
  // calls is missed.
  virtual Result<ActiveChanges> LoadActiveChanges(std::optional<int64_t> cursor) = 0;
  // Makes `holder` the leader: stores and returns the previous epoch + 1. A scheduler holding
  // an older epoch can no longer ApplySchedule.
  virtual Result<int64_t> AcquireEpoch(std::string_view holder, int64_t at_ms) = 0;
  // Writes all of `s` in one transaction, each applied decision appending an event (started,
  // preempted, finished, pending: the kinds API calls never write), or
  // nothing at all: FailedPrecondition "fenced: ..." when `s.epoch` is not the stored epoch
  // (another holder took over), InvalidArgument for a malformed decision.
  virtual Result<ScheduleOutcome> ApplySchedule(const Schedule& s) = 0;

  // Leadership across every process sharing the database: one scheduler at a time. Tries to
  // make this Store object the leader as `holder`. A leader stays leader until it calls Resign,
  // the Store is destroyed or its process dies (SQLite: an exclusive lock on the file
  // "<path>.leader"; PostgreSQL: a session advisory lock held by a dedicated connection), so a
  // standby calling TryLead takes over as soon as the leader is gone. On becoming leader the
  // stored epoch is incremented (as AcquireEpoch) and returned; while leader, the same epoch is
  // returned again; nullopt while another Store holds the lead.
  virtual Result<std::optional<int64_t>> TryLead(std::string_view holder, int64_t at_ms) = 0;
  // Gives up the lead (no-op when not leader). The epoch is kept: the next leader bumps it.
  virtual void Resign() = 0;

  // --- What node agents report (docs/agent.md, "Where the service keeps it").
  // Inserts or replaces the node's row, unless the stored one changed later (a larger
  // last_change_ms: of two racing writes for one node the later change stays). Acknowledged
  // means durable: the service answers a changed report only after this.
  virtual Status PutObservedNode(const ObservedNodeRow& row) = 0;
  // Moves each listed node's last_seen_ms forward (never back), in one transaction; a node
  // with no row is skipped. The service's periodic flush of heartbeats.
  virtual Status SetLastSeen(const std::vector<NodeLastSeen>& seen) = 0;
  // Every stored node, by name.
  virtual Result<std::vector<ObservedNodeRow>> ListObservedNodes() = 0;

  // --- Events matching `filter`, by increasing id.
  virtual Result<std::vector<EventRecord>> ListEvents(const EventFilter& filter) = 0;

  virtual StoreStats Stats() = 0;
};

// Opens (creating if needed) the SQLite database at `path` and brings its schema up to date.
// FailedPrecondition when the file's schema is newer than this binary knows; IOError when it
// cannot be opened. `path` must name a file (":memory:" is not supported: readers use a
// second connection).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options = {});

// Connects to the PostgreSQL database named by `conninfo` (a libpq connection string or URI,
// "postgresql://user@127.0.0.1/gpufleet") and brings its schema up to date; several processes
// may share it. IOError when it cannot connect, FailedPrecondition for a newer schema.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const StoreOptions& options = {});

// "sqlite:<path>" or a bare path opens SQLite; "postgresql://..." or "postgres://..." opens
// PostgreSQL. What gpufleetd's --store flag takes.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location,
                                         const StoreOptions& options = {});
// As OpenStore, but a SQLite file that is not there is NotFound instead of created: for tools
// that inspect or repair a service's store, where a typo must not make an empty one.
Result<std::unique_ptr<Store>> OpenExistingStore(const std::string& location,
                                                 const StoreOptions& options = {});

// `location` as it may be printed or logged: a PostgreSQL URI's password (in its user
// information or a `password=` parameter) becomes "***"; anything else is returned as is.
std::string RedactedLocation(std::string_view location);

}  // namespace gpufleet::store
