// The saturation experiment on randomised fleets and workloads (no downloaded data needed).

#include "gpufleet/sim/saturation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "gpufleet/sim/workload.h"
#include "support/random_cluster.h"

namespace gpufleet::sim {
namespace {

using ::testing::HasSubstr;

struct Scenario {
  Fleet fleet;
  std::vector<codec::TracePod> pods;
};

Scenario RandomScenario(uint64_t seed) {
  Rng rng(seed);
  Scenario s{gpufleet::testing::RandomFleet(rng, 30 + static_cast<int>(rng.Uniform(50))), {}};
  for (int i = 0; i < 400; ++i) {
    codec::TracePod p;
    p.name = "pod-" + std::to_string(i);
    p.pod = gpufleet::testing::RandomPod(rng, s.fleet);
    s.pods.push_back(p);
  }
  return s;
}

void ExpectSameRuns(const SaturationReport& a, const SaturationReport& b) {
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (size_t i = 0; i < a.runs.size(); ++i) {
    const SaturationRun& x = a.runs[i];
    const SaturationRun& y = b.runs[i];
    EXPECT_EQ(x.policy, y.policy);
    EXPECT_EQ(x.seed, y.seed);
    EXPECT_EQ(x.failed_pods, y.failed_pods);
    ASSERT_EQ(x.curve.size(), y.curve.size());
    for (size_t k = 0; k < x.curve.size(); ++k) {
      // Bit for bit: the same seed must give the same doubles.
      EXPECT_EQ(x.curve[k].allocated_pct, y.curve[k].allocated_pct) << x.policy << " bin " << k;
      EXPECT_EQ(x.curve[k].fragmentation_pct, y.curve[k].fragmentation_pct);
      EXPECT_EQ(x.curve[k].failed_pct, y.curve[k].failed_pct);
    }
    EXPECT_EQ(x.unallocated_pct_at_100, y.unallocated_pct_at_100);
  }
}

TEST(SaturationTest, SeedsReproduceBitForBitAndPlacersAgree) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const Scenario s = RandomScenario(seed);
    SaturationOptions options;
    options.seeds = {seed, seed + 100};
    auto a = RunSaturation(s.fleet, s.pods, options);
    auto b = RunSaturation(s.fleet, s.pods, options);
    options.indexed = false;
    auto linear = RunSaturation(s.fleet, s.pods, options);
    ASSERT_TRUE(a.ok() && b.ok() && linear.ok()) << a.status().ToString();
    ASSERT_EQ(a->runs.size(), 7u * 2);
    ExpectSameRuns(*a, *b);
    ExpectSameRuns(*a, *linear);
  }
}

TEST(SaturationTest, CurvesAreConsistent) {
  const Scenario s = RandomScenario(7);
  SaturationOptions options;
  options.seeds = {1, 2, 3};
  auto report = RunSaturation(s.fleet, s.pods, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->cluster_gpus, s.fleet.total_gpus());
  for (const SaturationRun& run : report->runs) {
    SCOPED_TRACE(run.policy + " seed " + std::to_string(run.seed));
    ASSERT_EQ(run.curve.size(), 131u);
    for (const CurvePoint& p : run.curve) {
      if (p.allocated_pct == 0 && p.failed_pct == 0) continue;  // an empty bin at the start
      // Allocated plus failed is what arrived, within the bin's half-percent width.
      EXPECT_NEAR(p.allocated_pct + p.failed_pct, p.arrived_pct, 1.5) << p.arrived_pct;
      EXPECT_GE(p.fragmentation_pct, 0.0);
      EXPECT_LE(p.fragmentation_pct, 100.0 - p.allocated_pct + 1e-9);
    }
    EXPECT_DOUBLE_EQ(run.unallocated_pct_at_100, 100.0 - run.curve[100].allocated_pct);
    EXPECT_LE(run.allocated_pct_at_end, 100.0);
    EXPECT_GE(run.arrivals, static_cast<int64_t>(s.pods.size()) / 2);
  }
}

TEST(SaturationTest, TunedArrivalsReachTheTarget) {
  const Scenario s = RandomScenario(3);
  int64_t total = 0;
  for (const auto& p : s.pods) total += p.pod.total_gpu_milli();
  for (double tune : {0.5, 2.0}) {
    const auto target = static_cast<int64_t>(tune * static_cast<double>(total));
    const std::vector<size_t> order = TunedArrivals(s.pods, target, 9);
    int64_t sum = 0;
    for (size_t i : order) sum += s.pods[i].pod.total_gpu_milli();
    if (tune < 1) {
      EXPECT_LE(sum, target);
      EXPECT_LT(order.size(), s.pods.size());
    } else {
      EXPECT_GT(order.size(), s.pods.size());
      EXPECT_LE(sum, target + 8 * kMilliPerGpu) << "at most one pod past the target";
      EXPECT_GE(sum, target - 8 * kMilliPerGpu);
    }
    EXPECT_EQ(order, TunedArrivals(s.pods, target, 9)) << "same seed, same order";
  }
}

TEST(SaturationTest, ExplicitOrdersAreCheckedAgainstTheTrace) {
  const Scenario s = RandomScenario(4);
  SaturationOptions options;
  options.arrival_order = {{"a", "pod-1", "", {}}, {"b", "no-such-pod", "", {}}};
  auto bad_pod = RunSaturation(s.fleet, s.pods, options);
  ASSERT_FALSE(bad_pod.ok());
  EXPECT_THAT(bad_pod.status().message(), HasSubstr("arrival 1"));
  options.arrival_order.pop_back();
  options.node_order = {"nowhere"};
  auto bad_node = RunSaturation(s.fleet, s.pods, options);
  ASSERT_FALSE(bad_node.ok());
  EXPECT_THAT(bad_node.status().message(), HasSubstr("nowhere"));
  options.node_order.clear();
  options.seeds = {1, 2};
  EXPECT_FALSE(RunSaturation(s.fleet, s.pods, options).ok()) << "a replay has one seed";
  options.seeds = {1};
  options.policies = {"bogus"};
  EXPECT_FALSE(RunSaturation(s.fleet, s.pods, options).ok());
}

}  // namespace
}  // namespace gpufleet::sim
