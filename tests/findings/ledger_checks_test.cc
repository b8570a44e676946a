// The ledger's own checks: distances, moves faster than freight, second registers, and the
// import's diversion flags as findings.

#include "gpufleet/findings/ledger_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "findings/findings_test_fleet.h"

namespace gpufleet::findings {
namespace {

using ::testing::HasSubstr;

inventory::Site Place(std::string id, std::optional<double> lat, std::optional<double> lon) {
  inventory::Site s;
  s.id = std::move(id);
  s.lat = lat;
  s.lon = lon;
  return s;
}

TEST(LedgerChecksTest, MoveFasterThanFreightIsFoundSlowerIsNot) {
  inventory::LiveAsset before;
  before.record.serial = "S1";
  before.located_ms = 0;
  inventory::Change move;
  move.kind = inventory::ChangeKind::kMove;
  move.serial = "S1";
  const inventory::Site sh = Place("sh-03", 31.23, 121.47);
  const inventory::Site kl = Place("kl-01", 3.14, 101.69);
  move.effective_ms = 2 * 3'600'000;  // 2 h for ~3,780 km: needs at least 3.8 h
  MoveCheck fast = CheckMove(before, move, 42, sh, kl);
  EXPECT_TRUE(fast.checked);
  ASSERT_TRUE(fast.too_fast.has_value());
  EXPECT_EQ(fast.too_fast->subject, "entry 42");
  EXPECT_THAT(fast.too_fast->detail, HasSubstr("from sh-03 to kl-01 in 2.0 h"));
  move.effective_ms = 4 * 3'600'000;
  EXPECT_FALSE(CheckMove(before, move, 42, sh, kl).too_fast.has_value());
  // Without coordinates nothing can be said, and the caller counts it.
  const MoveCheck skipped = CheckMove(before, move, 42, sh, Place("x", std::nullopt, std::nullopt));
  EXPECT_FALSE(skipped.checked);
  EXPECT_FALSE(skipped.too_fast.has_value());
}

TEST(LedgerChecksTest, DuplicateRegisterSaysWhereEachRecordIs) {
  inventory::LiveAsset held;
  held.record.serial = "S1";
  held.record.site = "sh-03";
  held.last_entry = 7;
  inventory::Change again;
  again.kind = inventory::ChangeKind::kRegister;
  again.serial = "S1";
  again.asset = held.record;
  again.asset->site = "kl-01";
  const Detection elsewhere = DuplicateRegister(held, again);
  EXPECT_EQ(elsewhere.kind, Kind::kSerialAtTwoSites);
  EXPECT_THAT(elsewhere.detail, HasSubstr("at kl-01, while the ledger has it at sh-03"));
  again.asset->site = "sh-03";
  EXPECT_EQ(DuplicateRegister(held, again).kind, Kind::kSerialRegisteredTwice);
}

TEST(LedgerChecksTest, ImportFlagsBecomeLedgerFindings) {
  const catalog::Catalog cat = testing::TestCatalog();
  Result<inventory::Inventory> inv = inventory::Inventory::Parse(
      testing::FleetYaml({"S1,H20,sh-03,n1", "S1,H20,kl-01,n2"}), "fleet.yaml", "", cat);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  const std::vector<Detection> found = FromDiversionFlags(inv->flags());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, Kind::kSerialAtTwoSites);
  EXPECT_EQ(SourceOf(found[0].kind), "ledger");
  EXPECT_FALSE(Transient(found[0].kind));
  EXPECT_THAT(found[0].evidence[0], HasSubstr("fleet.yaml:"));
}

}  // namespace
}  // namespace gpufleet::findings
