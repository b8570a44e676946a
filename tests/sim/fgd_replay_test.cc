// Faithfulness: replaying the FGD paper simulator's own arrival and tie-break order (openb
// default trace, seed 42), our FGD makes the same decision, node and GPUs, for every one of
// the 10,866 arrivals (reference/fgd-replay/).

#include <gtest/gtest.h>

#include <string>

#include "gpufleet/codec/alibaba_trace.h"
#include "gpufleet/sim/saturation.h"
#include "support/shared_data.h"

namespace gpufleet::sim {
namespace {

class FgdReplayTest : public ::testing::TestWithParam<bool> {};

TEST_P(FgdReplayTest, MatchesEveryReferenceDecision) {
  const std::string data = testing::AlibabaTraceDir();
  const std::string ref = testing::ReferenceDir();
  if (data.empty() || ref.empty()) {
    GTEST_SKIP() << "../shared/data/alibaba-gpu-v2023 or ../shared/reference is absent";
  }
  auto fleet = codec::ReadAlibabaNodes(data + "/openb_node_list_gpu_node.csv");
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  auto pods = codec::ReadAlibabaPods(data + "/openb_pod_list_default.csv", *fleet);
  ASSERT_TRUE(pods.ok()) << pods.status().ToString();
  auto arrivals =
      codec::ReadArrivalOrder(ref + "/fgd-replay/openb_default_seed42_fgd_decisions.csv");
  ASSERT_TRUE(arrivals.ok()) << arrivals.status().ToString();
  auto order = codec::ReadNodeOrder(ref + "/fgd-replay/openb_default_seed42_node_order.csv");
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  ASSERT_EQ(arrivals->size(), 10866u);

  SaturationOptions options;
  options.policies = {"fgd"};
  options.seeds = {42};
  options.arrival_order = *arrivals;
  options.node_order = *order;
  options.indexed = GetParam();
  std::vector<std::vector<ArrivalDecision>> decisions;
  auto report = RunSaturation(*fleet, *pods, options, &decisions);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(decisions.size(), 1u);
  ASSERT_EQ(decisions[0].size(), arrivals->size());

  size_t node_mismatches = 0, gpu_mismatches = 0, first_mismatch = SIZE_MAX;
  for (size_t i = 0; i < arrivals->size(); ++i) {
    const codec::ArrivalRow& want = (*arrivals)[i];
    const ArrivalDecision& got = decisions[0][i];
    const std::string got_node =
        got.assignment ? fleet->node(got.assignment->node).name : std::string();
    if (got_node != want.node) {
      ++node_mismatches;
      first_mismatch = std::min(first_mismatch, i);
      continue;
    }
    uint32_t want_mask = 0;
    for (int g : want.gpus) want_mask |= uint32_t{1} << g;
    if (got.assignment && got.assignment->gpu_mask != want_mask) {
      ++gpu_mismatches;
      first_mismatch = std::min(first_mismatch, i);
    }
  }
  EXPECT_EQ(node_mismatches, 0u) << "first mismatch at arrival " << first_mismatch;
  EXPECT_EQ(gpu_mismatches, 0u) << "first mismatch at arrival " << first_mismatch;
}

INSTANTIATE_TEST_SUITE_P(LinearAndIndexed, FgdReplayTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Indexed" : "Linear"; });

}  // namespace
}  // namespace gpufleet::sim
