// What only the PostgreSQL store does: connecting, migrating under an advisory lock while
// other processes open the same database, and a leadership session that can be lost. The
// contract shared with SQLite is checked in store_conformance_test.cc.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/store/store.h"
#include "store/postgres_migrations.h"
#include "store/store_backends.h"
#include "store/store_test_util.h"

namespace gpufleet::store {
namespace {

using Code = Status::Code;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* why = backend_.Unavailable(); why != nullptr) GTEST_SKIP() << why;
  }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = backend_.Open();
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  PostgresBackend backend_;
};

// Needs no server: nothing listens on port 1.
TEST(PostgresConnectTest, UnreachableServerIsIOErrorThatDoesNotEchoThePassword) {
  Result<std::unique_ptr<Store>> store =
      OpenStore("postgresql://gpufleet:s3cret-pw@127.0.0.1:1/gpufleet?connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kIOError);
  EXPECT_EQ(store.status().message().find("s3cret-pw"), std::string::npos)
      << store.status().message();
}

TEST_F(PostgresStoreTest, ProcessesOpeningAtOnceMigrateOnce) {
  constexpr int kOpeners = 6;
  std::vector<Status> results(kOpeners);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i) {
      threads.emplace_back([this, &results, i] { results[i] = backend_.Open().status(); });
    }
    for (std::thread& t : threads) t.join();
  }
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  const Result<std::string> versions =
      backend_.Query("SELECT COUNT(*) || ' ' || MAX(version) FROM schema_migrations");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_EQ(*versions, std::to_string(PostgresMigrations().size()) + " " +
                           std::to_string(PostgresMigrations().back().version));
}

// The database going away under a running store (here: the server ends every session of the
// store): calls fail with IOError, which the API answers 503, and the store recovers by
// itself, since broken connections leave the pool and the next call opens a fresh one.
TEST_F(PostgresStoreTest, KilledConnectionsAreIOErrorAndTheStoreRecoversByItself) {
  const std::string app = "gf_" + backend_.schema();
  Result<std::unique_ptr<Store>> opened =
      OpenStore(backend_.Location() + "&application_name=" + app);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Store> store = std::move(opened).value();
  ASSERT_TRUE(store->PutTenant(MakeTenant("acme")).ok());

  const Result<std::string> killed = backend_.Query(
      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '" +
      app + "'");
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  ASSERT_NE(*killed, "0");

  // Each pooled connection fails once, then is replaced; bounded by the pool's size.
  int failures = 0;
  Result<TenantRecord> got = Status::IOError("not tried");
  for (int i = 0; i < 16 && !got.ok(); ++i) {
    got = store->GetTenant("acme");
    if (!got.ok()) {
      ++failures;
      EXPECT_EQ(got.status().code(), Code::kIOError) << got.status().ToString();
    }
  }
  EXPECT_GE(failures, 1) << "the killed session was not noticed";
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->name, MakeTenant("acme").name);
  const Result<JobRecord> job = store->SubmitJob(MakeSpec("acme", "after-outage"));
  EXPECT_TRUE(job.ok()) << job.status().ToString();
}

// The pid of the session holding this schema's leadership lock, "" when none does.
Result<std::string> LeaderPid(PostgresBackend& backend) {
  return backend.Query(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
      "classid = x'67660003'::bigint::oid AND "
      "objid = (SELECT oid FROM pg_namespace WHERE nspname = '" +
      backend.schema() + "')");
}

TEST_F(PostgresStoreTest, ALostLeaderSessionIsNotLeaderAndReconnectsOnTheNextTry) {
  std::unique_ptr<Store> a = Open();
  std::unique_ptr<Store> b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Result<std::optional<int64_t>> first = a->TryLead("a", 1);
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status().ToString();
  const Result<std::string> pid = LeaderPid(backend_);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  ASSERT_FALSE(pid->empty());
  ASSERT_TRUE(backend_.Query("SELECT pg_terminate_backend(" + *pid + ")").ok());

  // Termination is asynchronous: poll (bounded) until b can take over.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Result<std::optional<int64_t>> second = b->TryLead("b", 2);
  while (second.ok() && !second->has_value() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
    second = b->TryLead("b", 2);
  }
  ASSERT_TRUE(second.ok() && second->has_value()) << second.status().ToString();
  EXPECT_EQ(**second, **first + 1);

  Result<std::optional<int64_t>> lost = a->TryLead("a", 3);
  ASSERT_TRUE(lost.ok()) << lost.status().ToString();
  EXPECT_FALSE(lost->has_value());
  b->Resign();
  Result<std::optional<int64_t>> again = a->TryLead("a", 4);  // on a new session
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ(**again, **second + 1);
}

// Advisory locks belong to the database; the store scopes them to its schema.
TEST_F(PostgresStoreTest, StoresInOtherSchemasOfOneDatabaseLeadIndependently) {
  std::unique_ptr<Store> here = Open();
  ASSERT_NE(here, nullptr);
  PostgresBackend elsewhere;
  Result<std::unique_ptr<Store>> there = elsewhere.Open();
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  Result<std::optional<int64_t>> led_here = here->TryLead("here", 1);
  Result<std::optional<int64_t>> led_there = (*there)->TryLead("there", 1);
  ASSERT_TRUE(led_here.ok() && led_there.ok());
  EXPECT_TRUE(led_here->has_value());
  EXPECT_TRUE(led_there->has_value());
}

}  // namespace
}  // namespace gpufleet::store
