// What only the SQLite store does: locations, the file beside the database that carries the
// lead, and its own migration history. The contract shared with PostgreSQL is checked in
// store_conformance_test.cc.

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <string>

#include "gpufleet/store/store.h"
#include "store/migrations.h"
#include "store/store_test_util.h"

namespace gpufleet::store {
namespace {

using Code = Status::Code;

class SqliteStoreTest : public StoreFileTest {};

TEST_F(SqliteStoreTest, LocationsThatNameNoFileAreRejected) {
  for (const std::string path : {"", ":memory:", "file:x.db?mode=memory"}) {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
    ASSERT_FALSE(store.ok()) << path;
    EXPECT_EQ(store.status().code(), Code::kInvalidArgument) << path;
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_, {.max_batch = 0});
  EXPECT_EQ(store.status().code(), Code::kInvalidArgument);
}

TEST_F(SqliteStoreTest, OpenStoreTakesASqlitePrefixOrABarePath) {
  {
    Result<std::unique_ptr<Store>> store = OpenStore("sqlite:" + path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->PutTenant(MakeTenant("acme")).ok());
  }
  Result<std::unique_ptr<Store>> store = OpenStore(path_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->GetTenant("acme").ok());
}

// Whether another open file description can take the lead file's lock right now.
bool LeadFileIsFree(const std::string& path) {
  const int fd = ::open((path + ".leader").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  EXPECT_GE(fd, 0);
  const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return free;
}

TEST_F(SqliteStoreTest, TheLeadIsAnExclusiveLockOnAFileBesideTheDatabase) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::optional<int64_t>> led = store->TryLead("sched", 1);
  ASSERT_TRUE(led.ok() && led->has_value()) << led.status().ToString();
  EXPECT_FALSE(LeadFileIsFree(path_));
  store->Resign();
  EXPECT_TRUE(LeadFileIsFree(path_));
}

TEST_F(SqliteStoreTest, EveryKnownMigrationIsRecordedOnce) {
  ASSERT_NE(Open(), nullptr);
  ASSERT_NE(Open(), nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*), MAX(version) FROM schema_migrations", -1, &q,
                               nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), static_cast<int>(SqliteMigrations().size()));
  EXPECT_EQ(sqlite3_column_int(q, 1), SqliteMigrations().back().version);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

}  // namespace
}  // namespace gpufleet::store
