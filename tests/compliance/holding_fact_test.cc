// How assets are held, as the rules see it: rented capacity stays remote access on every
// check date (a remote-access rule that takes effect after the rental began reaches it), and
// the fact `holding` lets a rule single out leased or rented hardware without touching owned
// hardware of the same model and holder. Also for jobs of a placement snapshot in `impact`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/impact.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::compliance {
namespace {

const std::string kSource = GPUFLEET_SOURCE_DIR;

// acme (HQ CN) holds H100s in Malaysia three ways, all since 2025-01-10.
constexpr char kFleet[] = R"(organisations:
  - {id: acme, name: Acme, kind: company, hq_country: CN}
  - {id: tanjung, name: Tanjung DC, kind: counterparty, hq_country: MY}
sites:
  - {id: jb-01, name: Johor 1, country: MY, ownership: rented, provider: Tanjung DC}
assets:
  - {serial: OWN1, model: H100, site: jb-01, owner: acme, operator: acme, holding: owned, acquired: 2025-01-10, arrival: export, from_country: US}
  - {serial: OWN2, model: H100, site: jb-01, owner: acme, operator: acme, holding: owned, acquired: 2025-01-10, arrival: export, from_country: US}
  - {serial: LEASE1, model: H100, site: jb-01, owner: tanjung, operator: acme, holding: leased, acquired: 2025-01-10, arrival: export, from_country: US}
  - {serial: RENT1, model: H100, site: jb-01, owner: tanjung, operator: acme, holding: rented_remote, acquired: 2025-01-10, arrival: export, from_country: US}
  - {serial: RENT2, model: H100, site: jb-01, owner: tanjung, operator: acme, holding: rented_remote, acquired: 2025-01-10, arrival: export, from_country: US}
)";

// A future rule on remote access by China-headquartered companies, from 2027-01-01.
constexpr char kRemoteAccessRule[] = R"(rules:
  - id: TEST-REMOTE-ACCESS
    kind: regulation
    jurisdiction: US
    effective_from: 2027-01-01
    chip: "model in {nvidia-h100-sxm5-80gb}"
    locations: [MY]
    end_user_hq: [CN]
    transfers: [remote_access]
    action: licence_required
    source: "test: remote-access rule"
)";

// An operator policy on leased hardware only, read through the `holding` fact.
constexpr char kLeasedRule[] = R"(rules:
  - id: TEST-LEASED-ONLY
    kind: policy
    jurisdiction: ACME
    effective_from: 2020-01-01
    transfers: [use]
    condition: "holding == \"leased\""
    action: notification_required
    source: "test: leased hardware policy"
)";

class HoldingFactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = catalog::Catalog::Load(kSource + "/data/catalog/accelerators.yaml");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::make_unique<catalog::Catalog>(std::move(cat).value());
    auto fleet = inventory::Inventory::Parse(kFleet, "fleet.yaml", "", *catalog_);
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    fleet_ = std::make_unique<inventory::Inventory>(std::move(fleet).value());
  }

  RuleSet Rules(const std::string& yaml) {
    auto rules = RuleSet::Parse(yaml, "rules.yaml", catalog_->IdsByName());
    EXPECT_TRUE(rules.ok()) << rules.status().ToString();
    return std::move(rules).value();
  }

  // Serials with a finding of `severity`.
  std::set<std::string> Flagged(const RuleSet& rules, const std::string& date, Severity severity) {
    const auto engine = MakeIndexedEngine(rules);
    const FleetCheckReport r = CheckFleet(*fleet_, *catalog_, rules, *engine, *Date::Parse(date));
    std::set<std::string> out;
    for (const AssetFinding& f : r.findings) {
      if (f.situation->severity == severity) out.insert(f.asset->serial);
    }
    return out;
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<inventory::Inventory> fleet_;
};

TEST_F(HoldingFactTest, ARemoteAccessRuleReachesCapacityAlreadyRentedOnly) {
  const RuleSet rules = Rules(kRemoteAccessRule);
  EXPECT_TRUE(Flagged(rules, "2026-06-01", Severity::kViolation).empty()) << "not yet in force";
  EXPECT_EQ(Flagged(rules, "2027-02-01", Severity::kViolation),
            (std::set<std::string>{"RENT1", "RENT2"}))
      << "rented since 2025, still reached remotely in 2027; owned and leased untouched";
}

TEST_F(HoldingFactTest, TheHoldingFactSinglesOutLeasedHardware) {
  const RuleSet rules = Rules(kLeasedRule);
  EXPECT_EQ(Flagged(rules, "2026-06-01", Severity::kWarning), (std::set<std::string>{"LEASE1"}));
}

TEST_F(HoldingFactTest, JobsOnRentedCapacityAreReachedThroughTheSnapshotsHolding) {
  const std::string dir = ::testing::TempDir() + "/holding_fact_test";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/placements.csv";
  std::ofstream(path) << "job,tenant_org,site,model,gpus,status,holding\n"
                         "on-rented,acme,jb-01,H100,2,running,rented_remote\n"
                         "on-owned,acme,jb-01,H100,2,running,owned\n";
  auto jobs = ReadPlacementSnapshot(path, *fleet_, *catalog_);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  const RuleSet before = Rules("rules: []\n");
  const RuleSet after = Rules(kRemoteAccessRule);
  const ImpactReport r =
      Impact(*fleet_, *catalog_, before, after, *Date::Parse("2027-02-01"), *jobs);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_TRUE(r.jobs[0].loses_placement) << "the job on rented capacity";
  EXPECT_FALSE(r.jobs[1].loses_placement) << "the job on owned hardware";
  EXPECT_THAT(r.jobs[0].reason, ::testing::HasSubstr("test: remote-access rule"))
      << "reasons name each rule's source";
  EXPECT_EQ(r.jobs_losing_placement, 1);
}

TEST_F(HoldingFactTest, ASnapshotWithoutHoldingTakesItFromTheFleetOrAsksForIt) {
  const std::string dir = ::testing::TempDir() + "/holding_fact_test";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/mixed.csv";
  std::ofstream(path) << "job,tenant_org,site,model,gpus,status\n"
                         "j1,acme,jb-01,H100,2,running\n";
  auto jobs = ReadPlacementSnapshot(path, *fleet_, *catalog_);
  ASSERT_FALSE(jobs.ok()) << "jb-01 holds H100s owned, leased and rented: ambiguous";
  EXPECT_THAT(jobs.status().message(), ::testing::HasSubstr("mixed.csv:2"));
  EXPECT_THAT(jobs.status().message(), ::testing::HasSubstr("holding"));
}

}  // namespace
}  // namespace gpufleet::compliance
