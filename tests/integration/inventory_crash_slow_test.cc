// Acknowledged inventory changes survive kill -9 (issue 16, "Durability"): a gpufleetd with a
// signed ledger takes a stream of changes from several connections and is killed at a random
// moment, three times over one SQLite store. Every restart replays the log (it refuses an
// inconsistent one), every acknowledged change is the entry it was acknowledged as, no asset's
// last entry is older than its last acknowledged change, and the store's ledger verifies
// against the log's key.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/inventory/change.h"
#include "gpufleet/store/store.h"
#include "integration/service_harness.h"
#include "support/cli_runner.h"
#include "support/signed_daemon.h"

namespace gpufleet::service_harness {
namespace {

struct AckedChange {
  int64_t index = 0;
  std::string serial;
  std::string node;
};

TEST(InventoryCrashTest, AcknowledgedChangesSurviveKillNine) {
  constexpr int kRounds = 3;
  constexpr int kThreads = 4;
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GPUFLEET_TEST_SEED replays the kill moments)");
  std::mt19937_64 rng(seed);
  const std::string dir = testing::FreshDir("inventory_crash");
  const std::string store_path = dir + "/gpufleet.db";
  const Result<std::string> verifier = testing::MakeLedgerKey(dir + "/ledger.key", "crash/log");
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();

  std::vector<AckedChange> acked;
  std::vector<std::pair<std::string, std::string>> assets;  // serial, site
  for (int round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    testing::DaemonOptions options;
    options.args = {"--demo-gpus",
                    "64",
                    "--store",
                    store_path,
                    "--port",
                    "0",
                    "--no-scheduler",
                    "--admin-token-file",
                    dir + "/admin-token",
                    "--ledger-key",
                    dir + "/ledger.key"};
    options.stderr_path = dir + "/stderr-" + std::to_string(round);
    options.tmpdir = dir;
    Result<std::unique_ptr<testing::DaemonProcess>> daemon = testing::DaemonProcess::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();  // a restart replays the log
    const uint16_t port = (*daemon)->port();
    const httplib::Headers auth = {{"Authorization", "Bearer " + (*daemon)->admin_token()}};
    if (round == 1) {
      httplib::Client client("127.0.0.1", port);
      const httplib::Result r = client.Get("/v1/assets?status=active&limit=64", auth);
      ASSERT_TRUE(r && r->status == 200);
      const nlohmann::json page = nlohmann::json::parse(r->body);
      for (const nlohmann::json& a : page["assets"]) {
        assets.emplace_back(a["serial"], a["site"]);
      }
      ASSERT_FALSE(assets.empty());
    }

    std::mutex mu;
    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
      workers.emplace_back([&, t] {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(5);
        for (int n = 0; !stop; ++n) {
          const auto& [serial, site] = assets[(t * 7919 + n) % assets.size()];
          const std::string node =
              "r" + std::to_string(round) + "-t" + std::to_string(t) + "-" + std::to_string(n);
          const nlohmann::json body = {
              {"changes",
               {{{"kind", "move"}, {"serial", serial}, {"site", site}, {"node", node}}}}};
          const httplib::Result r =
              client.Post("/v1/inventory/changes", auth, body.dump(), "application/json");
          ++sent;
          if (!r) break;  // the daemon is gone
          if (r->status != 200) continue;
          const std::lock_guard lock(mu);
          acked.push_back({nlohmann::json::parse(r->body)["results"][0]["index"], serial, node});
        }
      });
    }
    // The kill moment is the point of the test, not a wait for something to happen.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1500)(rng)));
    (*daemon)->Kill();
    stop = true;
    for (std::thread& w : workers) w.join();
    EXPECT_GT(sent.load(), 0);
  }
  ASSERT_GT(acked.size(), 50u) << "too few acknowledged changes to mean much";

  // The store as the last kill left it: every acknowledged change is its entry.
  Result<std::unique_ptr<store::Store>> opened = store::OpenStore("sqlite:" + store_path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::map<std::string, int64_t> last_acked;
  int lost = 0;
  for (const AckedChange& a : acked) {
    const Result<std::vector<store::InventoryEntry>> at = (*opened)->ReadInventoryAt({a.index});
    ASSERT_TRUE(at.ok());
    const Result<inventory::Change> c =
        at->empty() ? Result<inventory::Change>(Status::NotFound("no entry"))
                    : inventory::Decode(at->front().body);
    if (!c.ok() || c->serial != a.serial || c->node != a.node) {
      ++lost;
      continue;
    }
    last_acked[a.serial] = std::max(last_acked[a.serial], a.index);
  }
  EXPECT_EQ(lost, 0) << "of " << acked.size() << " acknowledged changes";
  for (const auto& [serial, index] : last_acked) {
    const Result<std::optional<store::AssetRow>> row = (*opened)->GetAsset(serial);
    ASSERT_TRUE(row.ok() && row->has_value()) << serial;
    EXPECT_GE((*row)->last_entry, index) << serial;
  }
  opened->reset();
  const testing::CliResult verified =
      testing::RunGpufleet("ledger verify --key '" + *verifier + "' --store " + store_path);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  std::printf("[ crash    ] seed %llu: %d kills, %zu changes acknowledged, %s\n",
              static_cast<unsigned long long>(seed), kRounds, acked.size(), verified.out.c_str());
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gpufleet::service_harness
