// Acknowledged submissions survive closing and reopening the database file, also under
// concurrent group commit. (SIGKILL of a submitting process is checked on every back end in
// store_conformance_test.cc.)

#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/store/store.h"
#include "store/store_test_util.h"

namespace gpufleet::store {
namespace {

class SqliteDurabilityTest : public StoreFileTest {
 protected:
  // Every job in the store, by walking the cursor.
  static std::vector<JobRecord> AllJobs(Store& store) {
    std::vector<JobRecord> out;
    JobFilter filter{.tenant = {}, .state = {}, .after = JobId(0), .limit = kMaxPageSize};
    for (;;) {
      Result<JobPage> page = store.ListJobs(filter);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) return out;
      out.insert(out.end(), page->jobs.begin(), page->jobs.end());
      if (!page->next.has_value()) return out;
      filter.after = *page->next;
    }
  }
};

TEST_F(SqliteDurabilityTest, ReopenedStoreHasEveryAcknowledgedJobAndIdsKeepIncreasing) {
  std::vector<JobRecord> acked;
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->PutTenant(MakeTenant("acme")).ok());
    for (int i = 0; i < 50; ++i) {
      Result<JobRecord> job = store->SubmitJob(MakeSpec("acme", "j" + std::to_string(i)));
      ASSERT_TRUE(job.ok()) << job.status().ToString();
      acked.push_back(*job);
    }
  }
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  for (const JobRecord& want : acked) {
    Result<JobRecord> got = store->GetJob(want.id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want);
  }
  EXPECT_EQ(AllJobs(*store).size(), acked.size());
  Result<JobRecord> next = store->SubmitJob(MakeSpec("acme", "after reopen"));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->id, acked.back().id);
}

TEST_F(SqliteDurabilityTest, ConcurrentSubmissionsShareTransactions) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  constexpr int kTotal = kThreads * kPerThread;
  std::vector<std::vector<JobId>> ids(kThreads);
  uint64_t transactions = 0;
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->PutTenant(MakeTenant("acme")).ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&store, &ids, t] {
        for (int i = 0; i < kPerThread; ++i) {
          Result<JobRecord> job =
              store->SubmitJob(MakeSpec("acme", "t" + std::to_string(t) + "-" + std::to_string(i)));
          if (!job.ok()) {
            ADD_FAILURE() << job.status().ToString();
            return;
          }
          ids[t].push_back(job->id);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    const StoreStats stats = store->Stats();
    transactions = stats.submit_transactions;
    EXPECT_EQ(stats.submitted_jobs, static_cast<uint64_t>(kTotal));
  }
  std::printf("group commit: %d submissions in %llu transactions\n", kTotal,
              static_cast<unsigned long long>(transactions));
  EXPECT_LT(transactions, static_cast<uint64_t>(kTotal));
  EXPECT_GE(transactions, 1u);

  std::set<JobId> distinct;
  for (const std::vector<JobId>& per_thread : ids) {
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kPerThread));
    for (size_t i = 1; i < per_thread.size(); ++i) EXPECT_LT(per_thread[i - 1], per_thread[i]);
    distinct.insert(per_thread.begin(), per_thread.end());
  }
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kTotal));

  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  std::set<JobId> stored;
  for (const JobRecord& j : AllJobs(*store)) stored.insert(j.id);
  EXPECT_EQ(stored, distinct);
}

}  // namespace
}  // namespace gpufleet::store
