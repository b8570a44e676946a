// Each policy's score and GPU choice on small nodes, against values worked out by hand from
// the definitions in docs/policies.md.

#include "gpufleet/placement/policy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "gpufleet/placement/fragmentation.h"

namespace gpufleet::placement {
namespace {

NodeState Node(int64_t cpu_left, std::vector<int32_t> gpus, int64_t memory_left = 1 << 20) {
  NodeState n;
  n.model = ChipModelId(0);
  n.gpu_count = static_cast<int32_t>(gpus.size());
  n.cpu_capacity = 128000;
  n.cpu_left = cpu_left;
  n.memory_capacity = 1 << 20;
  n.memory_left = memory_left;
  for (size_t i = 0; i < gpus.size(); ++i) n.gpu_left[i] = gpus[i];
  return n;
}

PodRequest Pod(int64_t cpu, int32_t count, int32_t milli, int64_t memory = 1024) {
  PodRequest p;
  p.cpu_milli = cpu;
  p.memory_mib = memory;
  p.gpu_count = count;
  p.gpu_milli = milli;
  return p;
}

std::unique_ptr<Policy> Make(std::string_view name, std::vector<TypicalTask> tasks = {}) {
  auto p = MakePolicy(name, PolicyOptions{std::move(tasks)});
  EXPECT_TRUE(p.ok());
  return std::move(p).value();
}

TEST(FitsTest, ChecksCpuMemoryModelAndGpuRoom) {
  const NodeState n = Node(8000, {1000, 300}, 4096);
  EXPECT_TRUE(Fits(n, Pod(8000, 1, 300)));
  EXPECT_FALSE(Fits(n, Pod(8001, 1, 300)));        // CPU
  EXPECT_FALSE(Fits(n, Pod(1000, 1, 300, 4097)));  // memory
  EXPECT_FALSE(Fits(n, Pod(1000, 2, 1000)));       // only one whole GPU free
  EXPECT_TRUE(Fits(n, Pod(1000, 2, 300)));         // both GPUs have >= 300
  EXPECT_TRUE(Fits(n, Pod(1000, 0, 0)));           // CPU-only skips the GPU filter
  PodRequest other_model = Pod(1000, 1, 100);
  other_model.allowed_models.Add(ChipModelId(1));
  EXPECT_FALSE(Fits(n, other_model));
  other_model.allowed_models.Add(ChipModelId(0));
  EXPECT_TRUE(Fits(n, other_model));
}

TEST(BestFitTest, PrefersLeastLeftoverAndSmallestFittingGpu) {
  const auto p = Make("bestfit");
  Rng rng(1);
  const PodRequest pod = Pod(4000, 1, 250);
  // s = 60000/128000*0.5 + 1750/8000*0.5 = 0.34375 -> trunc(65.625)
  EXPECT_EQ(p->Score(Node(64000, {1000, 1000}), pod), 65);
  // s = 4000/128000*0.5 + 1050/8000*0.5 = 0.08125 -> trunc(91.875)
  EXPECT_EQ(p->Score(Node(8000, {1000, 300}), pod), 91);
  EXPECT_EQ(p->ChooseGpus(Node(8000, {1000, 300, 260}), pod, rng), 1u << 2);
  EXPECT_EQ(p->ChooseGpus(Node(8000, {300, 1000, 1000}), Pod(1, 2, 1000), rng), 0b110u);
}

TEST(DotProductTest, SmallerProductScoresHigher) {
  const auto p = Make("dotprod");
  const PodRequest pod = Pod(64000, 1, 1000);
  // dot = 0.5*0.5 + 0.25*0.125 = 0.28125 -> 100*(1-0.140625) = 85.9
  EXPECT_EQ(p->Score(Node(64000, {1000, 1000}), pod), 85);
  EXPECT_GT(p->Score(Node(64000, {1000}), pod), p->Score(Node(64000, {1000, 1000}), pod));
}

TEST(GpuPackingTest, FillsUsedGpusThenUsedNodesThenSmallIdleNodes) {
  const auto p = Make("packing");
  EXPECT_EQ(p->Score(Node(64000, {1000, 300}), Pod(1000, 1, 250)), 97);  // tier A: 30% free
  EXPECT_EQ(p->Score(Node(64000, {1000, 300}), Pod(1000, 1, 500)), 49);  // tier B: 1 fresh GPU
  EXPECT_EQ(p->Score(Node(64000, std::vector<int32_t>(8, 1000)), Pod(1000, 1, 500)), 25);
  EXPECT_EQ(p->Score(Node(64000, {1000, 1000}), Pod(1000, 1, 500)), 31);
  EXPECT_EQ(p->Score(Node(64000, {1000, 300}), Pod(1000, 0, 0)), 0);  // CPU-only
}

TEST(GpuClusteringTest, KeepsTaskKindsTogether) {
  const auto p = Make("clustering");
  NodeState sharing_only = Node(64000, {1000, 1000, 1000, 1000, 1000, 1000, 1000, 500});
  sharing_only.tag_count[0] = 1;
  NodeState mixed = sharing_only;
  mixed.tag_count[1] = 1;
  const NodeState fresh = Node(64000, std::vector<int32_t>(8, 1000));
  const PodRequest share = Pod(1000, 1, 200);
  EXPECT_EQ(p->Score(sharing_only, share), 75 + 25 * 500 / 8000);
  EXPECT_EQ(p->Score(mixed, share), 50 + 25 * 500 / 8000);
  EXPECT_EQ(p->Score(fresh, share), 25);
  EXPECT_EQ(p->Score(sharing_only, Pod(1000, 2, 1000)), 0 + 25 * 500 / 8000);
}

TEST(FragmentationTest, CountsIdleMilliEachTypicalTaskCannotUse) {
  TypicalTask cpu_only{Pod(1000, 0, 0), 0.5};
  TypicalTask whole{Pod(1000, 1, 1000), 0.5};
  // CPU-only: all 1500 idle milli; whole GPU: the 500 on the half-used GPU.
  EXPECT_DOUBLE_EQ(NodeFragmentation(Node(64000, {1000, 500}), {cpu_only, whole}), 1000.0);
  // Without CPU for the GPU task, all its idle milli is fragment.
  EXPECT_DOUBLE_EQ(NodeFragmentation(Node(500, {1000, 500}), {cpu_only, whole}), 1500.0);
}

TEST(FgdTest, PutsSharingPodWhereFragmentationGrowsLeast) {
  const auto p = Make("fgd", {{Pod(1000, 1, 1000), 1.0}});
  Rng rng(1);
  const NodeState n = Node(64000, {1000, 500});
  const PodRequest pod = Pod(1000, 1, 500);
  // GPU 1 -> leftovers {1000, 0}: F 500 -> 0, score trunc(100*sigmoid(0.5)) = 62.
  // GPU 0 would leave {500, 500}: F 500 -> 1000, score 37.
  EXPECT_EQ(p->Score(n, pod), static_cast<int64_t>(100 / (1 + std::exp(-0.5))));
  EXPECT_EQ(p->ChooseGpus(n, pod, rng), 1u << 1);
}

TEST(TypicalTasksTest, KeepsMostPopularShapesAndRenormalises) {
  std::vector<TraceShape> pods;
  auto add = [&](int64_t cpu, int n) {
    for (int i = 0; i < n; ++i) pods.push_back({cpu, 1000, 1, "", {}});
  };
  add(1000, 5);
  add(2000, 3);
  add(3000, 1);
  add(4000, 1);
  const auto all = BuildTypicalTasks(pods, 0.95);
  ASSERT_EQ(all.size(), 4u);  // 5+3+1 = 9 < 9.5, so the fourth shape is needed
  EXPECT_DOUBLE_EQ(all[0].probability, 0.5);
  EXPECT_EQ(all[2].pod.cpu_milli, 4000);  // equal counts: larger CPU first
  const auto cut = BuildTypicalTasks(pods, 0.8);
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_DOUBLE_EQ(cut[0].probability, 0.5 / 0.8);
  EXPECT_DOUBLE_EQ(cut[1].probability, 0.3 / 0.8);
}

TEST(PolicyRegistryTest, UnknownNameIsAnError) {
  auto p = MakePolicy("tetris", PolicyOptions{});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("tetris"), std::string::npos);
  EXPECT_EQ(PolicyNames().size(), 7u);
}

}  // namespace
}  // namespace gpufleet::placement
