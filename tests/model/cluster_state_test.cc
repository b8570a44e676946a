#include "gpufleet/model/cluster_state.h"

#include <gtest/gtest.h>

namespace gpufleet {
namespace {

class ClusterStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = fleet_.AddModel("NVIDIA", "T4", 16 * 1024);
    auto s = fleet_.AddSite("s", "CN", "self", Ownership::kOwned);
    ASSERT_TRUE(fleet_.AddNode("n0", *s, *m, 4, 32000, 65536).ok());
    ASSERT_TRUE(fleet_.AddNode("n1", *s, *m, 0, 8000, 8192).ok());
  }
  Fleet fleet_;
};

TEST_F(ClusterStateTest, BindAndUnbindKeepEveryQuantityInRange) {
  ClusterState state(fleet_);
  EXPECT_EQ(state.gpu_capacity_milli(), 4000);
  const PodRequest share{4000, 1024, 1, 600, {}, nullptr};
  const Assignment on_gpu2{NodeId(0), 1u << 2};
  ASSERT_TRUE(state.CanBind(share, on_gpu2));
  state.Bind(share, on_gpu2);
  EXPECT_EQ(state.node(NodeId(0)).gpu_left[2], 400);
  EXPECT_EQ(state.node(NodeId(0)).cpu_left, 28000);
  EXPECT_EQ(state.node(NodeId(0)).memory_left, 65536 - 1024);
  EXPECT_EQ(state.gpu_allocated_milli(), 600);
  EXPECT_EQ(state.node(NodeId(0)).tag_count[AffinityTag(share)], 1);
  // A second 600-milli share does not fit on GPU 2 any more, but does on GPU 0.
  EXPECT_FALSE(state.CanBind(share, on_gpu2));
  EXPECT_TRUE(state.CanBind(share, {NodeId(0), 1u}));
  // Three whole GPUs: only GPUs 0, 1, 3 are whole.
  const PodRequest three{1000, 1, 3, 1000, {}, nullptr};
  EXPECT_FALSE(state.CanBind(three, {NodeId(0), 0b0111}));
  EXPECT_TRUE(state.CanBind(three, {NodeId(0), 0b1011}));
  // CPU and memory bound too.
  EXPECT_FALSE(state.CanBind({40000, 1, 0, 0, {}, nullptr}, {NodeId(0), 0}));
  EXPECT_FALSE(state.CanBind({1, 70000, 0, 0, {}, nullptr}, {NodeId(0), 0}));
  state.Unbind(share, on_gpu2);
  EXPECT_EQ(state.node(NodeId(0)).gpu_left[2], 1000);
  EXPECT_EQ(state.node(NodeId(0)).cpu_left, 32000);
  EXPECT_EQ(state.gpu_allocated_milli(), 0);
  EXPECT_EQ(state.node(NodeId(0)).tag_count[AffinityTag(share)], 0);
}

TEST_F(ClusterStateTest, CpuOnlyNodeTakesCpuOnlyPods) {
  ClusterState state(fleet_);
  EXPECT_TRUE(state.CanBind({8000, 8192, 0, 0, {}, nullptr}, {NodeId(1), 0}));
  EXPECT_FALSE(state.CanBind({8001, 1, 0, 0, {}, nullptr}, {NodeId(1), 0}));
  EXPECT_FALSE(state.CanBind({1, 1, 1, 1000, {}, nullptr}, {NodeId(1), 1}));
}

}  // namespace
}  // namespace gpufleet
