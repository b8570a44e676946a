// A running gpufleetd schedules on the inventory as it stands, without a restart: a board
// moved away through POST /v1/inventory/changes sends the job running on its node back to
// pending with a reason naming the board and its ledger entry, the node shrinks in
// GET /v1/nodes, and the board moved back lets the job run again.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_api.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {
namespace {

// The example fleet's only node of eight A100s, and one of its boards.
constexpr char kNode[] = "sh-03/sh03-a100-n01";
constexpr char kNodePath[] = "/v1/nodes/sh-03%2Fsh03-a100-n01";
constexpr char kBoard[] = "1322521000001";

TEST(GpufleetdLiveFleetTest, MovingABoardAwayPreemptsTheJobOnItsNodeWithoutARestart) {
  const std::string dir = FreshDir("gpufleetd_live_fleet");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {.args = {"--store", dir + "/gpufleet.db", "--port", "0", "--admin-token-file",
                dir + "/admin-token", "--at", "2026-01-15", "--fleet",
                std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml"},
       .stderr_path = dir + "/stderr",
       .tmpdir = dir});
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const DaemonApi api((*daemon)->port(), (*daemon)->admin_token());

  ASSERT_EQ(api.Call("PUT", "/v1/tenants/t1", {{"name", "T1"}, {"org", "acme"}}).first, 201);
  const auto [submitted, job] = api.Call(
      "POST", "/v1/jobs", {{"tenant", "t1"}, {"name", "e2e"}, {"gpus", 8}, {"models", {"A100"}}});
  ASSERT_EQ(submitted, 201) << job.dump();
  const std::string path = "/v1/jobs/" + std::to_string(job["id"].get<uint64_t>());
  const nlohmann::json running =
      api.Await(path, [](const nlohmann::json& j) { return InState(j, "running"); });
  ASSERT_TRUE(InState(running, "running"));
  ASSERT_EQ(running["placements"][0]["node"], kNode);

  // One board of the node moves to another node of the site: eight GPUs no longer fit.
  const int64_t moved =
      api.Change({{"kind", "move"}, {"serial", kBoard}, {"site", "sh-03"}, {"node", "sh03-spare"}});
  ASSERT_GE(moved, 0);
  // Preempted in the pass after the change, and given a reason to wait in the one after.
  const nlohmann::json pending = api.Await(path, [](const nlohmann::json& j) {
    return InState(j, "pending") && j["pending_reason"].is_string();
  });
  ASSERT_TRUE(InState(pending, "pending"));
  EXPECT_EQ(pending["last_preemption_reason"], "preempted: asset " + std::string(kBoard) +
                                                   " moved to sh-03/sh03-spare (ledger entry " +
                                                   std::to_string(moved) + "); node " + kNode +
                                                   " can no longer hold the job's placement");
  EXPECT_EQ(pending["preempted_count"], 1);
  // No A100 node holds eight now: the reason the cycle gives says so.
  EXPECT_EQ(pending["pending_reason"], "no node in the fleet has an accepted model with 8 GPUs");
  const auto [node_status, node] = api.Call("GET", kNodePath);
  ASSERT_EQ(node_status, 200) << node.dump();
  EXPECT_EQ(node["gpus"], 7);
  EXPECT_EQ(node["allocated"], 0);
  EXPECT_EQ(api.Call("GET", "/v1/nodes/sh-03%2Fsh03-spare").second["gpus"], 1);

  // Back where it was: the node holds eight again and the job runs again.
  ASSERT_GE(
      api.Change(
          {{"kind", "move"}, {"serial", kBoard}, {"site", "sh-03"}, {"node", "sh03-a100-n01"}}),
      0);
  const nlohmann::json again =
      api.Await(path, [](const nlohmann::json& j) { return InState(j, "running"); });
  ASSERT_TRUE(InState(again, "running"));
  EXPECT_EQ(again["placements"][0]["node"], kNode);
  EXPECT_EQ(api.Call("GET", "/v1/nodes/sh-03%2Fsh03-spare").first, 404);

  const Result<int> stopped = (*daemon)->Stop(std::chrono::seconds(30));
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  EXPECT_EQ(*stopped, 0);
}

// Without a scheduler the API still serves the fleet as the inventory stands.
TEST(GpufleetdLiveFleetTest, WithoutASchedulerTheApiServesTheFleetAsTheInventoryStands) {
  const std::string dir = FreshDir("gpufleetd_live_fleet_api");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {.args = {"--store", dir + "/gpufleet.db", "--port", "0", "--no-scheduler",
                "--admin-token-file", dir + "/admin-token", "--at", "2026-01-15", "--fleet",
                std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml"},
       .stderr_path = dir + "/stderr",
       .tmpdir = dir});
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const DaemonApi api((*daemon)->port(), (*daemon)->admin_token());
  ASSERT_EQ(api.Call("GET", kNodePath).second["gpus"], 8);
  ASSERT_GE(api.Change({{"kind", "retire"}, {"serial", kBoard}}), 0);
  const nlohmann::json node = api.Await(
      kNodePath, [](const nlohmann::json& j) { return j.is_object() && j.value("gpus", 0) == 7; });
  EXPECT_EQ(node["gpus"], 7);
  const Result<int> stopped = (*daemon)->Stop(std::chrono::seconds(30));
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  EXPECT_EQ(*stopped, 0);
}

}  // namespace
}  // namespace gpufleet::testing
