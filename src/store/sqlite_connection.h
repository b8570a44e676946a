#pragma once
// A thin RAII layer over one sqlite3 connection: prepared statements cached per connection,
// binding and reading by column index, and a transaction guard that rolls back unless
// committed. Private to the SQLite back end.
// Thread safety: none; the owner serialises access (SqliteStore holds a mutex per connection).

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "gpufleet/status.h"
#include "store/assign_or_return.h"

namespace gpufleet::store {

class SqliteConnection;

// A cached prepared statement borrowed from its connection; reset (and its bindings cleared)
// when this handle goes away, so the next user starts clean. Columns and parameters are
// 0-based and 1-based respectively, as in SQLite.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, SqliteConnection* conn) : stmt_(stmt), conn_(conn) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);

  // True when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, ignoring rows.
  Status Run();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string Text(int column) const;

 private:
  sqlite3_stmt* stmt_;
  SqliteConnection* conn_;
  int bind_error_ = SQLITE_OK;
};

class SqliteConnection {
 public:
  // Opens (creating) `path` and applies the connection settings: WAL, synchronous=FULL,
  // foreign keys, busy timeout.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        int32_t busy_timeout_ms);
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();

  // Runs one or more statements that return no rows.
  Status Exec(const char* sql);
  // The cached statement for `sql`, prepared on first use.
  Result<Statement> Prepare(const char* sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  // IOError "<what>: <sqlite message>" for the connection's last error.
  Status Error(std::string_view what, int rc) const;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  // Keyed by the SQL text's address: every caller passes a string literal.
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE on construction (taking the write lock up front, so a transaction never
// fails half-way on a lock upgrade); ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(SqliteConnection& conn);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(SqliteConnection& conn) : conn_(conn) {}
  SqliteConnection& conn_;
  bool done_ = false;
};

}  // namespace gpufleet::store
