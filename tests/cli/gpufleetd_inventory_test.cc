// The living inventory in a running gpufleetd: seeded from --fleet on the first start, changed
// through the API, and still changed after kill -9 and a restart without --fleet (the store
// holds it; the placement fleet is built from it); --fleet on a store that has an inventory
// is refused with the command that adds a file to it; --empty-inventory starts on an empty
// store, and `gpufleet inventory import` then fills it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
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

TEST(GpufleetdInventoryTest, EmptyInventoryStartsAndImportFillsIt) {
  const std::string dir = FreshDir("gpufleetd_empty_inventory");
  DaemonOptions options = Daemon(dir, false);
  options.args.push_back("--empty-inventory");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  EXPECT_THAT((*daemon)->banner(), HasSubstr("the inventory is empty"));
  const std::string token = (*daemon)->admin_token();
  const uint16_t port = (*daemon)->port();
  {
    const auto [status, page] = Call(port, token, "GET", "/v1/assets");
    ASSERT_EQ(status, 200) << page.dump();
    EXPECT_TRUE(page["assets"].empty());
  }
  const CliResult imported = RunGpufleet(
      "inventory import " + std::string(GPUFLEET_SOURCE_DIR) +
      "/examples/fleet.yaml --url http://127.0.0.1:" + std::to_string(port) + " --token " + token);
  // examples/fleet.yaml lists serial 1654823001203 twice, on purpose: the rest is recorded.
  EXPECT_EQ(imported.exit_code, 2) << imported.out << imported.err;
  EXPECT_THAT(imported.out + imported.err, HasSubstr("refused: register 1654823001203"));
  const auto [status, asset] = Call(port, token, "GET", "/v1/assets/1654223000001");
  ASSERT_EQ(status, 200) << asset.dump();
  EXPECT_EQ(asset["status"], "active");
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());

  // --empty-inventory seeds nothing, so it cannot go with a file or a demo fleet to seed from.
  const CliResult both =
      RunGpufleetd("--store " + dir + "/other.db --empty-inventory --demo-gpus 8");
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("excludes"));
}

// An import of several batches (sent two at a time): each asset recorded once, and of a serial
// the file lists twice in batches far apart, the first record wins, as it would one at a time.
TEST(GpufleetdInventoryTest, ImportInManyBatchesKeepsTheFilesOrder) {
  const std::string dir = FreshDir("gpufleetd_import_batches");
  {
    std::ifstream in(std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml");
    std::ofstream out(dir + "/fleet.yaml");
    out << in.rdbuf();
  }
  constexpr int kAssets = 3500;
  {
    std::ofstream csv(dir + "/assets.csv");
    csv << "serial,model,site,node,owner,operator,holding,acquired,arrival,from_country\n";
    for (int i = 0; i < kAssets; ++i) {
      // Row 3,400 repeats row 10's serial on another node.
      const int serial = i == 3400 ? 10 : i;
      csv << "99000" << serial << ",H20,sh-03,node-" << i << ",acme,acme,owned,2025-01-10,"
          << "export,TW\n";
    }
  }
  DaemonOptions options = Daemon(dir, false);
  options.args.push_back("--empty-inventory");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const std::string token = (*daemon)->admin_token();
  const CliResult imported =
      RunGpufleet("inventory import " + dir + "/fleet.yaml --json --url http://127.0.0.1:" +
                  std::to_string((*daemon)->port()) + " --token " + token);
  EXPECT_EQ(imported.exit_code, 2) << imported.out << imported.err;
  const nlohmann::json summary = nlohmann::json::parse(imported.out, nullptr, false);
  EXPECT_EQ(summary["refused"], 1) << imported.out;
  EXPECT_THAT(imported.err, HasSubstr("refused: register 9900010"));
  const auto [status, asset] = Call((*daemon)->port(), token, "GET", "/v1/assets/9900010");
  ASSERT_EQ(status, 200) << asset.dump();
  EXPECT_EQ(asset["node"], "node-10");
  const auto [last_status, last] =
      Call((*daemon)->port(), token, "GET", "/v1/assets/99000" + std::to_string(kAssets - 1));
  EXPECT_EQ(last_status, 200) << last.dump();
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
}

}  // namespace
}  // namespace gpufleet::testing
