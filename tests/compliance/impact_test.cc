// Change files (rule_change.h) and the impact of a change on the shipped example fleet
// (impact.h), with the example change files in examples/changes/.

#include "gpufleet/compliance/impact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gpufleet/compliance/rule_change.h"
#include "support/cli_runner.h"

namespace gpufleet::compliance {
namespace {

using ::testing::HasSubstr;

const std::string kSource = GPUFLEET_SOURCE_DIR;
constexpr std::string_view kH20 = "nvidia-h20-96gb";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A small base for the merge tests: one group, one derived fact, two rules, a quota.
constexpr std::string_view kBase = R"(groups:
  G1: [CN, MO]
derived:
  - name: big
    predicate: "tpp >= 4800"
rules:
  - id: R-A
    kind: regulation
    source: "test"
    version: 1
    jurisdiction: US
    effective_from: 2023-01-01
    effective_to: 2023-12-31
    chip: "big"
    locations: [G1]
    action: licence_required
  - id: R-A
    kind: regulation
    source: "test"
    version: 2
    jurisdiction: US
    effective_from: 2024-01-01
    chip: "big"
    locations: [G1]
    action: licence_required
  - id: R-B
    kind: regulation
    source: "test"
    effective_from: 2020-01-01
    jurisdiction: US
    chip: "tpp >= 1000"
    locations: [RU]
    action: prohibited
quotas:
  - id: Q-1
    kind: regulation
    source: "test"
    effective_from: 2020-01-01
    jurisdiction: CN
    measure: domestic_share_min
    threshold_pct: 50
    comparison: ge
    locations: [CN]
)";

class RuleChangeTest : public ::testing::Test {
 protected:
  Result<RuleSet> Apply(std::string_view change) {
    return ApplyChange(kBase, "base.yaml", change, "change.yaml", {});
  }
};

TEST_F(RuleChangeTest, AnEmptyChangeIsRejectedAndADescribedOneKeepsTheBase) {
  // An empty file is more likely a wrong path than a change of nothing.
  EXPECT_FALSE(Apply("").ok());
  auto r = Apply("description: nothing changes\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rules().size(), 3u);
  EXPECT_EQ(r->quotas().size(), 1u);
}

TEST_F(RuleChangeTest, ReplacesEveryVersionOfAnId) {
  auto r = Apply(R"(rules:
  - id: R-A
    kind: regulation
    source: "test"
    jurisdiction: US
    effective_from: 2025-01-01
    chip: "big"
    locations: [G1]
    action: prohibited
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto versions = r->Versions("R-A");
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0]->action, Action::kProhibited);
  EXPECT_EQ(r->Versions("R-B").size(), 1u) << "other rules stay";
}

TEST_F(RuleChangeTest, AppendsNewEntriesAndGroups) {
  auto r = Apply(R"(description: "more places"
groups:
  G1: [CN, MO, HK]
  G2: [IR]
rules:
  - id: R-C
    kind: regulation
    source: "test"
    effective_from: 2020-01-01
    jurisdiction: US
    chip: "big"
    locations: [G2]
    action: prohibited
quotas:
  - id: Q-1
    kind: regulation
    source: "test"
    effective_from: 2020-01-01
    jurisdiction: CN
    measure: domestic_share_min
    threshold_pct: 70
    comparison: ge
    locations: [CN]
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rules().size(), 4u);
  ASSERT_EQ(r->quotas().size(), 1u);
  EXPECT_EQ(r->quotas()[0].threshold_pct, 70);
  const auto c = r->Versions("R-C");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]->locations, std::vector<std::string>{"IR"});
  // The replaced group reaches the base rules that name it.
  EXPECT_TRUE(r->Versions("R-B")[0]->CoversLocation("RU"));
  EXPECT_TRUE(r->Versions("R-A")[0]->CoversLocation("HK"));
}

TEST_F(RuleChangeTest, RemovesById) {
  auto r = Apply("remove_rules: [R-B]\nremove_quotas: [Q-1]\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->Versions("R-B").empty());
  EXPECT_EQ(r->Versions("R-A").size(), 2u);
  EXPECT_TRUE(r->quotas().empty());
}

TEST_F(RuleChangeTest, UnknownKeyNamesTheChangeFileLine) {
  auto r = Apply("description: x\n\nrulez: []\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("change.yaml:3:1"));
  EXPECT_THAT(r.status().message(), HasSubstr("rulez"));
}

TEST_F(RuleChangeTest, RemovingAnUnknownIdIsAnError) {
  auto r = Apply("remove_rules:\n  - R-A\n  - R-NOPE\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("change.yaml:3:5"));
  EXPECT_THAT(r.status().message(), HasSubstr("R-NOPE"));
}

TEST_F(RuleChangeTest, TheMergedSetIsValidatedAsAWhole) {
  // Same scope as R-B, another action, no precedence: a conflict RuleSet::Parse rejects.
  auto conflict = Apply(R"(rules:
  - id: R-D
    kind: regulation
    source: "test"
    effective_from: 2020-01-01
    jurisdiction: US
    chip: "tpp >= 1000"
    locations: [RU]
    action: licence_required
)");
  ASSERT_FALSE(conflict.ok());
  EXPECT_THAT(conflict.status().message(), HasSubstr("base.yaml + change.yaml"));
  // A rule naming a group the base does not define.
  auto group = Apply(R"(rules:
  - id: R-E
    kind: regulation
    source: "test"
    effective_from: 2020-01-01
    jurisdiction: US
    locations: [NOPE]
    action: prohibited
)");
  ASSERT_FALSE(group.ok());
  EXPECT_THAT(group.status().message(), HasSubstr("NOPE"));
}

class ImpactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = catalog::Catalog::Load(kSource + "/data/catalog/accelerators.yaml");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::make_unique<catalog::Catalog>(std::move(cat).value());
    ids_ = catalog_->IdsByName();
    base_text_ = Slurp(kSource + "/data/rules/default.yaml");
    auto base = RuleSet::Parse(base_text_, "default.yaml", ids_);
    ASSERT_TRUE(base.ok()) << base.status().ToString();
    base_ = std::make_unique<RuleSet>(std::move(base).value());
    auto fleet = inventory::Inventory::Load(kSource + "/examples/fleet.yaml", *catalog_);
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    fleet_ = std::make_unique<inventory::Inventory>(std::move(fleet).value());
    auto jobs = ReadPlacementSnapshot(kSource + "/examples/placements.csv", *fleet_, *catalog_);
    ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
    jobs_ = std::move(jobs).value();
  }

  ImpactReport Run(const std::string& change_text, const std::string& date) {
    auto after = ApplyChange(base_text_, "default.yaml", change_text, "change.yaml", ids_);
    EXPECT_TRUE(after.ok()) << after.status().ToString();
    after_ = std::make_unique<RuleSet>(std::move(after).value());
    return Impact(*fleet_, *catalog_, *base_, *after_, *Date::Parse(date), jobs_);
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::map<std::string, std::string, std::less<>> ids_;
  std::string base_text_;
  std::unique_ptr<RuleSet> base_;
  std::unique_ptr<RuleSet> after_;
  std::unique_ptr<inventory::Inventory> fleet_;
  std::vector<JobPlacement> jobs_;
};

TEST_F(ImpactTest, AnEmptyChangeChangesNothing) {
  const ImpactReport r = Run("description: nothing\n", "2026-07-01");
  EXPECT_EQ(r.total.became_violation, 0);
  EXPECT_EQ(r.total.cleared, 0);
  EXPECT_EQ(r.total.became_manual, 0);
  EXPECT_EQ(r.total.new_warning, 0);
  EXPECT_TRUE(r.changes.empty());
  EXPECT_TRUE(r.new_obligations.empty());
  EXPECT_EQ(r.jobs_losing_placement, 0);
  EXPECT_EQ(r.jobs.size(), jobs_.size());
  for (const QuotaChange& q : r.quotas) {
    ASSERT_TRUE(q.before && q.after) << q.id;
    EXPECT_EQ(q.before->share_pct, q.after->share_pct);
  }
}

TEST_F(ImpactTest, AnH20BanMakesChineseH20sViolations) {
  const Date at = *Date::Parse("2026-07-01");
  const ImpactReport r = Run(Slurp(kSource + "/examples/changes/h20-ban.yaml"), at.ToString());
  // Every H20 in China held on the date is a violation after the ban; those that were not
  // one already are the newly non-compliant ones, and they are all the change touches.
  int64_t h20_in_cn = 0;
  for (const inventory::Asset& a : fleet_->assets()) {
    const inventory::Site* site = fleet_->FindSite(a.site);
    if (a.model == kH20 && site->country == "CN" && !(at < a.acquired)) ++h20_in_cn;
  }
  ASSERT_GT(h20_in_cn, 0);
  const TransitionCounts& h20 = r.by_model.at(std::string(kH20));
  EXPECT_EQ(h20.violations_after, h20_in_cn);
  EXPECT_EQ(h20.became_violation, h20_in_cn - h20.violations_before);
  EXPECT_GT(h20.became_violation, 0);
  EXPECT_EQ(r.total.became_violation, h20.became_violation) << "only H20s are touched";
  EXPECT_EQ(r.total.cleared, 0);
  for (const AssetChange& c : r.changes) {
    EXPECT_EQ(c.asset->model, kH20);
    EXPECT_EQ(c.after, AssetStatus::kViolation);
    EXPECT_THAT(c.reason, HasSubstr("CN-2026-H20-BAN-HYPOTHETICAL"));
  }
  int64_t by_site = 0;
  for (const auto& [site, c] : r.by_site) by_site += c.became_violation;
  EXPECT_EQ(by_site, r.total.became_violation);
  // Jobs on H20s in China lose their placement; the others keep theirs.
  ASSERT_GT(r.jobs_losing_placement, 0);
  for (const JobImpact& j : r.jobs) {
    const bool h20_cn = j.job.model == kH20 && fleet_->FindSite(j.job.site)->country == "CN";
    if (h20_cn) {
      EXPECT_EQ(j.after, Action::kProhibited) << j.job.job;
    } else {
      EXPECT_FALSE(j.loses_placement) << j.job.job;
    }
  }
  // Before the ban is in force, nothing changes.
  const ImpactReport early = Run(Slurp(kSource + "/examples/changes/h20-ban.yaml"), "2026-03-01");
  EXPECT_EQ(early.total.became_violation, 0);
  EXPECT_EQ(early.jobs_losing_placement, 0);
}

TEST_F(ImpactTest, ATighterQuotaMovesTheThresholdNotTheShare) {
  const ImpactReport r =
      Run(Slurp(kSource + "/examples/changes/tighter-domestic-quota.yaml"), "2026-03-01");
  EXPECT_TRUE(r.changes.empty()) << "a quota judges sites, not assets";
  bool found = false;
  for (const QuotaChange& q : r.quotas) {
    if (q.id != "CN-2024-SH-DOMESTIC50") continue;
    found = true;
    ASSERT_TRUE(q.before && q.after);
    EXPECT_EQ(q.before->threshold_pct, 50);
    EXPECT_EQ(q.after->threshold_pct, 70);
    EXPECT_EQ(q.before->share_pct, q.after->share_pct);
    EXPECT_EQ(q.after->breached, q.after->share_pct < 70);
  }
  EXPECT_TRUE(found);
}

TEST_F(ImpactTest, NewObligationsAreGroupedByBatch) {
  // A made-up host-country levy on the H200s rented in Abu Dhabi, and a made-up licence for
  // the A100s in Hong Kong.
  const ImpactReport r = Run(R"(rules:
  - id: AE-TEST-LEVY
    kind: regulation
    jurisdiction: AE
    effective_from: 2026-06-01
    chip: "model in {nvidia-h200-sxm-141gb}"
    locations: [AE]
    transfers: [use, remote_access]
    action: allowed_with_revenue_share
    revenue_share_pct: 10
    source: "test"
  - id: HK-TEST-LICENCE
    kind: regulation
    jurisdiction: HK
    effective_from: 2026-06-01
    chip: "model in {nvidia-a100-sxm4-80gb}"
    locations: [HK]
    transfers: [use]
    action: licence_required
    source: "test"
)",
                             "2026-07-01");
  const Obligation* levy = nullptr;
  const Obligation* licence = nullptr;
  for (const Obligation& o : r.new_obligations) {
    if (o.rule_id == "AE-TEST-LEVY") levy = &o;
    if (o.rule_id == "HK-TEST-LICENCE") licence = &o;
  }
  ASSERT_NE(levy, nullptr);
  EXPECT_EQ(levy->kind, Obligation::Kind::kRevenueShare);
  EXPECT_EQ(levy->revenue_share_pct, 10);
  EXPECT_EQ(levy->site, "abu-dhabi");
  EXPECT_EQ(levy->assets, 8);
  ASSERT_NE(licence, nullptr);
  EXPECT_EQ(licence->kind, Obligation::Kind::kLicence);
  EXPECT_EQ(licence->site, "hk-01");
  EXPECT_EQ(licence->assets, 4) << "the four A100s at hk-01";
  EXPECT_EQ(r.by_site.at("hk-01").became_violation, 4) << "no licence on file";
}

TEST(PlacementSnapshotTest, BadRowsNameTheirLineAndColumn) {
  auto cat = catalog::Catalog::Load(kSource + "/data/catalog/accelerators.yaml");
  ASSERT_TRUE(cat.ok());
  auto fleet = inventory::Inventory::Load(kSource + "/examples/fleet.yaml", *cat);
  ASSERT_TRUE(fleet.ok());
  const std::string dir = testing::FreshDir("placement_snapshot");
  const std::string path = dir + "/jobs.csv";
  std::ofstream(path) << "job,tenant_org,site,model,gpus,status\n"
                         "a,acme,sh-03,H20,8,running\n"
                         "b,acme,nowhere,H20,8,running\n";
  auto jobs = ReadPlacementSnapshot(path, *fleet, *cat);
  ASSERT_FALSE(jobs.ok());
  EXPECT_THAT(jobs.status().message(), HasSubstr("jobs.csv:3:3"));
  EXPECT_THAT(jobs.status().message(), HasSubstr("nowhere"));
  std::ofstream(path) << "job,tenant_org,site,model,gpus,status\na,acme,sh-03,H20,8,paused\n";
  auto state = ReadPlacementSnapshot(path, *fleet, *cat);
  ASSERT_FALSE(state.ok());
  EXPECT_THAT(state.status().message(), HasSubstr("paused"));
}

}  // namespace
}  // namespace gpufleet::compliance
