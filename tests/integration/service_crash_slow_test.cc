// End-to-end reliability of gpufleetd, driving the real binary as a child process
// (integration/service_harness.h): kill -9 under load, five times over one SQLite store, and
// every acknowledged (201) job survives with its spec, no GPU is over-committed and no job is
// ever placed twice. The checks read the store itself after the daemons are gone (a
// consistent view), plus the crash points in between. ServiceTakeoverTest, the PostgreSQL
// leader/standby case, is in service_takeover_slow_test.cc.

#include <gtest/gtest.h>

#include "integration/service_harness.h"

namespace gpufleet::service_harness {
namespace {

TEST(ServiceCrashTest, AcknowledgedJobsSurviveKillNineUnderLoad) {
  constexpr int kRounds = 5;
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GPUFLEET_TEST_SEED=" + std::to_string(seed) +
               " replays the load and kill moments)");
  std::mt19937_64 rng(seed);
  const std::string dir = testing::FreshDir("service_crash");
  const std::string store_path = dir + "/gpufleet.db";

  std::map<std::string, std::string> tokens;
  std::map<std::string, int32_t> nodes;
  std::vector<Acked> acked;
  std::vector<int64_t> acked_per_round;
  int kills = 0;
  for (int round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string holder = "crash-r" + std::to_string(round);
    Result<std::unique_ptr<DaemonProcess>> daemon =
        DaemonProcess::Start(Daemon(dir, store_path, holder));
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    if (round == 1) {
      // Issued once: tokens live in the store, so later rounds prove they survived too.
      tokens = IssueTenantTokens((*daemon)->port(), (*daemon)->admin_token());
      ASSERT_EQ(tokens.size(), kDemoTenants.size());
      nodes = FetchNodes((*daemon)->port(), (*daemon)->admin_token());
      ASSERT_FALSE(nodes.empty());
    }

    Load load({.ports = {(*daemon)->port()},
               .tokens = tokens,
               .seed = rng(),
               .name_prefix = "crash-r" + std::to_string(round),
               .pace = milliseconds(0)});
    // The kill moment is the point of the test, not a wait for something to happen.
    const milliseconds kill_after(std::uniform_int_distribution<int>(300, 2000)(rng));
    std::this_thread::sleep_for(kill_after);
    (*daemon)->Kill();
    ++kills;
    const LoadResult result = load.Stop();

    EXPECT_GT(result.acked.size(), 0u) << "no job acknowledged in " << kill_after.count() << " ms";
    EXPECT_TRUE(result.other_statuses.empty())
        << "responses other than 201:" << Join(result.sample_errors);
    acked_per_round.push_back(static_cast<int64_t>(result.acked.size()));
    acked.insert(acked.end(), result.acked.begin(), result.acked.end());
    std::printf("[ crash    ] round %d: killed after %lld ms, %zu jobs acknowledged\n", round,
                static_cast<long long>(kill_after.count()), result.acked.size());

    // The state the next start recovers from, read while no daemon runs.
    const Coverage covered = CheckStore("sqlite:" + store_path, nodes,
                                        "after kill -9 in round " + std::to_string(round));
    std::printf("[ crash    ] after the kill: %s\n", Describe(covered).c_str());
  }

  // A clean start after the last crash: the scheduler must resume from the crashed state.
  int64_t last_event = 0;
  {
    Result<std::unique_ptr<store::Store>> opened = store::OpenStore("sqlite:" + store_path);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    last_event = LastEventId(**opened);
  }
  Result<std::unique_ptr<DaemonProcess>> daemon =
      DaemonProcess::Start(Daemon(dir, store_path, "crash-final"));
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  EXPECT_TRUE(
      AwaitLeaderPass((*daemon)->port(), (*daemon)->admin_token(), "crash-final", last_event))
      << "stderr:\n"
      << (*daemon)->StderrTail();
  EXPECT_EQ(FetchNodes((*daemon)->port(), (*daemon)->admin_token()), nodes)
      << "the demo fleet changed between starts";
  const Result<int> exit_code = (*daemon)->Stop(milliseconds(30000));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  EXPECT_EQ(*exit_code, 0) << "stderr:\n" << (*daemon)->StderrTail();

  Result<std::unique_ptr<store::Store>> opened = store::OpenStore("sqlite:" + store_path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::vector<store::JobRecord> jobs = AllJobs(**opened);
  const std::vector<std::string> lost = CheckAcknowledged(acked, jobs);
  EXPECT_TRUE(lost.empty()) << lost.size() << " of " << acked.size()
                            << " acknowledged jobs lost or changed:" << Join(lost);
  opened->reset();
  const Coverage covered = CheckStore("sqlite:" + store_path, nodes, "after the clean restart");
  // Not vacuous: the scheduler placed jobs, and some of them ended, across the crashes.
  EXPECT_GT(covered.events.count("started") ? covered.events.at("started") : 0, 0)
      << Describe(covered);
  EXPECT_GT(covered.running, 0) << Describe(covered);

  std::string per_round;
  for (const int64_t n : acked_per_round)
    per_round += (per_round.empty() ? "" : ",") + std::to_string(n);
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  ::testing::Test::RecordProperty("kills", kills);
  ::testing::Test::RecordProperty("acknowledged_per_round", per_round);
  ::testing::Test::RecordProperty("acknowledged_total", static_cast<int>(acked.size()));
  ::testing::Test::RecordProperty("stored_jobs", static_cast<int>(jobs.size()));
  ::testing::Test::RecordProperty("coverage", Describe(covered));
  std::printf(
      "[ crash    ] seed %llu: %d kills, acknowledged per round %s, %zu in all; at the "
      "end %s\n",
      static_cast<unsigned long long>(seed), kills, per_round.c_str(), acked.size(),
      Describe(covered).c_str());
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gpufleet::service_harness
