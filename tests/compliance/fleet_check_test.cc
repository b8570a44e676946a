// `check` on the shipped example fleet (examples/fleet.yaml) and rule history.

#include "gpufleet/compliance/fleet_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace gpufleet::compliance {
namespace {

using ::testing::HasSubstr;

const std::string kSource = GPUFLEET_SOURCE_DIR;

class FleetCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = catalog::Catalog::Load(kSource + "/data/catalog/accelerators.yaml");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::make_unique<catalog::Catalog>(std::move(cat).value());
    ids_ = catalog_->IdsByName();
    std::ifstream in(kSource + "/data/rules/default.yaml");
    std::ostringstream text;
    text << in.rdbuf();
    rules_text_ = text.str();
    auto fleet = inventory::Inventory::Load(kSource + "/examples/fleet.yaml", *catalog_);
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    fleet_ = std::make_unique<inventory::Inventory>(std::move(fleet).value());
  }

  FleetCheckReport Check(const std::string& date, const std::string& extra_rules = "",
                         bool naive = false) {
    auto rules = RuleSet::Parse(rules_text_ + extra_rules, "rules.yaml", ids_);
    EXPECT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = std::make_unique<RuleSet>(std::move(rules).value());
    const auto engine = naive ? MakeNaiveEngine(*rules_) : MakeIndexedEngine(*rules_);
    return CheckFleet(*fleet_, *catalog_, *rules_, *engine, *Date::Parse(date));
  }

  static std::vector<const AssetFinding*> For(const FleetCheckReport& r, const std::string& model,
                                              const std::string& acquired, Severity s) {
    std::vector<const AssetFinding*> out;
    for (const AssetFinding& f : r.findings) {
      if (f.asset->model == model && f.asset->acquired.ToString() == acquired &&
          f.situation->severity == s) {
        out.push_back(&f);
      }
    }
    return out;
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::map<std::string, std::string, std::less<>> ids_;
  std::string rules_text_;
  std::unique_ptr<inventory::Inventory> fleet_;
  std::unique_ptr<RuleSet> rules_;
};

TEST_F(FleetCheckTest, InstalledBaseIsJudgedByTheRulesOfItsDay) {
  const FleetCheckReport r = Check("2026-03-01");
  EXPECT_GT(r.violations, 0);
  // H100s that arrived before the October 2022 rule: fine. Those re-exported in 2023: not.
  EXPECT_TRUE(For(r, "nvidia-h100-sxm5-80gb", "2022-09-15", Severity::kViolation).empty());
  const auto late = For(r, "nvidia-h100-sxm5-80gb", "2023-03-20", Severity::kViolation);
  ASSERT_EQ(late.size(), 4u);
  EXPECT_TRUE(late[0]->situation->at_acquisition);
  EXPECT_THAT(late[0]->situation->message, HasSubstr("US-2022-3A090"));
  EXPECT_THAT(late[0]->situation->message, HasSubstr("no licence on file"));
  // H20s bought before the April 2025 letter are not violations.
  EXPECT_TRUE(For(r, "nvidia-h20-96gb", "2024-11-20", Severity::kViolation).empty());
  // Findings come most severe first.
  for (size_t i = 1; i < r.findings.size(); ++i) {
    EXPECT_GE(r.findings[i - 1].situation->severity, r.findings[i].situation->severity);
  }
  EXPECT_LT(r.distinct_situations, 2 * r.assets_checked) << "batches share verdicts";
}

TEST_F(FleetCheckTest, TheSameFleetOnAnEarlierDate) {
  const FleetCheckReport early = Check("2022-06-01");
  const FleetCheckReport late = Check("2026-03-01");
  EXPECT_LT(early.assets_checked, late.assets_checked) << "later purchases are not ours yet";
  EXPECT_EQ(early.violations, 0) << "no advanced-computing rule existed yet";
  EXPECT_GT(late.violations, 0);
}

TEST_F(FleetCheckTest, ALicenceOnFileClearsTheViolation) {
  const std::string licence = R"(
licences:
  - id: LIC-TEST-H100
    holder: acme
    models: [H100]
    locations: [CN]
    valid_from: 2023-01-01
    valid_to: 2023-12-31
    status: granted
)";
  const FleetCheckReport r = Check("2026-03-01", licence);
  EXPECT_TRUE(For(r, "nvidia-h100-sxm5-80gb", "2023-03-20", Severity::kViolation).empty());
}

TEST_F(FleetCheckTest, DomesticShareOfThePublicHub) {
  const FleetCheckReport r = Check("2026-03-01");
  bool hub = false;
  for (const QuotaFigure& q : r.quotas) {
    if (q.quota->id != "CN-2024-SH-DOMESTIC50") continue;
    hub = true;
    EXPECT_EQ(q.scope, "gz-hub");
    EXPECT_GT(q.assets, 0);
    EXPECT_EQ(q.breached, q.share_pct < 50.0);
  }
  EXPECT_TRUE(hub) << "the public computing hub is measured against the 50% guidance";
  const FleetCheckReport before = Check("2025-01-01");
  for (const QuotaFigure& q : before.quotas) {
    EXPECT_NE(q.quota->id, "CN-2024-SH-DOMESTIC50") << "not in force yet";
  }
}

TEST_F(FleetCheckTest, NaiveAndIndexedEnginesAgree) {
  for (const char* date : {"2023-06-01", "2025-06-01", "2026-03-01"}) {
    const FleetCheckReport a = Check(date, "", false);
    const FleetCheckReport b = Check(date, "", true);
    ASSERT_EQ(a.findings.size(), b.findings.size()) << date;
    for (size_t i = 0; i < a.findings.size(); ++i) {
      EXPECT_EQ(a.findings[i].situation->message, b.findings[i].situation->message);
    }
  }
}

}  // namespace
}  // namespace gpufleet::compliance
