// The indexed placer makes exactly the decisions of the linear scan, for every policy, on
// randomised clusters and workloads with arrivals and departures.

#include <gtest/gtest.h>

#include "gpufleet/placement/placer.h"
#include "support/random_cluster.h"

namespace gpufleet::placement {
namespace {

struct Bound {
  PodRequest pod;
  Assignment at;
};

// `steps` arrivals or departures; one in `departure_odds` steps is a departure. `zoned`: the
// fleet spans several sites, nodes are zoned by site, and most pods carry a zone filter (as
// compliance-filtered jobs do).
void RunDifferential(const std::string& policy_name, uint64_t seed, int steps = 600,
                     int departure_odds = 5, bool zoned = false) {
  SCOPED_TRACE("policy " + policy_name + " seed " + std::to_string(seed) + (zoned ? " zoned" : ""));
  Rng rng(seed);
  const int nodes = 20 + static_cast<int>(rng.Uniform(120));
  const Fleet fleet = zoned ? testing::RandomFleet(rng, nodes, 2 + static_cast<int>(rng.Uniform(4)))
                            : testing::RandomFleet(rng, nodes);
  const auto filters = zoned ? testing::RandomZoneFilters(rng, fleet, 3)
                             : std::vector<std::shared_ptr<const ZoneFilter>>{};
  const Zones zones = zoned ? Zones::kSite : Zones::kNone;
  PolicyOptions options;
  options.typical_tasks = testing::RandomTypicalTasks(rng, fleet, 12);
  auto policy = MakePolicy(policy_name, options);
  ASSERT_TRUE(policy.ok());
  const TieBreakOrder order = TieBreakOrder::Shuffled(fleet.nodes().size(), seed);
  auto linear = MakeLinearPlacer(ClusterState(fleet, zones), **policy, order);
  auto indexed = MakeIndexedPlacer(ClusterState(fleet, zones), **policy, order);
  Rng rng_linear(seed + 1), rng_indexed(seed + 1);
  std::vector<Bound> bound;
  for (int step = 0; step < steps; ++step) {
    if (!bound.empty() && rng.Uniform(static_cast<uint64_t>(departure_odds)) == 0) {
      const size_t k = rng.Uniform(bound.size());
      linear->Unbind(bound[k].pod, bound[k].at);
      indexed->Unbind(bound[k].pod, bound[k].at);
      bound.erase(bound.begin() + static_cast<std::ptrdiff_t>(k));
      continue;
    }
    PodRequest pod = testing::RandomPod(rng, fleet);
    if (zoned) {
      const size_t k = rng.Uniform(filters.size() + 1);
      if (k < filters.size()) pod.zones = filters[k];
    }
    const auto a = linear->Place(pod, rng_linear);
    const auto b = indexed->Place(pod, rng_indexed);
    ASSERT_EQ(a.has_value(), b.has_value()) << "step " << step;
    if (!a) continue;
    ASSERT_EQ(a->node, b->node) << "step " << step;
    ASSERT_EQ(a->gpu_mask, b->gpu_mask) << "step " << step;
    bound.push_back({pod, *a});
  }
}

class PlacerDifferentialTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PlacerDifferentialTest, IndexedDecidesExactlyAsLinearScan) {
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    RunDifferential(GetParam(), seed);
    if (HasFatalFailure()) return;
  }
}

// Long runs with heavy churn: thousands of classes are born and die, so the indexed placer's
// birth log is trimmed and its per-shape indexes are rebuilt many times over.
TEST_P(PlacerDifferentialTest, LongChurningRunsStayIdentical) {
  for (uint64_t seed = 101; seed <= 102; ++seed) {
    RunDifferential(GetParam(), seed, 20000, 2);
    if (HasFatalFailure()) return;
  }
}

// Compliance-filtered pods: nodes zoned by site, pods limited to some (site, model) pairs.
TEST_P(PlacerDifferentialTest, ZoneFilteredPodsDecideIdentically) {
  for (uint64_t seed = 201; seed <= 215; ++seed) {
    RunDifferential(GetParam(), seed, 600, 5, /*zoned=*/true);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, PlacerDifferentialTest, ::testing::ValuesIn(PolicyNames()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace gpufleet::placement
