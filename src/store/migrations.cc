#include "store/migrations.h"

#include <string>

namespace gpufleet::store {
namespace {

// Version 1: the service's initial schema. Booleans are 0/1 integers and times are int64
// milliseconds, so the same columns map onto PostgreSQL (BOOLEAN, BIGINT) unchanged.
// AUTOINCREMENT: ids are never reused, even after the highest row is deleted.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  org TEXT NOT NULL,
  external INTEGER NOT NULL CHECK (external IN (0, 1)),
  priority INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE quotas (
  tenant TEXT NOT NULL REFERENCES tenants(id),
  model TEXT NOT NULL,
  guaranteed_gpus INTEGER NOT NULL CHECK (guaranteed_gpus >= 0),
  PRIMARY KEY (tenant, model)
);
CREATE TABLE tokens (
  sha256_hex TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'tenant')),
  created_at_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  priority INTEGER NOT NULL,
  data_class TEXT NOT NULL,
  models TEXT NOT NULL,
  gpu_count INTEGER NOT NULL,
  gpu_milli INTEGER NOT NULL,
  replicas INTEGER NOT NULL,
  cpu_milli INTEGER NOT NULL,
  memory_mib INTEGER NOT NULL,
  duration_s INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'completed', 'cancelled')),
  submitted_at_ms INTEGER NOT NULL,
  started_at_ms INTEGER NOT NULL DEFAULT 0,
  finished_at_ms INTEGER NOT NULL DEFAULT 0,
  pending_reason TEXT NOT NULL DEFAULT '',
  preempted_count INTEGER NOT NULL DEFAULT 0,
  last_preemption_reason TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_tenant ON jobs (tenant, id);
CREATE TABLE placements (
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  replica INTEGER NOT NULL,
  node TEXT NOT NULL,
  gpu_mask INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  PRIMARY KEY (job_id, replica)
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  job_id INTEGER,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE leadership (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch INTEGER NOT NULL,
  holder TEXT NOT NULL
);
INSERT INTO leadership (id, epoch, holder) VALUES (1, 0, '');
)sql";

// Version 2: events carry their job's tenant, so a tenant's event feed is one index range
// instead of a join through jobs.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE events ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
UPDATE events SET tenant = COALESCE((SELECT tenant FROM jobs WHERE jobs.id = events.job_id), '');
CREATE INDEX events_tenant ON events (tenant, id);
)sql";

// Version 3: the admin caps the priority a tenant's jobs may ask for. Existing tenants get
// the default cap (store.h, kDefaultMaxJobPriority), which the literal below must match.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE tenants ADD COLUMN max_job_priority INTEGER NOT NULL DEFAULT 1000
  CHECK (max_job_priority >= 0);
)sql";

// Version 4: roles beyond admin and tenant, token ids, names, expiry, last use and revocation
// time. SQLite cannot change a CHECK constraint in place, so the table is copied. Admin tokens
// stored before this version were minted at every start and printed to the log: they are
// revoked, and the next start creates the one initial admin token (service/admin_token.h).
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE tokens_v4 (
  sha256_hex TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'tenant', 'inventory', 'node', 'viewer')),
  tenant TEXT NOT NULL DEFAULT '',
  node TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL DEFAULT 0,
  last_used_at_ms INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  revoked_at_ms INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tokens_v4 (sha256_hex, id, role, tenant, created_at_ms, revoked)
  SELECT sha256_hex, 'tok_' || substr(sha256_hex, 1, 16), role, tenant, created_at_ms,
         CASE WHEN role = 'admin' THEN 1 ELSE revoked END
  FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v4 RENAME TO tokens;
CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE name <> '' AND revoked = 0;
)sql";

// Version 5: the living inventory (re-runnable). inventory_entries is the log (the ledger's
// leaves), assets what it leaves; the service writes both in one transaction.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE IF NOT EXISTS inventory_entries (
  idx INTEGER PRIMARY KEY CHECK (idx >= 0),
  subject TEXT NOT NULL,
  kind TEXT NOT NULL,
  effective_ms INTEGER NOT NULL,
  recorded_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  hashes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inventory_entries_subject ON inventory_entries (subject, idx);
CREATE TABLE IF NOT EXISTS assets (
  serial TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  owner TEXT NOT NULL,
  operator TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'retired', 'lost')),
  last_entry INTEGER NOT NULL REFERENCES inventory_entries (idx),
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assets_site ON assets (site, serial);
CREATE INDEX IF NOT EXISTS assets_owner ON assets (owner, serial);
CREATE INDEX IF NOT EXISTS assets_operator ON assets (operator, serial);
CREATE TABLE IF NOT EXISTS ledger_checkpoints (
  size INTEGER PRIMARY KEY CHECK (size >= 0),
  note TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
)sql";

// Version 6: a running job may be draining, on hardware the rules took away, until a grace
// period ends.
constexpr const char* kSchemaV6 = R"sql(
ALTER TABLE jobs ADD COLUMN draining_until_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN draining_reason TEXT NOT NULL DEFAULT '';
)sql";

// Version 7: what node agents last reported (docs/agent.md), so that a restarted service knows
// every node at once. The times and the report are apart: a batch of last-seen times (every
// 10 s, one per node heard) then rewrites rows of a few dozen bytes, not pages holding a
// report of some kilobytes each.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE IF NOT EXISTS observed_nodes (
  node TEXT PRIMARY KEY,
  first_seen_ms INTEGER NOT NULL,
  last_change_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS observed_reports (
  node TEXT PRIMARY KEY,
  report TEXT NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kSchemaV1, nullptr},
    {2, "events carry their tenant", kSchemaV2, nullptr},
    {3, "tenants cap their jobs' priority", kSchemaV3, nullptr},
    {4, "token roles, ids, names and expiry", kSchemaV4, nullptr},
    {5, "the living inventory", kSchemaV5, nullptr},
    {6, "draining jobs", kSchemaV6, "jobs.draining_until_ms"},
    {7, "what node agents report", kSchemaV7, nullptr},
};

// Whether "table.column" exists.
Result<bool> HasColumn(SqliteConnection& conn, std::string_view table_column) {
  const size_t dot = table_column.find('.');
  Result<Statement> q = conn.Prepare("SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2");
  if (!q.ok()) return q.status();
  q->Bind(1, table_column.substr(0, dot)).Bind(2, table_column.substr(dot + 1));
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return q->Int(0) > 0;
}

Result<int64_t> CurrentVersion(SqliteConnection& conn) {
  Result<Statement> q = conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!q.ok()) return q.status();
  Result<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return q->Int(0);
}

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

Status Migrate(SqliteConnection& conn, std::span<const Migration> migrations) {
  GPUFLEET_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL)"));
  const int64_t known = migrations.empty() ? 0 : migrations.back().version;
  for (const Migration& m : migrations) {
    // Re-read under the write lock: another process may be migrating the same file.
    Result<std::unique_ptr<Transaction>> txn = Transaction::Begin(conn);
    if (!txn.ok()) return txn.status();
    Result<int64_t> current = CurrentVersion(conn);
    if (!current.ok()) return current.status();
    if (*current > known) {
      return Status::FailedPrecondition("store schema version " + std::to_string(*current) +
                                        " is newer than this binary knows (" +
                                        std::to_string(known) + ")");
    }
    if (*current >= m.version) continue;
    Result<bool> done =
        m.adds_column == nullptr ? Result<bool>(false) : HasColumn(conn, m.adds_column);
    if (!done.ok()) return done.status();
    if (!*done) GPUFLEET_RETURN_IF_ERROR(conn.Exec(m.sql));
    Result<Statement> ins =
        conn.Prepare("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)");
    if (!ins.ok()) return ins.status();
    GPUFLEET_RETURN_IF_ERROR(ins->Bind(1, m.version).Bind(2, m.name).Run());
    GPUFLEET_RETURN_IF_ERROR((*txn)->Commit());
  }
  // With no migration left to apply the loop may not have looked at the version at all.
  Result<int64_t> current = CurrentVersion(conn);
  if (!current.ok()) return current.status();
  if (*current > known) {
    return Status::FailedPrecondition("store schema version " + std::to_string(*current) +
                                      " is newer than this binary knows (" + std::to_string(known) +
                                      ")");
  }
  return Status::Ok();
}

}  // namespace gpufleet::store
