// FleetRebuilder (fleet_rebuilder.h) over a seeded InventoryService: it builds a version only
// when the inventory's generation moved, every version shares the basis (nothing re-read or
// re-parsed), a reader of the previous version keeps it intact, and two callers racing after
// one change build it once.

#include "gpufleet/service/fleet_rebuilder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "service/live_fleet_harness.h"

namespace gpufleet::service {
namespace {

using inventory::ChangeKind;

// One company's node n0 of eight H100s (serials A0..A7) in Singapore.
std::string OneNode() {
  std::string y =
      "organisations:\n"
      "  - {id: a, name: A, kind: company, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg-0, name: SG 0, country: SG, ownership: owned}\n"
      "assets:\n";
  for (int g = 0; g < 8; ++g) {
    y += "  - {serial: A" + std::to_string(g) + ", model: " + testing::kH100 +
         ", site: sg-0, node: n0, owner: a, operator: a, holding: owned, acquired: 2024-01-01, "
         "arrival: export, from_country: TW}\n";
  }
  return y;
}

class FleetRebuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SchedulerOptions options;
    options.holder = "rebuilder";
    live_ = testing::LiveFleet::Make(OneNode(), "rebuilder", options);
    ASSERT_NE(live_, nullptr);
  }

  int32_t Gpus(const FleetContext& ctx) const {
    const std::optional<NodeId> n0 = ctx.fleet.fleet.FindNode("sg-0/n0");
    return n0 ? ctx.fleet.fleet.node(*n0).gpu_count : 0;
  }

  std::unique_ptr<testing::LiveFleet> live_;
};

TEST_F(FleetRebuilderTest, BuildsAVersionOnlyWhenTheInventoryChanged) {
  const std::shared_ptr<const FleetContext> first = live_->holder().Get();
  EXPECT_EQ(first->generation, live_->inventory().generation());
  EXPECT_EQ(first->entries, live_->inventory().size());
  Result<bool> r = live_->rebuilder().Refresh();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(*r);
  EXPECT_EQ(live_->holder().Get(), first);

  // A refused change changes nothing: no new version.
  const ChangeOutcome unknown = live_->Submit(live_->At(ChangeKind::kRetire, "no-such-board"));
  ASSERT_FALSE(unknown.status.ok());
  r = live_->rebuilder().Refresh();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);

  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, "A0")).status.ok());
  r = live_->rebuilder().Refresh();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(*r);
  const std::shared_ptr<const FleetContext> second = live_->holder().Get();
  ASSERT_NE(second, first);
  EXPECT_EQ(second->generation, live_->inventory().generation());
  EXPECT_EQ(second->entries, first->entries + 1);
  EXPECT_EQ(Gpus(*second), 7);
  // The reader of the first version still has all of it.
  EXPECT_EQ(Gpus(*first), 8);
  EXPECT_EQ(first->inventory.assets().size(), 8u);
  // Shared, not rebuilt: the very same catalog, rules and engine.
  EXPECT_EQ(second->catalog, live_->basis().catalog);
  EXPECT_EQ(second->rules, live_->basis().rules);
  EXPECT_EQ(second->engine, live_->basis().engine);
  EXPECT_EQ(second->catalog, first->catalog);
  r = live_->rebuilder().Refresh();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST_F(FleetRebuilderTest, CallersRacingAfterOneChangeBuildOneVersion) {
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, "A0")).status.ok());
  constexpr int kCallers = 4;
  std::atomic<int> built{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      const Result<bool> r = live_->rebuilder().Refresh();
      if (!r.ok()) ++failed;
      if (r.ok() && *r) ++built;
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(built.load(), 1);
  EXPECT_EQ(Gpus(*live_->holder().Get()), 7);
}

// Given a clock, the rules are judged on its day: the day moving is a new version, and a rule
// whose effective date comes quarantines what it forbids from that day, with no inventory
// change and no restart. Without a clock the day is the basis's for good.
TEST_F(FleetRebuilderTest, TheDayFollowsTheClockAndARuleTakingEffectQuarantines) {
  auto in = scheduler::testing::LoadShippedInputs();
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  const std::string ban =
      "rules:\n"
      "  - id: TEST-SG-H100-USE-BAN\n"
      "    kind: regulation\n"
      "    source: \"test\"\n"
      "    jurisdiction: SG\n"
      "    effective_from: 2026-03-11\n"
      "    chip: \"model in {" +
      std::string(testing::kH100) +
      "}\"\n"
      "    locations: [SG]\n"
      "    transfers: [use]\n"
      "    action: prohibited\n";
  auto rules = in->RulesWith(ban);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const FleetBasis basis =
      MakeFleetBasis(std::move(in->catalog), std::move(rules).value(), testing::kAt);
  auto first = BuildFleetFromInventory(basis, live_->inventory());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  FleetHolder holder(*first);
  FleetRebuilder by_day(basis, live_->inventory(), holder, &live_->clock());
  FleetHolder fixed_holder(*first);
  FleetRebuilder fixed(basis, live_->inventory(), fixed_holder, &live_->clock(),
                       /*day_follows_clock=*/false);
  constexpr int64_t kDay = 86'400'000;

  Result<bool> r = by_day.Refresh();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r) << "the clock stands on the basis's day";
  EXPECT_EQ(Gpus(*holder.Get()), 8);

  live_->clock().Advance(5 * kDay);  // 2026-03-06: a new day, the rule not yet in force
  r = by_day.Refresh();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(holder.Get()->at, *Date::Parse("2026-03-06"));
  EXPECT_EQ(Gpus(*holder.Get()), 8);

  live_->clock().Advance(5 * kDay);  // 2026-03-11: the ban's first day
  r = by_day.Refresh();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(Gpus(*holder.Get()), 0) << "every board of the node is quarantined";
  ASSERT_FALSE(holder.Get()->fleet.quarantined.empty());
  EXPECT_EQ(holder.Get()->fleet.quarantined.front().rules, "TEST-SG-H100-USE-BAN");
  r = by_day.Refresh();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r) << "the same day and inventory: nothing to rebuild";

  r = fixed.Refresh();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r) << "with the day pinned it stays the basis's";
  EXPECT_EQ(Gpus(*fixed_holder.Get()), 8);
}

}  // namespace
}  // namespace gpufleet::service
