#include "store/pg_connection.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace gpufleet::store {
namespace {

// libpq's messages end in a newline; ours do not.
std::string Trimmed(const char* msg) {
  std::string s = msg != nullptr ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The first line of a statement is enough to say which one failed.
std::string Brief(const char* sql) {
  std::string_view s(sql);
  s = s.substr(0, s.find('\n'));
  constexpr size_t kMaxLength = 80;
  return std::string(s.substr(0, kMaxLength));
}

}  // namespace

PgResult::PgResult(PgResult&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(res_);
    res_ = std::exchange(other.res_, nullptr);
  }
  return *this;
}

PgResult::~PgResult() { PQclear(res_); }

std::string PgResult::Text(int row, int col) const {
  return {PQgetvalue(res_, row, col), static_cast<size_t>(PQgetlength(res_, row, col))};
}

int64_t PgResult::Int(int row, int col) const {
  const char* v = PQgetvalue(res_, row, col);
  if (std::strcmp(v, "t") == 0) return 1;
  if (std::strcmp(v, "f") == 0) return 0;
  return std::strtoll(v, nullptr, 10);
}

int64_t PgResult::Affected() const { return std::strtoll(PQcmdTuples(res_), nullptr, 10); }

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo,
                                                         int32_t lock_timeout_ms) {
  PGconn* raw = PQconnectdb(conninfo.c_str());
  if (raw == nullptr) return Status::IOError("store: cannot connect to PostgreSQL: out of memory");
  std::unique_ptr<PgConnection> conn(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    // Never echo the conninfo: it may hold a password.
    return Status::IOError("store: cannot connect to PostgreSQL: " + Trimmed(PQerrorMessage(raw)));
  }
  // Notices ("relation already exists, skipping") would go to stderr by default.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  // synchronous_commit on whatever the server's default: an acknowledged write is durable,
  // which is the Store's contract. lock_timeout plays SQLite's busy timeout.
  const std::string settings =
      "SET synchronous_commit = on; SET lock_timeout = " + std::to_string(lock_timeout_ms) +
      "; SET TIME ZONE 'UTC'";
  GPUFLEET_RETURN_IF_ERROR(conn->Exec(settings.c_str()));
  return conn;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Exec(const char* sql) {
  // With several statements PQexec stops at the first failure and returns its result.
  PgResult res(PQexec(conn_, sql));
  const ExecStatusType st = PQresultStatus(res.raw());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
  return Error(sql, res.raw());
}

Result<PgResult> PgConnection::Query(const char* sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p.has_value() ? p->c_str() : nullptr);
  PgResult res(PQexecParams(conn_, sql, static_cast<int>(params.size()), /*paramTypes=*/nullptr,
                            values.data(), /*paramLengths=*/nullptr, /*paramFormats=*/nullptr,
                            /*resultFormat=*/0));
  const ExecStatusType st = PQresultStatus(res.raw());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  return Error(sql, res.raw());
}

Result<std::vector<PgResult>> PgConnection::QueryPipelined(
    const char* sql, const std::vector<std::vector<PgParam>>& batch) {
  if (PQenterPipelineMode(conn_) != 1) {
    return Status::IOError("store: pipeline: " + Trimmed(PQerrorMessage(conn_)));
  }
  size_t sent = 0;
  for (const std::vector<PgParam>& params : batch) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const PgParam& p : params) values.push_back(p.has_value() ? p->c_str() : nullptr);
    if (PQsendQueryParams(conn_, sql, static_cast<int>(params.size()), nullptr, values.data(),
                          nullptr, nullptr, 0) != 1) {
      break;
    }
    ++sent;
  }
  const bool synced = PQpipelineSync(conn_) == 1;
  // Drain every result up to the sync point, even after a failure, so that the connection
  // leaves pipeline mode in a known state.
  std::vector<PgResult> out;
  out.reserve(sent);
  Status first_error;
  for (size_t i = 0; i < sent; ++i) {
    PgResult res(PQgetResult(conn_));
    if (res.raw() == nullptr) {
      broken_ = true;
      return Status::IOError("store: pipeline: " + Trimmed(PQerrorMessage(conn_)));
    }
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);  // up to this query's end
    const ExecStatusType st = PQresultStatus(res.raw());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && first_error.ok()) {
      first_error = st == PGRES_PIPELINE_ABORTED ? Status::Aborted("store: pipeline aborted")
                                                 : Error(sql, res.raw());
    }
    out.push_back(std::move(res));
  }
  if (synced) {
    PgResult sync(PQgetResult(conn_));
    if (sync.raw() == nullptr || PQresultStatus(sync.raw()) != PGRES_PIPELINE_SYNC) {
      broken_ = true;
    }
  }
  if (!synced || PQexitPipelineMode(conn_) != 1) broken_ = true;
  if (broken_) return Status::IOError("store: pipeline: " + Trimmed(PQerrorMessage(conn_)));
  if (sent < batch.size() && first_error.ok()) {
    return Status::IOError("store: pipeline: " + Trimmed(PQerrorMessage(conn_)));
  }
  if (!first_error.ok()) return first_error;
  return out;
}

bool PgConnection::Healthy() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

Status PgConnection::Error(const char* sql, const PGresult* res) const {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string msg =
      "store: " + Brief(sql) + ": " +
      Trimmed(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  const std::string_view code = state != nullptr ? state : "";
  if (code == "23505") return Status::AlreadyExists(msg);  // unique_violation
  // serialization_failure, deadlock_detected: the transaction may succeed if retried.
  if (code == "40001" || code == "40P01") return Status::Aborted(msg);
  // Other integrity violations (foreign key, check): the write contradicts stored state.
  if (code.starts_with("23")) return Status::FailedPrecondition(msg);
  return Status::IOError(msg);
}

Result<std::unique_ptr<PgTransaction>> PgTransaction::Begin(PgConnection& conn, const char* begin) {
  GPUFLEET_RETURN_IF_ERROR(conn.Exec(begin));
  return std::unique_ptr<PgTransaction>(new PgTransaction(conn));
}

PgTransaction::~PgTransaction() {
  if (!done_) (void)conn_.Exec("ROLLBACK");
}

Status PgTransaction::Commit() {
  // COMMIT of a transaction that already failed "succeeds" with the tag ROLLBACK.
  GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult res, conn_.Query("COMMIT"));
  done_ = true;
  if (std::strcmp(PQcmdStatus(res.raw()), "COMMIT") != 0) {
    return Status::Aborted("store: COMMIT: the transaction was rolled back");
  }
  return Status::Ok();
}

std::string PgTextArray(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string PgIntArray(const std::vector<int64_t>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + std::to_string(items[i]);
  out += '}';
  return out;
}

}  // namespace gpufleet::store
