// FleetHolder (fleet_holder.h): readers get the current version, and a version taken before
// a Set stays whole for its reader, with readers and a writer on several threads.

#include "gpufleet/service/fleet_holder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "scheduler/shipped_inputs.h"
#include "service/scheduler_test_fleet.h"

namespace gpufleet::service {
namespace {

// A version of a one-node fleet stamped `generation`.
std::shared_ptr<const FleetContext> Version(uint64_t generation) {
  static const auto kInputs = [] {
    auto in = scheduler::testing::LoadShippedInputs();
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    auto inv =
        inventory::Inventory::Parse(testing::SmallInventory(1, 1), "holder.yaml", "", in->catalog);
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    return std::pair{MakeFleetBasis(in->catalog, compliance::RuleSet{}, testing::kAt), *inv};
  }();
  auto ctx = BuildFleetContext(kInputs.first, kInputs.second, generation);
  EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
  return std::shared_ptr<const FleetContext>(std::move(ctx).value());
}

TEST(FleetHolderTest, GetGivesTheVersionLastSetAndOldOnesLiveWithTheirReaders) {
  FleetHolder holder(Version(1));
  const std::shared_ptr<const FleetContext> first = holder.Get();
  EXPECT_EQ(first->generation, 1u);
  holder.Set(Version(2));
  EXPECT_EQ(holder.Get()->generation, 2u);
  EXPECT_EQ(first->generation, 1u);
  EXPECT_EQ(first.use_count(), 1) << "only its reader holds the first version now";
}

// Readers racing a writer that sets versions 2..N in order see each version's generation
// never go backwards (each Get is one whole version, the latest at that moment).
TEST(FleetHolderTest, ConcurrentReadersNeverSeeAVersionGoBack) {
  constexpr uint64_t kVersions = 200;
  FleetHolder holder(Version(1));
  std::atomic<bool> done{false};
  std::atomic<int> backwards{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      uint64_t last = 0;
      while (!done.load()) {
        const uint64_t g = holder.Get()->generation;
        if (g < last) ++backwards;
        last = g;
      }
    });
  }
  for (uint64_t g = 2; g <= kVersions; ++g) holder.Set(Version(g));
  done.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(backwards.load(), 0);
  EXPECT_EQ(holder.Get()->generation, kVersions);
}

}  // namespace
}  // namespace gpufleet::service
