// The heartbeat load generator (bench/agent_load, docs/benchmarks.md "Agent heartbeats") in
// small, against a real gpufleetd that schedules a demo fleet: every report is accepted, the
// warm-up's first report of each node is a change and every later one a heartbeat, the
// heartbeats make no store write of a report, their last-seen times are flushed, and a
// restart reads them back. Correctness only: the rate it reaches is printed, never asserted.

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/daemon_api.h"
#include "support/daemon_process.h"

namespace gpufleet::agent {
namespace {

using gpufleet::testing::CliResult;
using gpufleet::testing::DaemonApi;
using gpufleet::testing::DaemonProcess;
using gpufleet::testing::FreshDir;
using gpufleet::testing::RunAgentLoad;

constexpr int kNodes = 500;
constexpr int kRate = 500;
constexpr int kSeconds = 3;

Result<std::unique_ptr<DaemonProcess>> StartDaemon(const std::string& dir) {
  return DaemonProcess::Start(
      {.args = {"--demo-gpus", "1024", "--store", dir + "/gpufleet.db", "--port", "0",
                "--admin-token-file", dir + "/admin-token", "--last-seen-flush-s", "0.5"},
       .stderr_path = dir + "/gpufleetd.stderr",
       .tmpdir = dir});
}

TEST(AgentLoadTest, HeartbeatsAreAcceptedWithoutStoreWritesAndTheirLastSeenSurvivesARestart) {
  const std::string dir = FreshDir("agent_load");
  Result<std::unique_ptr<DaemonProcess>> daemon = StartDaemon(dir);
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();

  const CliResult run =
      RunAgentLoad("--url http://127.0.0.1:" + std::to_string((*daemon)->port()) +
                   " --token-file " + dir + "/admin-token --nodes " + std::to_string(kNodes) +
                   " --devices 8 --rate " + std::to_string(kRate) + " --connections 8 --seconds " +
                   std::to_string(kSeconds) + " --await-flush-s 30");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const nlohmann::json out = nlohmann::json::parse(run.out);
  SCOPED_TRACE(out.dump(2));
  EXPECT_EQ(out["warmup"]["answered"], kNodes);
  EXPECT_EQ(out["warmup"]["changed"], kNodes);  // the first report of each node
  EXPECT_EQ(out["window"]["errors"], 0);
  EXPECT_EQ(out["window"]["answered"], kRate * kSeconds);
  EXPECT_EQ(out["window"]["changed"], 0);  // every later one a heartbeat
  EXPECT_EQ(out["store_writes_in_window"].value("observed", -1), 0);
  EXPECT_GE(out["last_seen_flushes_after_window"].get<int>(), 1);

  // A clean stop, a restart on the same store: the nodes are known at once, last seen at a
  // heartbeat's time (after the warm-up's change).
  const Result<int> stopped = (*daemon)->Stop(std::chrono::seconds(30));
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  ASSERT_EQ(*stopped, 0);
  daemon = StartDaemon(dir);
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const DaemonApi api((*daemon)->port(), (*daemon)->admin_token());
  for (const char* node : {"load%2Fn000000", "load%2Fn000499"}) {
    const auto [status, observed] = api.Call("GET", std::string("/v1/nodes/") + node + "/observed");
    ASSERT_EQ(status, 200) << observed.dump();
    EXPECT_EQ(observed["reports"], 0) << node;
    EXPECT_EQ(observed["first_seen"], observed["last_change"]) << node;
    EXPECT_GT(observed["last_seen"].get<std::string>(), observed["first_seen"].get<std::string>())
        << node;
    EXPECT_EQ(observed["report"]["devices"].size(), 8u) << node;
  }
}

TEST(AgentLoadTest, EveryAcknowledgedChangeSurvivesKillDashNine) {
  const std::string dir = FreshDir("agent_load_kill");
  Result<std::unique_ptr<DaemonProcess>> daemon = StartDaemon(dir);
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  constexpr int kChanged = 200;
  const CliResult run =
      RunAgentLoad("--url http://127.0.0.1:" + std::to_string((*daemon)->port()) +
                   " --token-file " + dir + "/admin-token --nodes " + std::to_string(kChanged) +
                   " --devices 8 --connections 8 --warmup-only");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const nlohmann::json out = nlohmann::json::parse(run.out);
  ASSERT_EQ(out["warmup"]["changed"], kChanged) << out.dump(2);

  (*daemon)->Kill();  // no flush, no clean stop: only what was committed before each 200
  daemon = StartDaemon(dir);
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const DaemonApi api((*daemon)->port(), (*daemon)->admin_token());
  for (int i = 0; i < kChanged; ++i) {
    char node[32];
    std::snprintf(node, sizeof node, "load%%2Fn%06d", i);
    const auto [status, observed] = api.Call("GET", std::string("/v1/nodes/") + node + "/observed");
    ASSERT_EQ(status, 200) << node << " " << observed.dump();
    ASSERT_EQ(observed["report"]["devices"].size(), 8u) << node;
  }
}

}  // namespace
}  // namespace gpufleet::agent
