#pragma once
// Versioned schema migrations of the PostgreSQL store, applied on open and recorded in
// schema_migrations(version, name). A migration is never edited once released: changes are
// new migrations with the next version. The PostgreSQL history is its own: version numbers
// do not line up with the SQLite store's.

#include <cstdint>
#include <span>

#include "gpufleet/status.h"
#include "store/pg_connection.h"

namespace gpufleet::store {

struct PgMigration {
  int64_t version;  // 1, 2, ...: do not renumber
  const char* name;
  const char* sql;
};

// Every migration this binary knows, by increasing version.
std::span<const PgMigration> PostgresMigrations();

// Applies the migrations of `migrations` missing from the database, all in one transaction
// that first takes an advisory lock, so that processes opening the store at the same time
// migrate it once. FailedPrecondition when the database records a version newer than the
// last of `migrations`.
Status MigratePostgres(PgConnection& conn, std::span<const PgMigration> migrations);

}  // namespace gpufleet::store
