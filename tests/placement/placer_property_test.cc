// Invariants over randomised scenarios, for every policy and both placers: no placement ever
// exceeds a node's CPU, memory or any GPU's capacity; what a placer reports equals a
// recomputation from the pods it bound; a gang is placed whole or not at all; a seed
// reproduces every decision.

#include <gtest/gtest.h>

#include <bit>

#include "gpufleet/placement/placer.h"
#include "support/random_cluster.h"

namespace gpufleet::placement {
namespace {

struct Bound {
  PodRequest pod;
  Assignment at;
};

// Recomputes every node's usage from the bound pods and compares with the placer's state.
void CheckState(const Fleet& fleet, const ClusterState& state, const std::vector<Bound>& bound) {
  ClusterState expect(fleet);
  for (const Bound& b : bound) {
    ASSERT_TRUE(expect.CanBind(b.pod, b.at)) << "over-committed node " << b.at.node.value();
    expect.Bind(b.pod, b.at);
  }
  for (size_t i = 0; i < state.size(); ++i) {
    const NodeState& got = state.nodes()[i];
    const NodeState& want = expect.nodes()[i];
    ASSERT_GE(got.cpu_left, 0);
    ASSERT_GE(got.memory_left, 0);
    ASSERT_EQ(got.cpu_left, want.cpu_left) << "node " << i;
    ASSERT_EQ(got.memory_left, want.memory_left) << "node " << i;
    for (int g = 0; g < got.gpu_count; ++g) {
      ASSERT_GE(got.gpu_left[g], 0);
      ASSERT_LE(got.gpu_left[g], kMilliPerGpu);
      ASSERT_EQ(got.gpu_left[g], want.gpu_left[g]) << "node " << i << " gpu " << g;
    }
  }
  ASSERT_EQ(state.gpu_allocated_milli(), expect.gpu_allocated_milli());
}

struct Scenario {
  std::string policy;
  bool indexed;
};

class PlacerPropertyTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(PlacerPropertyTest, NeverOverCommitsAndGangsAreAllOrNothing) {
  for (uint64_t seed = 100; seed < 115; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Rng rng(seed);
    const Fleet fleet = testing::RandomFleet(rng, 10 + static_cast<int>(rng.Uniform(40)));
    PolicyOptions options;
    options.typical_tasks = testing::RandomTypicalTasks(rng, fleet, 8);
    auto policy = MakePolicy(GetParam().policy, options);
    ASSERT_TRUE(policy.ok());
    const TieBreakOrder order = TieBreakOrder::Shuffled(fleet.nodes().size(), seed);
    auto placer = GetParam().indexed ? MakeIndexedPlacer(ClusterState(fleet), **policy, order)
                                     : MakeLinearPlacer(ClusterState(fleet), **policy, order);
    std::vector<Bound> bound;
    Rng draws(seed);
    for (int step = 0; step < 300; ++step) {
      const PodRequest pod = testing::RandomPod(rng, fleet);
      const int32_t gang = rng.Uniform(4) == 0 ? 2 + static_cast<int32_t>(rng.Uniform(6)) : 1;
      const int64_t allocated_before = placer->state().gpu_allocated_milli();
      const auto placed = placer->PlaceGang(pod, gang, draws);
      if (placed) {
        ASSERT_EQ(placed->size(), static_cast<size_t>(gang));
        for (const Assignment& a : *placed) {
          ASSERT_EQ(std::popcount(a.gpu_mask), pod.cpu_only() ? 0 : pod.gpu_count);
          ASSERT_TRUE(pod.allowed_models.Allows(fleet.node(a.node).gpu_model) || pod.cpu_only());
          bound.push_back({pod, a});
        }
      } else {
        // Nothing of a failed gang stays bound.
        ASSERT_EQ(placer->state().gpu_allocated_milli(), allocated_before);
      }
      CheckState(fleet, placer->state(), bound);
      if (HasFatalFailure()) return;
      if (!bound.empty() && rng.Uniform(3) == 0) {
        const size_t k = rng.Uniform(bound.size());
        placer->Unbind(bound[k].pod, bound[k].at);
        bound.erase(bound.begin() + static_cast<std::ptrdiff_t>(k));
      }
    }
  }
}

TEST_P(PlacerPropertyTest, SameSeedReproducesEveryDecision) {
  auto run = [&](uint64_t seed) {
    Rng rng(seed);
    const Fleet fleet = testing::RandomFleet(rng, 60);
    PolicyOptions options;
    options.typical_tasks = testing::RandomTypicalTasks(rng, fleet, 8);
    auto policy = MakePolicy(GetParam().policy, options);
    const TieBreakOrder order = TieBreakOrder::Shuffled(fleet.nodes().size(), seed);
    auto placer = GetParam().indexed ? MakeIndexedPlacer(ClusterState(fleet), **policy, order)
                                     : MakeLinearPlacer(ClusterState(fleet), **policy, order);
    std::vector<std::optional<Assignment>> out;
    for (int i = 0; i < 400; ++i) out.push_back(placer->Place(testing::RandomPod(rng, fleet), rng));
    return out;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

std::vector<Scenario> AllScenarios() {
  std::vector<Scenario> s;
  for (const std::string& p : PolicyNames()) {
    s.push_back({p, false});
    s.push_back({p, true});
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, PlacerPropertyTest, ::testing::ValuesIn(AllScenarios()),
                         [](const auto& p) {
                           return p.param.policy + (p.param.indexed ? "Indexed" : "Linear");
                         });

}  // namespace
}  // namespace gpufleet::placement
