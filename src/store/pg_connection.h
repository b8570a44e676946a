#pragma once
// A thin RAII layer over one libpq connection: parameterised queries in text format, results
// read by row and column, SQL errors turned into Status, and a transaction guard that rolls
// back unless committed. Private to the PostgreSQL back end.
// Thread safety: none; a PgConnection is used by one thread at a time (PostgresStore leases
// them from a pool).

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"
#include "store/assign_or_return.h"

namespace gpufleet::store {

// One query parameter in text format; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;
inline PgParam PgInt(int64_t v) { return std::to_string(v); }
inline PgParam PgText(std::string_view v) { return std::string(v); }
inline PgParam PgBool(bool b) { return PgText(b ? "true" : "false"); }
// `v` as text, or NULL when absent.
template <typename T>
PgParam PgOptional(const std::optional<T>& v) {
  return v.has_value() ? PgText(*v) : PgParam();
}

// PostgreSQL array literals, to pass a whole column as one parameter ($1::text[]): each text
// item double-quoted with " and \ escaped.
std::string PgTextArray(const std::vector<std::string_view>& items);
std::string PgIntArray(const std::vector<int64_t>& items);

// Owns a PGresult. Rows and columns are 0-based.
class PgResult {
 public:
  explicit PgResult(PGresult* res) : res_(res) {}
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int Rows() const { return PQntuples(res_); }
  bool IsNull(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }
  std::string Text(int row, int col) const;
  // REQUIRES: the column is an integer (or boolean 't'/'f', read as 1/0).
  int64_t Int(int row, int col) const;
  // Rows written by an INSERT, UPDATE or DELETE.
  int64_t Affected() const;
  PGresult* raw() const { return res_; }

 private:
  PGresult* res_;
};

class PgConnection {
 public:
  // Connects to `conninfo` and applies the session settings: lock_timeout =
  // `lock_timeout_ms`, synchronous_commit = on. IOError naming the failure when it cannot.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo,
                                                    int32_t lock_timeout_ms);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs `sql` (one or more statements, no parameters), discarding any rows.
  Status Exec(const char* sql);
  // Runs one statement with $1.. bound to `params`.
  Result<PgResult> Query(const char* sql, const std::vector<PgParam>& params = {});
  // Runs `sql` once per element of `batch`, in order, in one round trip (libpq pipeline
  // mode); one result per run. The first failure is returned (the runs after it are skipped
  // by the server). REQUIRES: inside a transaction, so the runs commit or fail together.
  Result<std::vector<PgResult>> QueryPipelined(const char* sql,
                                               const std::vector<std::vector<PgParam>>& batch);

  // False once the connection was lost or left in an unknown protocol state; it can then
  // only be thrown away.
  bool Healthy() const;
  // Idle: not inside a transaction (a leased connection must come back idle).
  bool Idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Status Error(const char* sql, const PGresult* res) const;
  PGconn* conn_;
  bool broken_ = false;  // a pipeline could not be drained
};

// BEGIN on construction; ROLLBACK on destruction unless Commit() succeeded.
class PgTransaction {
 public:
  // `begin` is the BEGIN statement (isolation level, READ ONLY).
  static Result<std::unique_ptr<PgTransaction>> Begin(PgConnection& conn,
                                                      const char* begin = "BEGIN");
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  ~PgTransaction();
  Status Commit();

 private:
  explicit PgTransaction(PgConnection& conn) : conn_(conn) {}
  PgConnection& conn_;
  bool done_ = false;
};

}  // namespace gpufleet::store

// Advisory lock keys. Advisory locks belong to the whole database, but one database may hold
// several stores, one per schema (the tests do this), so each key combines what it guards
// (high 32 bits, 'gf' + a number) with the oid of the store's schema (low 32 bits).
#define GPUFLEET_PG_LOCK_KEY(purpose) \
  "((x'6766" purpose                  \
  "'::bigint << 32) | "               \
  "(SELECT oid::bigint FROM pg_namespace WHERE nspname = current_schema()))"
#define GPUFLEET_PG_MIGRATE_LOCK GPUFLEET_PG_LOCK_KEY("0001")  // schema migrations
#define GPUFLEET_PG_WRITE_LOCK GPUFLEET_PG_LOCK_KEY("0002")    // writes appending events
#define GPUFLEET_PG_LEAD_LOCK GPUFLEET_PG_LOCK_KEY("0003")     // the scheduler's leadership
