// gpufleetd's start check of its rule file, end to end on one SQLite store: the first start
// records the shipped history's hash in the ledger; a start with an older file (an earlier
// compiled: stamp) exits 1 naming both files and --accept-rule-downgrade, and writes nothing;
// with the flag it starts and records the downgrade, as an entry the ledger API serves and
// `gpufleet ledger verify` checks like any other.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "gpufleet/inventory/change.h"
#include "gpufleet/ledger/hash.h"
#include "gpufleet/ledger/wire.h"
#include "support/cli_runner.h"
#include "support/signed_daemon.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

// A namespace-scope string: GCC 12 warns (array-bounds) on `std::string(MACRO) + "..."`.
const std::string kSource = GPUFLEET_SOURCE_DIR;

std::string Sha256Hex(const std::string& text) {
  return ledger::HexHash(ledger::Sha256(std::string_view(text)));
}

// The ledger's last entry through GET /v1/ledger/entries (the example fleet's log is one page).
Result<inventory::Change> LastEntry(const DaemonProcess& daemon) {
  httplib::Client client("127.0.0.1", daemon.port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + daemon.admin_token()}};
  const httplib::Result r = client.Get("/v1/ledger/entries?start=0", auth);
  if (!r || r->status != 200) return Status::IOError("GET /v1/ledger/entries failed");
  Result<std::vector<ledger::LogEntry>> entries = ledger::DecodeEntries(r->body);
  if (!entries.ok()) return entries.status();
  if (entries->empty() || entries->size() >= 1000) return Status::IOError("not one page");
  return inventory::Decode(entries->back().data);
}

TEST(GpufleetdRulesTest, AnOlderRuleFileIsRefusedUnlessTheDowngradeIsAccepted) {
  const std::string dir = FreshDir("gpufleetd_rules_downgrade");
  const Result<std::string> verifier = MakeLedgerKey(dir + "/ledger.key", "gpufleet.test/rules");
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  { std::ofstream(dir + "/ledger.pub") << *verifier << '\n'; }
  const std::string shipped = ReadFile(kSource + "/data/rules/default.yaml");
  const std::string stamp = "\ncompiled: 2026-11-23\n";
  ASSERT_NE(shipped.find(stamp), std::string::npos) << "the shipped history carries its stamp";
  std::string older = shipped;
  older.replace(older.find(stamp), stamp.size(), "\ncompiled: 2026-10-01\n");
  { std::ofstream(dir + "/older.yaml") << older; }
  const std::string new_hash = Sha256Hex(shipped);
  const std::string old_hash = Sha256Hex(older);

  // First start, on the shipped history: recorded after the seed.
  {
    Result<SignedDaemon> d =
        StartSignedDaemon(dir, "g", dir + "/ledger.key", {"--fleet", ExampleFleet()});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_THAT(d->daemon->banner(),
                HasSubstr("rule file sha256 " + new_hash + " (2026-11-23) recorded as ledger"));
    Result<inventory::Change> last = LastEntry(*d->daemon);
    ASSERT_TRUE(last.ok()) << last.status().ToString();
    ASSERT_TRUE(last->rules_shipped.has_value()) << inventory::Encode(*last);
    EXPECT_EQ(last->rules_shipped->new_hash, new_hash);
    EXPECT_EQ(last->rules_shipped->old_hash, "");
    EXPECT_FALSE(last->rules_shipped->binary_version.empty());
    ASSERT_TRUE(d->daemon->Stop(std::chrono::seconds(30)).ok());
  }
  const std::string common = "--port 0 --no-scheduler --store " + dir + "/g.db --ledger-key " +
                             dir + "/ledger.key --rules " + dir + "/older.yaml";
  const CliResult refused = RunGpufleetd(common);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("gpufleetd: rules: "));
  EXPECT_THAT(refused.err, HasSubstr("sha256 " + old_hash + ", compiled 2026-10-01"));
  EXPECT_THAT(refused.err, HasSubstr("sha256 " + new_hash + ", compiled 2026-11-23"));
  EXPECT_THAT(refused.err, HasSubstr("--accept-rule-downgrade"));
  EXPECT_THAT(refused.out, ::testing::Not(HasSubstr("listening on")));

  // With the flag: it serves on the older file, and the downgrade is the ledger's last entry.
  Result<SignedDaemon> d = StartSignedDaemon(
      dir, "g", dir + "/ledger.key", {"--rules", dir + "/older.yaml", "--accept-rule-downgrade"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_THAT(d->daemon->banner(), HasSubstr("rule downgrade accepted"));
  EXPECT_THAT(d->daemon->banner(), HasSubstr("replacing sha256 " + new_hash));
  Result<inventory::Change> last = LastEntry(*d->daemon);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ASSERT_TRUE(last->rules_shipped.has_value()) << inventory::Encode(*last);
  EXPECT_EQ(last->rules_shipped->old_hash, new_hash);
  EXPECT_EQ(last->rules_shipped->new_hash, old_hash);
  EXPECT_EQ(last->rules_shipped->compiled, "2026-10-01");
  EXPECT_TRUE(last->rules_shipped->downgrade);
  const CliResult verified =
      RunGpufleet("ledger verify --key " + dir + "/ledger.pub" + d->client_flags);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  ASSERT_TRUE(d->daemon->Stop(std::chrono::seconds(30)).ok());

  // The same file with the operator's overlay: recorded too, with the layered document's hash.
  Result<SignedDaemon> layered = StartSignedDaemon(
      dir, "g", dir + "/ledger.key",
      {"--rules", dir + "/older.yaml", "--overlay", kSource + "/examples/acme-rules.yaml"});
  ASSERT_TRUE(layered.ok()) << layered.status().ToString();
  last = LastEntry(*layered->daemon);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ASSERT_TRUE(last->rules_shipped.has_value()) << inventory::Encode(*last);
  EXPECT_EQ(last->rules_shipped->old_hash, old_hash);
  EXPECT_EQ(last->rules_shipped->new_hash, old_hash);
  EXPECT_EQ(last->rules_shipped->layered_hash.size(), 64u);
  EXPECT_FALSE(last->rules_shipped->downgrade);
  ASSERT_TRUE(layered->daemon->Stop(std::chrono::seconds(30)).ok());
}

}  // namespace
}  // namespace gpufleet::testing
