// The Store contract under concurrency and process death, on every back end: group commit of
// concurrent submissions, one job per idempotency key under concurrent retries, one leader at
// a time with the former leader fenced, leadership released when its process dies, and no
// acknowledged submission lost to SIGKILL.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store_conformance_fixture.h"

namespace gpufleet::store {
namespace {

using Code = Status::Code;

class StoreConcurrencyTest : public StoreConformanceTest {};

INSTANTIATE_TEST_SUITE_P(Backends, StoreConcurrencyTest, StoreBackendNames(), BackendTestName);

TEST_P(StoreConcurrencyTest, ConcurrentSubmissionsAreGroupCommitted) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  constexpr int kTotal = kThreads * kPerThread;
  std::vector<std::vector<JobId>> ids(kThreads);
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([this, &ids, t] {
        for (int i = 0; i < kPerThread; ++i) {
          Result<JobRecord> job = store_->SubmitJob(
              MakeSpec("acme", "t" + std::to_string(t) + "-" + std::to_string(i)));
          if (!job.ok()) {
            ADD_FAILURE() << job.status().ToString();
            return;
          }
          ids[t].push_back(job->id);
        }
      });
    }
    for (std::thread& th : threads) th.join();
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);

  std::set<JobId> distinct;
  for (const std::vector<JobId>& per_thread : ids) {
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kPerThread));
    // One caller's submissions are acknowledged in order, so their ids increase.
    for (size_t i = 1; i < per_thread.size(); ++i) EXPECT_GT(per_thread[i], per_thread[i - 1]);
    distinct.insert(per_thread.begin(), per_thread.end());
  }
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kTotal));
  for (const JobId id : distinct) {
    Result<JobRecord> got = store_->GetJob(id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
  }
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.submitted_jobs, static_cast<uint64_t>(kTotal));
  EXPECT_LT(stats.submit_transactions, static_cast<uint64_t>(kTotal));
  std::printf("[ measure  ] %s: %d submissions from %d threads in %lld ms, %llu transactions\n",
              GetParam().c_str(), kTotal, kThreads, static_cast<long long>(elapsed.count()),
              static_cast<unsigned long long>(stats.submit_transactions));
  RecordProperty("transactions", std::to_string(stats.submit_transactions));
  RecordProperty("wall_ms", std::to_string(elapsed.count()));
}

TEST_P(StoreConcurrencyTest, ConcurrentRetriesWithOneKeyStoreOneJob) {
  constexpr int kThreads = 8;
  std::vector<JobId> ids(kThreads);
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([this, &ids, t] {
        JobSpec spec = MakeSpec("acme", "retry " + std::to_string(t));
        spec.idempotency_key = "same-key";
        Result<JobRecord> job = store_->SubmitJob(spec);
        ASSERT_TRUE(job.ok()) << job.status().ToString();
        ids[t] = job->id;
      });
    }
    for (std::thread& th : threads) th.join();
  }
  for (const JobId id : ids) EXPECT_EQ(id, ids[0]);
  Result<JobPage> page = store_->ListJobs({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->jobs.size(), 1u);
  EXPECT_EQ(Events().size(), 1u);
}

TEST_P(StoreConcurrencyTest, OneLeaderAtATimeAndTheFormerLeaderIsFenced) {
  const JobRecord a = Submit("acme", "a");
  std::unique_ptr<Store> standby = Open();
  ASSERT_NE(standby, nullptr);

  const std::optional<int64_t> first = TryLead(*store_, "sched-a");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(TryLead(*store_, "sched-a"), first);  // still leader: same epoch
  EXPECT_EQ(TryLead(*standby, "sched-b"), std::nullopt);
  EXPECT_EQ(TryLead(*standby, "sched-b"), std::nullopt);
  standby->Resign();  // not leader: no-op

  store_->Resign();
  const std::optional<int64_t> second = TryLead(*standby, "sched-b");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *first + 1);
  EXPECT_EQ(TryLead(*store_, "sched-a"), std::nullopt);

  // The former leader's schedule, computed under its old epoch, writes nothing.
  const size_t events_before = Events().size();
  Schedule stale = AtEpoch(*first);
  stale.starts.push_back({.job = a.id, .placements = TwoReplicas(), .started_at_ms = 20});
  Result<ScheduleOutcome> out = store_->ApplySchedule(stale);
  EXPECT_EQ(out.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            "fenced: epoch " + std::to_string(*first) + " < " + std::to_string(*second));
  EXPECT_EQ(store_->GetJob(a.id)->state, JobState::kPending);
  EXPECT_EQ(Events().size(), events_before);

  // Destroying the leader hands over too.
  standby.reset();
  const std::optional<int64_t> third = TryLead(*store_, "sched-a");
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(*third, *second + 1);
  const std::vector<EventRecord> events = Events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "epoch");
  EXPECT_EQ(events.back().detail, std::to_string(*third) + " sched-a");
  EXPECT_EQ(events.back().tenant, "");
}

// The lead survives neither Resign nor the process: a leader killed with SIGKILL (no
// destructor, no Resign) is replaced as soon as the kernel or the server notices.
TEST_P(StoreConcurrencyTest, LeadershipIsReleasedWhenTheLeaderProcessDies) {
  store_.reset();  // no store threads or connections in the process being forked
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    // Only async-signal-safe exits from here: never return into the test runner.
    Result<std::unique_ptr<Store>> store = backend_->Open();
    char answer = '0';
    if (store.ok()) {
      Result<std::optional<int64_t>> led = (*store)->TryLead("child", 1);
      if (led.ok() && led->has_value()) answer = '1';
    }
    if (write(ready[1], &answer, 1) != 1) _exit(2);
    for (;;) pause();  // holds the lead until killed
  }
  close(ready[1]);
  char answer = 0;
  ASSERT_EQ(read(ready[0], &answer, 1), 1);
  close(ready[0]);
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(answer, '1');
  EXPECT_EQ(TryLead(*store_, "parent"), std::nullopt);  // the child leads

  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));

  // PostgreSQL releases the session lock once the backend sees the socket close.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::optional<int64_t> epoch;
  while (!(epoch = TryLead(*store_, "parent")).has_value() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
  }
  ASSERT_TRUE(epoch.has_value()) << "the lead was not released within 10 s of SIGKILL";
  const std::vector<EventRecord> events = Events();
  int epochs = 0;
  for (const EventRecord& e : events) epochs += e.kind == "epoch" ? 1 : 0;
  EXPECT_EQ(epochs, 2);  // the child's and ours
}

// A child process submits from several threads and reports each acknowledged id through a
// pipe; the parent SIGKILLs it mid-stream and every reported id must be stored.
// On SQLite that is the file's durability; on PostgreSQL, that no answer precedes its COMMIT.
// Runs fork() while this process has no other threads (the fixture's store is destroyed
// first, joining its committer).
TEST_P(StoreConcurrencyTest, SigkilledSubmitterLosesNoAcknowledgedJob) {
  store_.reset();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Result<std::unique_ptr<Store>> store = backend_->Open();
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

  store_ = Open();
  ASSERT_NE(store_, nullptr);
  for (uint64_t id : reported) {
    EXPECT_TRUE(store_->GetJob(JobId(id)).ok()) << "acknowledged job " << id << " lost";
  }
}

}  // namespace
}  // namespace gpufleet::store
