// Sourcing quotas in `check`: every measure with every comparison at, just below and just
// above its threshold; what a breach counts as; assets whose origin is unknown. Small fleets
// written here, one site, so each share is exact.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::compliance {
namespace {

const std::string kSource = GPUFLEET_SOURCE_DIR;

// Models: domestic to CN with designer and fab known, not domestic, domestic but fab unknown.
constexpr char kDomestic[] = "huawei-ascend-910b";
constexpr char kForeign[] = "nvidia-h20-96gb";
constexpr char kFabUnknown[] = "huawei-ascend-910c";

struct FleetSpec {
  int domestic = 0, foreign = 0, fab_unknown = 0;
  int external = 0;  // of the foreign ones, operated by an external customer
};

std::string FleetYaml(const FleetSpec& f) {
  std::string yaml = R"(organisations:
  - {id: acme, name: Acme, kind: company, hq_country: CN}
  - {id: lumen, name: Lumen, kind: external_customer, hq_country: CN}
sites:
  - {id: s1, name: Site 1, country: CN, ownership: owned}
assets:
)";
  int serial = 0;
  const auto add = [&](const char* model, int n, const char* op) {
    for (int i = 0; i < n; ++i) {
      yaml += "  - {serial: S" + std::to_string(++serial) + ", model: " + model +
              ", site: s1, owner: acme, operator: " + op +
              ", holding: owned, acquired: 2024-01-01, arrival: in_country_transfer, "
              "from_country: CN}\n";
    }
  };
  add(kDomestic, f.domestic, "acme");
  add(kForeign, f.foreign - f.external, "acme");
  add(kForeign, f.external, "lumen");
  add(kFabUnknown, f.fab_unknown, "acme");
  return yaml;
}

std::string QuotaYaml(const std::string& measure, const std::string& comparison,
                      const std::string& action = "warning", const std::string& kind = "guidance") {
  return "quotas:\n  - id: Q\n    kind: " + kind +
         "\n    jurisdiction: CN\n    effective_from: 2020-01-01\n    measure: " + measure +
         "\n    basis: count\n    threshold_pct: 50\n    comparison: " + comparison +
         "\n    action: " + action + "\n    source: \"test source Q\"\n";
}

class QuotaThresholdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = catalog::Catalog::Load(kSource + "/data/catalog/accelerators.yaml");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::make_unique<catalog::Catalog>(std::move(cat).value());
  }

  FleetCheckReport Check(const FleetSpec& spec, const std::string& rules_yaml) {
    auto fleet = inventory::Inventory::Parse(FleetYaml(spec), "fleet.yaml", "", *catalog_);
    EXPECT_TRUE(fleet.ok()) << fleet.status().ToString();
    fleet_ = std::make_unique<inventory::Inventory>(std::move(fleet).value());
    auto rules = RuleSet::Parse(rules_yaml, "rules.yaml", catalog_->IdsByName());
    EXPECT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = std::make_unique<RuleSet>(std::move(rules).value());
    const auto engine = MakeIndexedEngine(*rules_);
    return CheckFleet(*fleet_, *catalog_, *rules_, *engine, *Date::Parse("2025-01-01"));
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<inventory::Inventory> fleet_;
  std::unique_ptr<RuleSet> rules_;
};

struct ThresholdCase {
  const char* measure;
  const char* comparison;
  int counted;  // domestic (min) or external (max) assets of 10
  bool breached;
};

class QuotaComparisonTest : public QuotaThresholdTest,
                            public ::testing::WithParamInterface<ThresholdCase> {};

TEST_P(QuotaComparisonTest, BreachFollowsTheComparison) {
  const ThresholdCase& c = GetParam();
  const bool min = std::string(c.measure) == "domestic_share_min";
  const FleetSpec spec = min ? FleetSpec{.domestic = c.counted, .foreign = 10 - c.counted}
                             : FleetSpec{.foreign = 10, .external = c.counted};
  const FleetCheckReport r = Check(spec, QuotaYaml(c.measure, c.comparison));
  ASSERT_EQ(r.quotas.size(), 1u);
  const QuotaFigure& q = r.quotas[0];
  EXPECT_DOUBLE_EQ(q.share_pct, 10.0 * c.counted);
  EXPECT_EQ(q.breached, c.breached) << c.measure << " " << c.comparison << " at " << q.share_pct;
  EXPECT_FALSE(q.needs_manual_classification);
  EXPECT_EQ(r.quota_warnings, c.breached ? 1 : 0) << "a guidance quota's breach is a warning";
  EXPECT_EQ(r.quota_violations, 0);
}

// Threshold 50%: 4, 5 and 6 of 10 assets are just below, at and just above it.
INSTANTIATE_TEST_SUITE_P(AtBelowAbove, QuotaComparisonTest,
                         ::testing::Values(ThresholdCase{"domestic_share_min", "gt", 4, true},
                                           ThresholdCase{"domestic_share_min", "gt", 5, true},
                                           ThresholdCase{"domestic_share_min", "gt", 6, false},
                                           ThresholdCase{"domestic_share_min", "ge", 4, true},
                                           ThresholdCase{"domestic_share_min", "ge", 5, false},
                                           ThresholdCase{"domestic_share_min", "ge", 6, false},
                                           ThresholdCase{"external_share_max", "lt", 4, false},
                                           ThresholdCase{"external_share_max", "lt", 5, true},
                                           ThresholdCase{"external_share_max", "lt", 6, true},
                                           ThresholdCase{"external_share_max", "le", 4, false},
                                           ThresholdCase{"external_share_max", "le", 5, false},
                                           ThresholdCase{"external_share_max", "le", 6, true}),
                         [](const ::testing::TestParamInfo<ThresholdCase>& p) {
                           return std::string(p.param.measure) + "_" + p.param.comparison + "_" +
                                  std::to_string(p.param.counted) + "of10";
                         });

TEST_F(QuotaThresholdTest, ABindingBreachIsAViolation) {
  const FleetSpec at_half{.domestic = 5, .foreign = 5};
  for (const char* action : {"prohibited", "licence_required"}) {
    const FleetCheckReport r = Check(at_half, QuotaYaml("domestic_share_min", "gt", action));
    ASSERT_EQ(r.quotas.size(), 1u);
    EXPECT_TRUE(r.quotas[0].breached);
    EXPECT_EQ(r.quotas[0].severity, Severity::kViolation) << action;
    EXPECT_EQ(ActionName(r.quotas[0].action), action);
    EXPECT_EQ(r.quota_violations, 1) << action;
    EXPECT_EQ(r.violations, 1) << "no asset violates; the quota does";
  }
  // An operator policy binds like a regulation; a proposed quota binds nobody yet.
  const FleetCheckReport policy =
      Check(at_half, QuotaYaml("domestic_share_min", "gt", "prohibited", "policy"));
  EXPECT_EQ(policy.quota_violations, 1);
  const FleetCheckReport proposed =
      Check(at_half, QuotaYaml("domestic_share_min", "gt", "prohibited", "proposed"));
  EXPECT_EQ(proposed.quota_violations, 0);
  EXPECT_EQ(proposed.quota_warnings, 1);
  EXPECT_EQ(proposed.quotas[0].action, Action::kWarning);
  // Milder actions are warnings.
  const FleetCheckReport notify =
      Check(at_half, QuotaYaml("domestic_share_min", "gt", "notification_required"));
  EXPECT_EQ(notify.quota_violations, 0);
  EXPECT_EQ(notify.quota_warnings, 1);
}

// 4 known domestic, 2 domestic-listed chips whose foundry is not established, 4 foreign: 40%
// if the two are not domestic, 60% if they are. Against "at least 50%" the answer depends on
// them: manual classification, never a silent pass.
TEST_F(QuotaThresholdTest, UnknownOriginIsNeverAssumedDomestic) {
  const FleetCheckReport r = Check(FleetSpec{.domestic = 4, .foreign = 4, .fab_unknown = 2},
                                   QuotaYaml("domestic_share_min", "ge", "prohibited"));
  ASSERT_EQ(r.quotas.size(), 1u);
  const QuotaFigure& q = r.quotas[0];
  EXPECT_DOUBLE_EQ(q.share_pct, 40);
  EXPECT_DOUBLE_EQ(q.share_pct_if_unknown_count, 60);
  EXPECT_EQ(q.unknown, 2);
  EXPECT_FALSE(q.breached);
  EXPECT_TRUE(q.needs_manual_classification);
  EXPECT_EQ(q.severity, Severity::kManualClassification);
  EXPECT_EQ(r.quota_manual, 1);
  // 2 known + 2 unknown of 10: under 50% either way, a breach whatever they are.
  const FleetCheckReport low = Check(FleetSpec{.domestic = 2, .foreign = 6, .fab_unknown = 2},
                                     QuotaYaml("domestic_share_min", "ge", "prohibited"));
  EXPECT_TRUE(low.quotas[0].breached);
  EXPECT_EQ(low.quota_violations, 1);
}

TEST_F(QuotaThresholdTest, AQuotaWithoutComparisonIsALoadError) {
  std::string yaml = QuotaYaml("domestic_share_min", "gt");
  yaml.erase(yaml.find("    comparison: gt\n"), std::string("    comparison: gt\n").size());
  auto rules = RuleSet::Parse(yaml, "rules.yaml", catalog_->IdsByName());
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), ::testing::HasSubstr("rules.yaml:"));
  EXPECT_THAT(rules.status().message(), ::testing::HasSubstr("comparison"));
}

}  // namespace
}  // namespace gpufleet::compliance
