// `gpufleet asset|org|inventory` against a running gpufleetd, as a user types them: register a
// board, move it, see a sale refused with the rules that refuse it, report one stolen, read the
// chain of custody; an import run twice records nothing the second time; an inventory token
// changes the inventory, a tenant token cannot.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_process.h"
#include "support/signed_daemon.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

class AssetCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("asset_command");
    Result<std::unique_ptr<DaemonProcess>> d = DaemonProcess::Start(
        {.args = {"--store", dir_ + "/gpufleet.db", "--port", "0", "--no-scheduler", "--fleet",
                  std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml", "--admin-token-file",
                  dir_ + "/admin-token"},
         .stderr_path = dir_ + "/stderr",
         .tmpdir = dir_});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    daemon_ = std::move(*d);
    flags_ = " --url http://127.0.0.1:" + std::to_string(daemon_->port()) + " --token ";
  }

  CliResult Run(const std::string& command, const std::string& token) {
    return RunGpufleet(command + flags_ + token);
  }
  CliResult Admin(const std::string& command) { return Run(command, daemon_->admin_token()); }

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::string flags_;
};

TEST_F(AssetCommandTest, RegisterMoveSellLoseAndTrace) {
  CliResult r = Admin(
      "asset register NEW-0001 --model H20 --site sh-03 --owner acme --acquired 2025-12-20 "
      "--arrival export --from TW --declared-memory-gb 96 --at 2026-01-01 "
      "--reason 'papers filed late'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("register NEW-0001"));

  r = Admin("asset move NEW-0001 --site gz-hub --node gz-n9");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // An H100 sold to a Chinese counterparty in China: an in-country transfer of a 3A090 chip,
  // which the US rules require a licence for; the refusal names the rule.
  r = Admin("asset transfer 1654223000003 --owner northstar-compute");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("transfer 1654223000003 refused"));
  EXPECT_THAT(r.err, HasSubstr("US-2023-3A090A-CN"));
  r = Admin("asset lost NEW-0001 --how stolen");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Admin("asset move NEW-0001 --site sh-03");
  EXPECT_EQ(r.exit_code, 2) << "a stolen board does not move";

  r = Admin("asset history NEW-0001 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json history = nlohmann::json::parse(r.out);
  std::vector<std::string> kinds;
  for (const nlohmann::json& e : history["entries"]) kinds.push_back(e["kind"]);
  EXPECT_THAT(kinds, ::testing::ElementsAre("register", "move", "lost"));
  EXPECT_EQ(history["entries"][0]["change"]["reason"], "papers filed late");
  r = Admin("asset get NEW-0001 --json");
  EXPECT_EQ(nlohmann::json::parse(r.out)["status"], "lost");
  EXPECT_EQ(Admin("asset get NO-SUCH").exit_code, 2);
  EXPECT_EQ(Admin("asset register X --model H20 --site sh-03 --owner acme --acquired 2025-12-20 "
                  "--arrival export --at 2025-13-01")
                .exit_code,
            2)
      << "a bad --at is refused before anything is sent";
}

TEST_F(AssetCommandTest, SitesAndOrganisationsAreDefinedByEntriesToo) {
  CliResult r = Admin(
      "site put jb-02 --name 'Johor Bahru 2' --country MY --ownership rented --provider Tanjung "
      "--lat 1.4655 --lon 103.7578");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Admin("site get jb-02 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json site = nlohmann::json::parse(r.out);
  EXPECT_EQ(site["lat"], 1.4655);
  EXPECT_EQ(site["provider"], "Tanjung");
  EXPECT_EQ(Admin("site put jb-02 --name 'Johor Bahru 2' --country MY --ownership rented "
                  "--provider Tanjung --lat 1.4655 --lon 103.7578")
                .exit_code,
            0)
      << "the same record again changes nothing";
  r = Admin("site put jb-03 --name X --country MY --lat 1.5");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("lat and lon"));
  r = Admin("org put tanjung-dc-2 --name 'Tanjung 2' --kind counterparty --hq MY");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Admin(
      "asset register MY-0001 --model A100 --site jb-02 --owner tanjung-dc-2 "
      "--acquired 2026-01-05 --arrival export --from SG");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Admin("org put x --name X --kind subsidiary --hq MY").exit_code, 2)
      << "a subsidiary names its parent";
  EXPECT_EQ(Admin("site get nowhere").exit_code, 2);
}

TEST_F(AssetCommandTest, ImportTwiceRecordsNothingTheSecondTime) {
  const std::string fleet = std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml";
  CliResult r = Admin("inventory import " + fleet + " --json");
  // The seed already holds the file: every record is there already, but for the example's
  // serial recorded at two sites, which is a conflict either way.
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const nlohmann::json summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["accepted"], 0);
  EXPECT_EQ(summary["refused"], 1);
  EXPECT_GT(summary["unchanged"], 100);
  EXPECT_THAT(r.err, HasSubstr("1654823001203"));
}

// Exported after changes, the inventory seeds another gpufleetd with the same active assets.
TEST_F(AssetCommandTest, ExportWritesBackWhatTheLedgerHolds) {
  ASSERT_EQ(Admin("asset move 1654223000001 --site gz-hub --node gz-n1").exit_code, 0);
  ASSERT_EQ(Admin("asset retire 1654223000002").exit_code, 0);
  CliResult r = Admin("inventory export " + dir_ + "/export/fleet.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("118 active assets"));
  const auto records = [](const CliResult& listing) {
    nlohmann::json assets = nlohmann::json::parse(listing.out)["assets"];
    for (nlohmann::json& a : assets) {
      for (const char* key : {"last_entry", "last_effective"}) a.erase(key);
    }
    return assets;
  };
  const nlohmann::json before = records(Admin("asset list --status active --limit 1000 --json"));
  Result<std::unique_ptr<DaemonProcess>> copy = DaemonProcess::Start(
      {.args = {"--store", dir_ + "/copy.db", "--port", "0", "--no-scheduler", "--fleet",
                dir_ + "/export/fleet.yaml", "--admin-token-file", dir_ + "/copy-token"},
       .stderr_path = dir_ + "/copy-stderr",
       .tmpdir = dir_});
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  const CliResult after = RunGpufleet(
      "asset list --status active --limit 1000 --json --url "
      "http://127.0.0.1:" +
      std::to_string((*copy)->port()) + " --token " + (*copy)->admin_token());
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(records(after), before);
}

TEST_F(AssetCommandTest, OnlyAdminAndInventoryTokensChangeTheInventory) {
  CliResult t = Admin("token create --role inventory");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::string inventory = t.out.substr(0, t.out.find('\n'));
  EXPECT_EQ(Run("asset retire 1654223000005", inventory).exit_code, 0);
  t = Admin("token create --role viewer");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::string viewer = t.out.substr(0, t.out.find('\n'));
  const CliResult refused = Run("asset retire 1654223000006", viewer);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("403"));
  EXPECT_EQ(nlohmann::json::parse(Run("asset get 1654223000005 --json", viewer).out)["status"],
            "retired");
  EXPECT_THAT(Run("org list", viewer).out, HasSubstr("acme-sg"));
}

// The chain of custody checked against the signed ledger: with the log's verifier key every
// entry's inclusion proof verifies; another key refuses the checkpoint.
TEST(AssetHistoryProofTest, EveryEntryIsProvedAgainstTheSignedCheckpoint) {
  const std::string dir = FreshDir("asset_history_proofs");
  const Result<std::string> verifier = MakeLedgerKey(dir + "/ledger.key", "test/log");
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  const Result<std::string> other = MakeLedgerKey(dir + "/other.key", "test/log");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Result<SignedDaemon> d =
      StartSignedDaemon(dir, "g", dir + "/ledger.key", {"--fleet", ExampleFleet()});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const std::string& flags = d->client_flags;
  ASSERT_EQ(RunGpufleet("asset move 1654223000001 --site gz-hub" + flags).exit_code, 0);
  const CliResult r =
      RunGpufleet("asset history 1654223000001 --json --key '" + *verifier + "'" + flags);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json history = nlohmann::json::parse(r.out);
  ASSERT_EQ(history["entries"].size(), 2u);
  // The register is in the checkpoint signed at start; the move may be after the latest one.
  EXPECT_EQ(history["entries"][0]["proof"], "verified in checkpoint of 139");
  EXPECT_THAT(history["entries"][1]["proof"].get<std::string>(),
              ::testing::AnyOf(HasSubstr("verified in checkpoint of 140"),
                               HasSubstr("after the latest checkpoint")));
  const CliResult wrong = RunGpufleet("asset history 1654223000001 --key '" + *other + "'" + flags);
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, HasSubstr("does not verify"));
}

// The README's inventory walk-through on the demo fleet `make run` serves, with the ledger
// signed: register, move, sell, a refused move, the history proved, the log verified.
TEST(InventoryWalkThroughTest, TheReadmeCommandsDoWhatItSays) {
  const std::string dir = FreshDir("inventory_walkthrough");
  const Result<std::string> verifier = MakeLedgerKey(dir + "/ledger.key", "gpufleet.local/demo");
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  { std::ofstream(dir + "/ledger.pub") << *verifier << '\n'; }
  Result<SignedDaemon> d =
      StartSignedDaemon(dir, "g", dir + "/ledger.key", {"--demo-gpus", "4096"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const std::string& flags = d->client_flags;
  const auto run = [&](const std::string& command) { return RunGpufleet(command + flags); };

  CliResult r = run("asset list --site cn-03 --limit 5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("cn-03"));
  r =
      run("asset register DEMO-H20-0001 --model H20 --site cn-02 --owner acme "
          "--acquired 2026-11-30 --arrival export --from TW --declared-memory-gb 96");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("register DEMO-H20-0001 (licence_required)"));
  ASSERT_EQ(run("asset move DEMO-H20-0001 --site cn-04 --node cn04-n17").exit_code, 0);
  ASSERT_EQ(run("asset transfer DEMO-H20-0001 --owner customer").exit_code, 0);
  r = run("asset move SN0 --site ae-01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("move SN0 refused"));
  EXPECT_THAT(r.err, HasSubstr("rules: US-"));
  // The checkpointer signs within a second; the history is proved once it has.
  nlohmann::json history;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    r = run("asset history DEMO-H20-0001 --json --key " + dir + "/ledger.pub");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    history = nlohmann::json::parse(r.out);
  } while (history["entries"][2]["proof"].get<std::string>().starts_with("after") &&
           std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(history["entries"].size(), 3u);
  for (const nlohmann::json& e : history["entries"]) {
    EXPECT_THAT(e["proof"].get<std::string>(), HasSubstr("verified in checkpoint of")) << e;
  }
  r = run("ledger verify --key " + dir + "/ledger.pub --save-checkpoint " + dir + "/audit.note");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("verified: log 'gpufleet.local/demo'"));
  r = run("ledger verify --key " + dir + "/ledger.pub --saved-checkpoint " + dir + "/audit.note");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("extends the saved checkpoint"));
}

}  // namespace
}  // namespace gpufleet::testing
