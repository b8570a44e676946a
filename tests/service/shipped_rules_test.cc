// gpufleetd's start check of the shipped rule file: the decision over the ledger's
// rules_shipped history (first start, same file, newer, older by stamp, older by history, and
// back again), and the check end to end on an InventoryService over each store back end: what
// it records survives a restart, replays, and refuses a downgrade unless accepted.

#include "gpufleet/service/shipped_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gpufleet/ledger/hash.h"
#include "service/api_v1_fixture.h"
#include "store/store_backends.h"

namespace gpufleet::service {
namespace {

using ::testing::HasSubstr;
using Code = Status::Code;

Date Day(const char* text) { return *Date::Parse(text); }

ShippedRuleFile File(const std::string& text, std::optional<Date> compiled) {
  return DescribeShippedRules("rules-" + text + ".yaml", text, compiled);
}

// The history a ledger holds after recording `files` in order (as kNewer each time).
std::vector<ShippedRulesEntry> History(const std::vector<ShippedRuleFile>& files) {
  std::vector<ShippedRulesEntry> out;
  for (const ShippedRuleFile& f : files) {
    const ShippedRulesDecision d = DecideShippedRules(out, f, "0.1.0");
    EXPECT_NE(d.verdict, ShippedRulesVerdict::kUnchanged) << f.name;
    out.push_back({.index = static_cast<int64_t>(out.size()) * 10,
                   .recorded_ms = testing::kStartMs,
                   .record = d.record});
  }
  return out;
}

TEST(ShippedRulesDecisionTest, TheFirstFileIsRecordedWithNoOldHash) {
  const ShippedRuleFile a = File("a", Day("2026-11-23"));
  EXPECT_EQ(a.hash, ledger::HexHash(ledger::Sha256(std::string_view("a"))));
  const ShippedRulesDecision d = DecideShippedRules({}, a, "0.1.0");
  EXPECT_EQ(d.verdict, ShippedRulesVerdict::kNewer);
  EXPECT_EQ(d.record, (inventory::RulesShippedRecord{.old_hash = "",
                                                     .new_hash = a.hash,
                                                     .compiled = "2026-11-23",
                                                     .binary_version = "0.1.0",
                                                     .downgrade = false,
                                                     .layered_hash = ""}));
}

// The operator's overlays are part of what a start runs: the same file with other overlays is
// recorded (never a downgrade), the same file and overlays are not.
TEST(ShippedRulesDecisionTest, TheSameFileWithOtherOverlaysIsRecorded) {
  const ShippedRuleFile plain = File("a", Day("2026-11-23"));
  const ShippedRuleFile layered =
      DescribeShippedRules("rules-a.yaml", "a", Day("2026-11-23"), "a + licences");
  EXPECT_EQ(layered.layered_hash,
            ledger::HexHash(ledger::Sha256(std::string_view("a + licences"))));
  const ShippedRulesDecision d = DecideShippedRules(History({plain}), layered, "0.1.0");
  EXPECT_EQ(d.verdict, ShippedRulesVerdict::kNewer);
  EXPECT_EQ(d.record.old_hash, d.record.new_hash);
  EXPECT_EQ(d.record.layered_hash, layered.layered_hash);
  EXPECT_FALSE(d.record.downgrade);
  EXPECT_EQ(DecideShippedRules(History({plain, layered}), layered, "0.1.0").verdict,
            ShippedRulesVerdict::kUnchanged);
  // And back to no overlays: recorded again.
  EXPECT_EQ(DecideShippedRules(History({plain, layered}), plain, "0.1.0").verdict,
            ShippedRulesVerdict::kNewer);
}

TEST(ShippedRulesDecisionTest, TheSameFileRecordsNothing) {
  const ShippedRuleFile a = File("a", Day("2026-11-23"));
  EXPECT_EQ(DecideShippedRules(History({a}), a, "0.2.0").verdict, ShippedRulesVerdict::kUnchanged);
  // A stamp is no part of the file's identity: its text is.
  const ShippedRuleFile unstamped = File("a", std::nullopt);
  EXPECT_EQ(DecideShippedRules(History({a}), unstamped, "0.1.0").verdict,
            ShippedRulesVerdict::kUnchanged);
}

TEST(ShippedRulesDecisionTest, ANewerFileIsRecordedWithTheOneItReplaces) {
  const ShippedRuleFile a = File("a", Day("2026-11-01"));
  const ShippedRuleFile b = File("b", Day("2026-11-23"));
  const ShippedRulesDecision d = DecideShippedRules(History({a}), b, "0.2.0");
  EXPECT_EQ(d.verdict, ShippedRulesVerdict::kNewer);
  EXPECT_EQ(d.record.old_hash, a.hash);
  EXPECT_EQ(d.record.new_hash, b.hash);
  EXPECT_EQ(d.record.compiled, "2026-11-23");
  EXPECT_EQ(d.record.binary_version, "0.2.0");
  EXPECT_FALSE(d.record.downgrade);
  // An edit that kept the stamp, or a file without one, is new: nothing says it is older.
  EXPECT_EQ(DecideShippedRules(History({a}), File("a2", Day("2026-11-01")), "0.1.0").verdict,
            ShippedRulesVerdict::kNewer);
  EXPECT_EQ(DecideShippedRules(History({a}), File("c", std::nullopt), "0.1.0").verdict,
            ShippedRulesVerdict::kNewer);
}

TEST(ShippedRulesDecisionTest, AnEarlierStampIsADowngradeNamingBothFiles) {
  const ShippedRuleFile a = File("a", Day("2026-11-01"));
  const ShippedRuleFile b = File("b", Day("2026-11-23"));
  // Never recorded, but compiled before the file the store runs.
  const ShippedRulesDecision d = DecideShippedRules(History({b}), a, "0.1.0");
  EXPECT_EQ(d.verdict, ShippedRulesVerdict::kOlder);
  EXPECT_TRUE(d.record.downgrade);
  EXPECT_EQ(d.record.old_hash, b.hash);
  EXPECT_EQ(d.record.new_hash, a.hash);
  EXPECT_THAT(d.why, HasSubstr("sha256 " + a.hash + ", compiled 2026-11-01"));
  EXPECT_THAT(d.why, HasSubstr("sha256 " + b.hash + ", compiled 2026-11-23"));
  EXPECT_THAT(d.why, HasSubstr("by gpufleetd 0.1.0 as ledger entry 0"));
  EXPECT_THAT(d.why, HasSubstr("its compiled: stamp is earlier"));
}

TEST(ShippedRulesDecisionTest, AHashSupersededSinceIsADowngradeWhereStampsCannotTell) {
  const ShippedRuleFile a = File("a", std::nullopt);
  const ShippedRuleFile b = File("b", std::nullopt);
  const ShippedRulesDecision d = DecideShippedRules(History({a, b}), a, "0.1.0");
  EXPECT_EQ(d.verdict, ShippedRulesVerdict::kOlder);
  EXPECT_THAT(d.why, HasSubstr("recorded as ledger entry 0 and superseded since"));
  EXPECT_THAT(d.why, HasSubstr("no compiled: stamp"));
  // Equal stamps do not order the files either.
  const ShippedRuleFile c = File("c", Day("2026-11-23"));
  const ShippedRuleFile e = File("e", Day("2026-11-23"));
  EXPECT_EQ(DecideShippedRules(History({c, e}), c, "0.1.0").verdict, ShippedRulesVerdict::kOlder);
}

TEST(ShippedRulesDecisionTest, AfterAnAcceptedDowngradeTheNewerFileIsAnUpgradeAgain) {
  const ShippedRuleFile a = File("a", Day("2026-11-01"));
  const ShippedRuleFile b = File("b", Day("2026-11-23"));
  std::vector<ShippedRulesEntry> history = History({a, b});
  const ShippedRulesDecision down = DecideShippedRules(history, a, "0.1.0");
  ASSERT_EQ(down.verdict, ShippedRulesVerdict::kOlder);
  history.push_back({.index = 99, .recorded_ms = testing::kStartMs, .record = down.record});
  // b was recorded before and superseded since, but its stamp says it is the newer.
  const ShippedRulesDecision up = DecideShippedRules(history, b, "0.1.0");
  EXPECT_EQ(up.verdict, ShippedRulesVerdict::kNewer);
  EXPECT_EQ(up.record.old_hash, a.hash);
}

// The check on a service over a real store: what it records is a ledger entry like any other,
// read back by the next start.
class ShippedRulesCheckTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = store::MakeBackend(GetParam());
    if (const char* why = backend_->Unavailable()) GTEST_SKIP() << why;
  }

  // A service on the backend's database as a fresh start sees it.
  std::unique_ptr<InventoryService> Start() {
    Result<std::unique_ptr<store::Store>> s = backend_->Open();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    stores_.push_back(std::move(s).value());
    const FleetContext& fleet = testing::SharedFleet();
    auto service =
        std::make_unique<InventoryService>(*stores_.back(), clock_, *fleet.catalog, *fleet.engine);
    const Status loaded = service->Load();
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
    return service;
  }

  std::unique_ptr<store::Backend> backend_;
  std::vector<std::unique_ptr<store::Store>> stores_;
  SimulatedClock clock_{testing::kStartMs, 0};
};

TEST_P(ShippedRulesCheckTest, RecordsNewFilesAndRefusesOlderOnesUnlessAccepted) {
  const ShippedRuleFile a = File("a", Day("2026-11-01"));
  const ShippedRuleFile b = File("b", Day("2026-11-23"));
  {
    std::unique_ptr<InventoryService> first = Start();
    Result<ShippedRulesOutcome> o = CheckShippedRules(*first, b, "0.1.0", false);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->decision.verdict, ShippedRulesVerdict::kNewer);
    EXPECT_EQ(o->index, 0);
    EXPECT_EQ(first->size(), 1);
  }
  std::unique_ptr<InventoryService> second = Start();
  ASSERT_EQ(second->ShippedRules().size(), 1u);
  EXPECT_EQ(second->ShippedRules()[0].record.new_hash, b.hash);
  // The entry as stored: its kind and subject columns, and bytes that decode to the record.
  Result<std::vector<store::InventoryEntry>> stored = stores_.back()->ReadInventory(0, 10);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].kind, "rules_shipped");
  EXPECT_EQ((*stored)[0].subject, "rules:shipped");
  Result<inventory::Change> decoded = inventory::Decode((*stored)[0].body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->rules_shipped, second->ShippedRules()[0].record);

  Result<ShippedRulesOutcome> same = CheckShippedRules(*second, b, "0.1.0", false);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->decision.verdict, ShippedRulesVerdict::kUnchanged);
  EXPECT_EQ(same->index, -1);

  Result<ShippedRulesOutcome> refused = CheckShippedRules(*second, a, "0.1.0", false);
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("--accept-rule-downgrade"));
  EXPECT_THAT(refused.status().message(), HasSubstr(a.hash));
  EXPECT_THAT(refused.status().message(), HasSubstr(b.hash));
  EXPECT_EQ(second->size(), 1) << "a refused start records nothing";

  Result<ShippedRulesOutcome> accepted = CheckShippedRules(*second, a, "0.1.0", true);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->index, 1);
  const ledger::Hash root = second->root();

  // The next start replays both entries to the same tree head, and runs `a` without the flag.
  std::unique_ptr<InventoryService> third = Start();
  EXPECT_EQ(third->root(), root);
  const std::vector<ShippedRulesEntry> history = third->ShippedRules();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(history[1].record.downgrade);
  EXPECT_EQ(history[1].record.old_hash, b.hash);
  EXPECT_EQ(history[1].index, 1);
  Result<ShippedRulesOutcome> again = CheckShippedRules(*third, a, "0.1.0", false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->decision.verdict, ShippedRulesVerdict::kUnchanged);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShippedRulesCheckTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace gpufleet::service
