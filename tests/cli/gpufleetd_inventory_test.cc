// The living inventory in a running gpufleetd: seeded from --fleet on the first start, changed
// through the API, and still changed after kill -9 and a restart without --fleet (the store
// holds it; the placement fleet is built from it); --fleet on a store that has an inventory
// is refused with the command that adds a file to it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

std::pair<int, nlohmann::json> Call(uint16_t port, const std::string& token,
                                    const std::string& method, const std::string& path,
                                    const std::string& body = "") {
  httplib::Client client("127.0.0.1", port);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  const httplib::Result r =
      method == "GET" ? client.Get(path, auth) : client.Post(path, auth, body, "application/json");
  if (!r) return {0, nullptr};
  return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
}

DaemonOptions Daemon(const std::string& dir, bool with_fleet) {
  DaemonOptions o{.args = {"--store", dir + "/gpufleet.db", "--port", "0", "--no-scheduler",
                           "--admin-token-file", dir + "/admin-token", "--at", "2026-01-15"},
                  .stderr_path = dir + "/stderr",
                  .tmpdir = dir};
  if (with_fleet) {
    o.args.push_back("--fleet");
    o.args.push_back(std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml");
  }
  return o;
}

TEST(GpufleetdInventoryTest, ChangesSurviveKillAndRestartAndFleetSeedsOnlyAnEmptyStore) {
  const std::string dir = FreshDir("gpufleetd_inventory");
  std::string token;
  int64_t index = -1;
  {
    Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(Daemon(dir, true));
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    EXPECT_THAT((*daemon)->banner(), HasSubstr("inventory seeded from"));
    EXPECT_THAT((*daemon)->banner(), HasSubstr("2 records refused"));
    token = (*daemon)->admin_token();
    const auto [status, body] =
        Call((*daemon)->port(), token, "POST", "/v1/inventory/changes",
             R"({"changes": [{"kind": "retire", "serial": "1654223000001"}]})");
    ASSERT_EQ(status, 200) << body.dump();
    index = body["results"][0]["index"];
    (*daemon)->Kill();  // acknowledged, then kill -9: the change must be there after restart
  }
  {
    Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(Daemon(dir, false));
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    EXPECT_THAT((*daemon)->banner(), ::testing::Not(HasSubstr("seeded")));
    const auto [status, asset] = Call((*daemon)->port(), token, "GET", "/v1/assets/1654223000001");
    ASSERT_EQ(status, 200) << asset.dump();
    EXPECT_EQ(asset["status"], "retired");
    EXPECT_EQ(asset["last_entry"], index);
    ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
  }
  // --fleet again: refused, naming the command that adds a file to a store's inventory.
  const CliResult again =
      RunGpufleetd("--store " + dir + "/gpufleet.db --port 0 --no-scheduler --fleet " +
                   std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("gpufleet inventory import"));
}

}  // namespace
}  // namespace gpufleet::testing
