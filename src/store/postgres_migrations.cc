#include "store/postgres_migrations.h"

#include <string>

namespace gpufleet::store {
namespace {

// Version 1: the schema of SQLite's versions 1 and 2 in PostgreSQL types. Identity columns
// never reuse an id (a rolled-back insert leaves a gap, which is fine). Events carry their
// job's tenant ("" for the fleet's own), so a tenant's feed is one index range.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  org TEXT NOT NULL,
  external BOOLEAN NOT NULL,
  priority INTEGER NOT NULL,
  created_at_ms BIGINT NOT NULL
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
  created_at_ms BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE jobs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  priority INTEGER NOT NULL,
  data_class TEXT NOT NULL,
  models TEXT NOT NULL,
  gpu_count INTEGER NOT NULL,
  gpu_milli INTEGER NOT NULL,
  replicas INTEGER NOT NULL,
  cpu_milli BIGINT NOT NULL,
  memory_mib BIGINT NOT NULL,
  duration_s BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'completed', 'cancelled')),
  submitted_at_ms BIGINT NOT NULL,
  started_at_ms BIGINT NOT NULL DEFAULT 0,
  finished_at_ms BIGINT NOT NULL DEFAULT 0,
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
  job_id BIGINT NOT NULL REFERENCES jobs(id),
  replica INTEGER NOT NULL,
  node TEXT NOT NULL,
  gpu_mask BIGINT NOT NULL,
  epoch BIGINT NOT NULL,
  PRIMARY KEY (job_id, replica)
);
CREATE TABLE events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  job_id BIGINT,
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX events_tenant ON events (tenant, id);
CREATE INDEX events_job ON events (job_id, id);
CREATE TABLE leadership (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch BIGINT NOT NULL,
  holder TEXT NOT NULL
);
INSERT INTO leadership (id, epoch, holder) VALUES (1, 0, '');
)sql";

// Version 2: the admin caps the priority a tenant's jobs may ask for (SQLite's version 3).
// Existing tenants get the default cap, store.h's kDefaultMaxJobPriority.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE tenants ADD COLUMN max_job_priority INTEGER NOT NULL DEFAULT 1000
  CHECK (max_job_priority >= 0);
)sql";

// Version 3: roles beyond admin and tenant, token ids, names, expiry, last use and revocation
// time (SQLite's version 4, which explains why legacy admin tokens are revoked). Written to be
// re-runnable (IF [NOT] EXISTS), as the SQLite one is by construction.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE tokens DROP CONSTRAINT IF EXISTS tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check
  CHECK (role IN ('admin', 'tenant', 'inventory', 'node', 'viewer'));
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS id TEXT;
UPDATE tokens SET id = 'tok_' || substr(sha256_hex, 1, 16) WHERE id IS NULL;
ALTER TABLE tokens ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS tokens_id ON tokens (id);
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS node TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS expires_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS last_used_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS revoked_at_ms BIGINT NOT NULL DEFAULT 0;
UPDATE tokens SET revoked = TRUE WHERE role = 'admin';
CREATE UNIQUE INDEX IF NOT EXISTS tokens_live_name ON tokens (name)
  WHERE name <> '' AND NOT revoked;
)sql";

// Version 4: the living inventory (SQLite's version 5).
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE IF NOT EXISTS inventory_entries (
  idx BIGINT PRIMARY KEY CHECK (idx >= 0),
  subject TEXT NOT NULL,
  kind TEXT NOT NULL,
  effective_ms BIGINT NOT NULL,
  recorded_ms BIGINT NOT NULL,
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
  last_entry BIGINT NOT NULL REFERENCES inventory_entries (idx),
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assets_site ON assets (site, serial);
CREATE INDEX IF NOT EXISTS assets_owner ON assets (owner, serial);
CREATE INDEX IF NOT EXISTS assets_operator ON assets (operator, serial);
CREATE TABLE IF NOT EXISTS ledger_checkpoints (
  size BIGINT PRIMARY KEY CHECK (size >= 0),
  note TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
)sql";

// Version 5: draining jobs (SQLite's version 6).
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS draining_until_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS draining_reason TEXT NOT NULL DEFAULT '';
)sql";

// Version 6: what node agents last reported (SQLite's version 7): the times apart from the
// report, so that a batch of last-seen times rewrites narrow tuples only.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE IF NOT EXISTS observed_nodes (
  node TEXT PRIMARY KEY,
  first_seen_ms BIGINT NOT NULL,
  last_change_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS observed_reports (
  node TEXT PRIMARY KEY,
  report TEXT NOT NULL
);
)sql";

constexpr PgMigration kMigrations[] = {
    {1, "initial schema", kSchemaV1},
    {2, "tenants cap their jobs' priority", kSchemaV2},
    {3, "token roles, ids, names and expiry", kSchemaV3},
    {4, "the living inventory", kSchemaV4},
    {5, "draining jobs", kSchemaV5},
    {6, "what node agents report", kSchemaV6},
};

Status Newer(int64_t current, int64_t known) {
  return Status::FailedPrecondition("store schema version " + std::to_string(current) +
                                    " is newer than this binary knows (" + std::to_string(known) +
                                    ")");
}

}  // namespace

std::span<const PgMigration> PostgresMigrations() { return kMigrations; }

Status MigratePostgres(PgConnection& conn, std::span<const PgMigration> migrations) {
  const int64_t known = migrations.empty() ? 0 : migrations.back().version;
  GPUFLEET_STORE_ASSIGN_OR_RETURN(std::unique_ptr<PgTransaction> txn, PgTransaction::Begin(conn));
  // Held until COMMIT: a second opener waits here, then sees the migrated schema.
  GPUFLEET_RETURN_IF_ERROR(conn.Exec("SELECT pg_advisory_xact_lock(" GPUFLEET_PG_MIGRATE_LOCK ")"));
  GPUFLEET_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version BIGINT PRIMARY KEY, name TEXT NOT NULL)"));
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  const int64_t current = q.Int(0, 0);
  if (current > known) return Newer(current, known);
  for (const PgMigration& m : migrations) {
    if (m.version <= current) continue;
    GPUFLEET_RETURN_IF_ERROR(conn.Exec(m.sql));
    GPUFLEET_RETURN_IF_ERROR(
        conn.Query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                   {PgInt(m.version), PgText(m.name)})
            .status());
  }
  return txn->Commit();
}

}  // namespace gpufleet::store
