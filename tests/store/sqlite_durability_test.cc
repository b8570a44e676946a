// Acknowledged submissions survive closing the store, concurrent group commit, and SIGKILL of
// the writing process.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST_F(SqliteDurabilityTest, ConcurrentRetriesWithOneKeyMakeOneJob) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->PutTenant(MakeTenant("acme")).ok());
  JobSpec spec = MakeSpec("acme", "retried");
  spec.idempotency_key = "same";
  constexpr int kThreads = 8;
  std::vector<JobId> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result<JobRecord> job = store->SubmitJob(spec);
      if (job.ok()) ids[t] = job->id;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_NE(ids[0], JobId(0));
  for (JobId id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(AllJobs(*store).size(), 1u);
}

// A child process submits from several threads and reports each acknowledged id through a
// pipe; the parent SIGKILLs it mid-stream and every reported id must be in the file.
// Runs fork() while this process has no other threads (every earlier store was destroyed,
// joining its committer).
TEST_F(SqliteDurabilityTest, SigkilledWriterLosesNoAcknowledgedJob) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->PutTenant(MakeTenant("acme")).ok());
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
    if (!store.ok()) _exit(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&store, &fds, t] {
        for (int i = 0;; ++i) {
          Result<JobRecord> job = (*store)->SubmitJob(
              MakeSpec("acme", "c" + std::to_string(t) + "-" + std::to_string(i)));
          if (!job.ok()) _exit(3);
          const uint64_t id = job->id.value();
          // 8 bytes < PIPE_BUF: atomic even with several writers.
          if (write(fds[1], &id, sizeof id) != static_cast<ssize_t>(sizeof id)) _exit(4);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    _exit(0);
  }
  close(fds[1]);
  constexpr size_t kWanted = 500;
  std::vector<uint64_t> reported;
  while (reported.size() < kWanted) {
    uint64_t id = 0;
    size_t got = 0;
    while (got < sizeof id) {
      const ssize_t n = read(fds[0], reinterpret_cast<char*>(&id) + got, sizeof id - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got < sizeof id) break;  // the child died early
    reported.push_back(id);
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  close(fds[0]);
  ASSERT_EQ(reported.size(), kWanted) << "child exited early with status " << wstatus;
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);

  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  for (uint64_t id : reported) {
    EXPECT_TRUE(store->GetJob(JobId(id)).ok()) << "acknowledged job " << id << " lost";
  }
  EXPECT_GE(AllJobs(*store).size(), kWanted);
}

}  // namespace
}  // namespace gpufleet::store
