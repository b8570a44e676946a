// One scheduling cycle with tenants (cycle.h) on a tiny fleet: one site, one model, two nodes
// of eight GPUs, the shipped rules with acme's overlay (its 10% resale cap).

#include "gpufleet/scheduler/cycle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/rule_change.h"
#include "scheduler/shipped_inputs.h"

namespace gpufleet::scheduler {
namespace {

constexpr char kModel[] = "nvidia-h100-sxm5-80gb";

std::string TinyInventory() {
  std::string y =
      "organisations:\n"
      "  - {id: a, name: A, kind: company, hq_country: SG}\n"
      "  - {id: b, name: B, kind: company, hq_country: SG}\n"
      "  - {id: ext, name: Ext, kind: external_customer, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg, name: SG, country: SG, ownership: owned}\n"
      "assets:\n";
  for (int i = 0; i < 16; ++i) {
    y += "  - {serial: \"SN" + std::to_string(i) + "\", model: " + kModel + ", site: sg, node: n" +
         std::to_string(i / 8) +
         ", owner: a, operator: a, holding: owned, acquired: 2024-01-01, arrival: export, "
         "from_country: TW}\n";
  }
  return y;
}

class CycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto in = testing::LoadShippedInputs();
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    auto rules = in->RulesWithAcme();
    catalog_ = std::make_unique<catalog::Catalog>(std::move(in->catalog));
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = std::make_unique<compliance::RuleSet>(std::move(rules).value());
    auto inv = inventory::Inventory::Parse(TinyInventory(), "tiny.yaml", "", *catalog_);
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    inv_ = std::make_unique<inventory::Inventory>(std::move(inv).value());
    engine_ = compliance::MakeIndexedEngine(*rules_);
    const compliance::FleetCheckReport check =
        compliance::CheckFleet(*inv_, *catalog_, *rules_, *engine_, at_);
    auto fleet = BuildInventoryFleet(*inv_, *catalog_, at_, check);
    ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
    fleet_ = std::make_unique<InventoryFleet>(std::move(fleet).value());
    ASSERT_EQ(fleet_->fleet.nodes().size(), 2u);
    ASSERT_EQ(fleet_->fleet.models().size(), 1u);
    cache_ = std::make_unique<EligibilityCache>(*fleet_, *inv_, *engine_, at_);
    for (const char* org : {"a", "b", "ext"}) {
      ASSERT_EQ(cache_->For({org, ""}).eligible_nodes, 2) << org << " may use both nodes";
    }
    auto policy = placement::MakePolicy("bestfit", placement::PolicyOptions{});
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    policy_ = std::move(policy).value();
    tenants_ = {{"A", "a", 0, {{model_, 8}}}, {"B", "b", 0, {{model_, 8}}}, {"X", "ext", 0, {}}};
  }

  static CycleJob Job(uint64_t id, const std::string& tenant, int32_t gpus, int32_t priority = 0,
                      int32_t replicas = 1) {
    CycleJob j;
    j.id = id;
    j.tenant = tenant;
    j.priority = priority;
    j.pod.gpu_count = gpus;
    j.pod.gpu_milli = kMilliPerGpu;
    j.replicas = replicas;
    j.submitted_at = static_cast<int64_t>(id);
    return j;
  }

  CycleResult Run(const std::vector<CycleJob>& pending, const std::vector<RunningJob>& running) {
    return RunCycle(*fleet_, *inv_, *rules_, *cache_, at_, *policy_, tenants_, pending, running, 1);
  }

  // Runs `jobs` on an empty fleet, each started at its id; all must start.
  std::vector<RunningJob> Started(const std::vector<CycleJob>& jobs) {
    const CycleResult r = Run(jobs, {});
    EXPECT_EQ(r.starts.size(), jobs.size());
    std::vector<RunningJob> running;
    for (const CycleResult::Start& s : r.starts) {
      for (const CycleJob& j : jobs) {
        if (j.id == s.job) running.push_back({j, s.placements, static_cast<int64_t>(j.id)});
      }
    }
    return running;
  }

  const Date at_ = *Date::Parse("2026-03-01");
  const ChipModelId model_{0};
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<compliance::RuleSet> rules_;
  std::unique_ptr<inventory::Inventory> inv_;
  std::unique_ptr<compliance::Engine> engine_;
  std::unique_ptr<InventoryFleet> fleet_;
  std::unique_ptr<EligibilityCache> cache_;
  std::unique_ptr<placement::Policy> policy_;
  std::vector<TenantPolicy> tenants_;
};

TEST_F(CycleTest, OwnerReclaimsBorrowedCapacityFromTheYoungestLowestPriorityJob) {
  // B borrows the whole fleet: job 1 (priority 1) then job 2 (priority 0), 8 GPUs each.
  const std::vector<RunningJob> running = Started({Job(1, "B", 8, 1), Job(2, "B", 8, 0)});
  ASSERT_EQ(running.size(), 2u);
  const CycleResult r = Run({Job(10, "A", 8)}, running);
  ASSERT_EQ(r.starts.size(), 1u);
  EXPECT_EQ(r.starts[0].job, 10u);
  EXPECT_FALSE(r.starts[0].borrowed);
  ASSERT_EQ(r.preemptions.size(), 1u);
  EXPECT_EQ(r.preemptions[0].job, 2u) << "lowest priority first";
  EXPECT_EQ(r.preemptions[0].reason, std::string("preempted: tenant A reclaims its guaranteed 8 ") +
                                         kModel + " GPUs for job 10");
  EXPECT_TRUE(r.pending_reasons.empty());
}

// The admin's tenant priority decides between tenants; a job's own priority, however large,
// only orders it among its tenant's jobs. Without guarantees nothing is reclaimed, so whichever
// job goes first takes the fleet.
TEST_F(CycleTest, TenantPriorityOrdersBeforeTheJobsOwnPriority) {
  tenants_ = {{"A", "a", 5, {}}, {"B", "b", 0, {}}};
  const CycleResult r = Run({Job(1, "B", 8, std::numeric_limits<int32_t>::max(), 2),
                             Job(2, "A", 8, 0), Job(3, "A", 8, 1)},
                            {});
  ASSERT_EQ(r.starts.size(), 2u);
  EXPECT_EQ(r.starts[0].job, 3u) << "A's higher job priority first";
  EXPECT_EQ(r.starts[1].job, 2u);
  EXPECT_TRUE(r.pending_reasons.contains(1));
}

TEST_F(CycleTest, AmongEqualPrioritiesTheYoungestIsPreempted) {
  const std::vector<RunningJob> running = Started({Job(1, "B", 8), Job(2, "B", 8)});
  const CycleResult r = Run({Job(10, "A", 4)}, running);
  ASSERT_EQ(r.preemptions.size(), 1u);
  EXPECT_EQ(r.preemptions[0].job, 2u) << "started later";
  ASSERT_EQ(r.starts.size(), 1u);
}

TEST_F(CycleTest, GuaranteedJobsAreNotPreempted) {
  // B within its guarantee (8), A borrowing the other node: A asks for more, nothing yields.
  const std::vector<RunningJob> running = Started({Job(1, "B", 8), Job(2, "A", 8)});
  const CycleResult r = Run({Job(10, "A", 4)}, running);
  EXPECT_TRUE(r.starts.empty());
  EXPECT_TRUE(r.preemptions.empty());
  ASSERT_EQ(r.pending_reasons.count(10), 1u);
  EXPECT_THAT(r.pending_reasons.at(10), ::testing::StartsWith("capacity:"));
}

TEST_F(CycleTest, BorrowsIdleCapacityBeyondTheGuaranteeWithoutPreempting) {
  const std::vector<RunningJob> running = Started({Job(1, "B", 4)});
  const CycleResult r = Run({Job(10, "A", 8), Job(11, "A", 4), Job(12, "A", 4)}, running);
  EXPECT_TRUE(r.preemptions.empty()) << "A past its guarantee never preempts";
  ASSERT_EQ(r.starts.size(), 2u);
  EXPECT_EQ(r.starts[0].job, 10u);
  EXPECT_FALSE(r.starts[0].borrowed);
  EXPECT_EQ(r.starts[1].job, 11u);
  EXPECT_TRUE(r.starts[1].borrowed);
  ASSERT_EQ(r.pending_reasons.count(12), 1u);
  EXPECT_THAT(r.pending_reasons.at(12), ::testing::StartsWith("capacity:"));
}

TEST_F(CycleTest, ABorrowedStartOfThisCycleYieldsToALaterGuaranteedJob) {
  // B (priority 5) borrows both nodes in this cycle; A's job within its guarantee comes later
  // and takes one back: B's younger job does not start.
  const CycleResult r = Run({Job(1, "B", 8, 5), Job(2, "B", 8, 5), Job(10, "A", 8, 0)}, {});
  EXPECT_TRUE(r.preemptions.empty());
  ASSERT_EQ(r.starts.size(), 2u);
  EXPECT_EQ(r.starts[0].job, 1u);
  EXPECT_EQ(r.starts[1].job, 10u);
  ASSERT_EQ(r.pending_reasons.count(2), 1u);
  EXPECT_THAT(r.pending_reasons.at(2), ::testing::HasSubstr("reclaims its guaranteed 8"));
}

TEST_F(CycleTest, GangsAreAllOrNothing) {
  const std::vector<RunningJob> running = Started({Job(1, "B", 4)});
  // Three replicas of 4 GPUs: 12 of the 12 free GPUs (one node and half of the other) fit.
  CycleResult r = Run({Job(10, "A", 4, 0, 3)}, running);
  ASSERT_EQ(r.starts.size(), 1u);
  EXPECT_EQ(r.starts[0].placements.size(), 3u);
  // Four replicas do not: none is placed, and nothing is preempted (A would pass 8).
  r = Run({Job(11, "A", 4, 0, 4)}, running);
  EXPECT_TRUE(r.starts.empty());
  EXPECT_TRUE(r.preemptions.empty());
  ASSERT_EQ(r.pending_reasons.count(11), 1u);
  EXPECT_THAT(r.pending_reasons.at(11), ::testing::HasSubstr("4 x 4 GPUs in one site"));
}

TEST_F(CycleTest, GangWithinTheGuaranteeReclaimsAllItNeeds) {
  // B holds 4 + 4 + 8 (borrowing 8); A's gang of 2 x 4 within its guarantee preempts enough.
  const std::vector<RunningJob> running =
      Started({Job(1, "B", 8, 2), Job(2, "B", 4, 1), Job(3, "B", 4, 0)});
  const CycleResult r = Run({Job(10, "A", 4, 0, 2)}, running);
  ASSERT_EQ(r.starts.size(), 1u);
  EXPECT_EQ(r.starts[0].placements.size(), 2u);
  ASSERT_EQ(r.preemptions.size(), 2u);
  EXPECT_EQ(r.preemptions[0].job + r.preemptions[1].job, 5u) << "the two borrowed 4-GPU jobs";
}

TEST_F(CycleTest, ExternalTenantStaysUnderTheResaleCap) {
  // 10% of 16 GPUs: one GPU for external customers, not two.
  const CycleResult r = Run({Job(10, "X", 1), Job(11, "X", 1)}, {});
  ASSERT_EQ(r.starts.size(), 1u);
  EXPECT_EQ(r.starts[0].job, 10u);
  ASSERT_EQ(r.pending_reasons.count(11), 1u);
  EXPECT_THAT(r.pending_reasons.at(11), ::testing::StartsWith("resale cap:"));
}

TEST_F(CycleTest, UnknownTenantPends) {
  const CycleResult r = Run({Job(10, "nobody", 1)}, {});
  EXPECT_TRUE(r.starts.empty());
  EXPECT_EQ(r.pending_reasons.at(10), "tenant: no tenant 'nobody'");
}

}  // namespace
}  // namespace gpufleet::scheduler
