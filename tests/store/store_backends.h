#pragma once
// The back ends the store suites run against, each giving the running test an empty database
// that any number of Stores (and processes) can open:
//   "sqlite"    a file under the test temp dir, removed (with its -wal, -shm and .leader
//               companions) before and after;
//   "postgres"  a fresh schema t_<pid>_<n>_<random> in the database named by the environment
//               variable GPUFLEET_TEST_POSTGRES, dropped afterwards. Stores open it through
//               the URI option search_path, so parallel tests share one database.
// Also raw SQL on that database, for what the Store interface cannot reach (schema versions).

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "gpufleet/store/store.h"

namespace gpufleet::store {

inline constexpr char kPostgresEnv[] = "GPUFLEET_TEST_POSTGRES";

class Backend {
 public:
  virtual ~Backend() = default;
  // Why this back end cannot run here (the test should skip), or nullptr when it can.
  virtual const char* Unavailable() const { return nullptr; }
  // What OpenStore takes for this database.
  virtual std::string Location() const = 0;
  // Runs `sql` on the database; the first column of the first row as text ("" when none).
  virtual Result<std::string> Query(const std::string& sql) = 0;

  Result<std::unique_ptr<Store>> Open(const StoreOptions& options = {}) const {
    return OpenStore(Location(), options);
  }
};

class SqliteBackend final : public Backend {
 public:
  SqliteBackend() {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(test->test_suite_name()) + "_" + test->name();
    for (char& c : name) {
      if (c == '/') c = '_';  // parameterised names
    }
    path_ =
        ::testing::TempDir() + "/gpufleet_store_" + name + "_" + std::to_string(getpid()) + ".db";
    RemoveFiles();
  }
  ~SqliteBackend() override { RemoveFiles(); }

  std::string Location() const override { return "sqlite:" + path_; }

  Result<std::string> Query(const std::string& sql) override {
    sqlite3* db = nullptr;
    if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK) {
      sqlite3_close(db);
      return Status::IOError("cannot open " + path_);
    }
    sqlite3_stmt* q = nullptr;
    std::string out;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(q, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    Status status = rc == SQLITE_ROW || rc == SQLITE_DONE
                        ? Status::Ok()
                        : Status::IOError(sql + ": " + sqlite3_errmsg(db));
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (!status.ok()) return status;
    return out;
  }

 private:
  void RemoveFiles() {
    for (const char* suffix : {"", "-wal", "-shm", ".leader"}) {
      std::remove((path_ + suffix).c_str());
    }
  }
  std::string path_;
};

class PostgresBackend final : public Backend {
 public:
  PostgresBackend() {
    const char* url = std::getenv(kPostgresEnv);
    if (url == nullptr || *url == '\0') return;
    url_ = url;
    static std::atomic<int> counter{0};
    schema_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
              std::to_string(std::random_device{}() % 1000000);
    admin_ = PQconnectdb(url_.c_str());
    if (PQstatus(admin_) != CONNECTION_OK) {
      ADD_FAILURE() << "cannot connect to " << kPostgresEnv << ": " << PQerrorMessage(admin_);
      return;
    }
    PQsetNoticeProcessor(
        admin_, [](void*, const char*) {}, nullptr);  // DROP ... CASCADE lists
    Status created = Exec("CREATE SCHEMA " + schema_);
    EXPECT_TRUE(created.ok()) << created.ToString();
    Status path = Exec("SET search_path TO " + schema_);
    EXPECT_TRUE(path.ok()) << path.ToString();
  }
  ~PostgresBackend() override {
    if (admin_ == nullptr) return;
    if (PQstatus(admin_) == CONNECTION_OK) {
      Status dropped = Exec("DROP SCHEMA " + schema_ + " CASCADE");
      EXPECT_TRUE(dropped.ok()) << dropped.ToString();
    }
    PQfinish(admin_);
  }

  const char* Unavailable() const override {
    return url_.empty() ? "GPUFLEET_TEST_POSTGRES is not set: start PostgreSQL with "
                          ".ci/start-postgres.sh"
                        : nullptr;
  }

  // libpq URIs take server options as a query parameter: "-c search_path=<schema>".
  std::string Location() const override {
    return url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema_;
  }

  Result<std::string> Query(const std::string& sql) override {
    PGresult* res = PQexec(admin_, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    std::string out;
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0) out = PQgetvalue(res, 0, 0);
    Status status = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK
                        ? Status::Ok()
                        : Status::IOError(sql + ": " + PQresultErrorMessage(res));
    PQclear(res);
    if (!status.ok()) return status;
    return out;
  }

  const std::string& schema() const { return schema_; }

 private:
  Status Exec(const std::string& sql) { return Query(sql).status(); }

  std::string url_;
  std::string schema_;
  PGconn* admin_ = nullptr;
};

inline std::unique_ptr<Backend> MakeBackend(const std::string& name) {
  if (name == "postgres") return std::make_unique<PostgresBackend>();
  return std::make_unique<SqliteBackend>();
}

}  // namespace gpufleet::store
