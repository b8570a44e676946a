#pragma once
// Versioned schema migrations of the SQLite store, applied in order on open and recorded in
// schema_migrations(version, name). A migration is never edited once released: changes are
// new migrations with the next version.

#include <cstdint>
#include <span>

#include "gpufleet/status.h"
#include "store/sqlite_connection.h"

namespace gpufleet::store {

struct Migration {
  int64_t version;  // 1, 2, ...: do not renumber
  const char* name;
  const char* sql;
  // "table.column" for a migration that adds that column: skipped when the column is there,
  // since SQLite's ADD COLUMN cannot say IF NOT EXISTS and a migration must be able to run
  // again. nullptr: always run.
  const char* adds_column;
};

// Every migration this binary knows, by increasing version.
std::span<const Migration> SqliteMigrations();

// Applies the migrations of `migrations` missing from `conn`, each in its own transaction.
// FailedPrecondition when the database records a version newer than the last of
// `migrations`.
Status Migrate(SqliteConnection& conn, std::span<const Migration> migrations);

}  // namespace gpufleet::store
