// `gpufleet simulate` end to end on the real openb trace, when ../shared/data is present.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "gpufleet/codec/alibaba_trace.h"
#include "support/cli_runner.h"
#include "support/shared_data.h"

namespace gpufleet::testing {
namespace {

TEST(SimulateOpenbTest, FgdLeavesFewestGpusUnallocated) {
  const std::string dir = AlibabaTraceDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/data/alibaba-gpu-v2023 not found; skipping";
  CliResult r = RunGpufleet("simulate --nodes " + dir + "/openb_node_list_gpu_node.csv --pods " +
                            dir + "/openb_pod_list_default.csv --seeds 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("cluster_gpus").get<int64_t>(), 6212);
  std::map<std::string, double> unallocated;
  for (const auto& p : j.at("policies")) {
    double sum = 0;
    for (const auto& run : p.at("runs")) sum += run.at("unallocated_pct_at_100").get<double>();
    unallocated[p.at("policy").get<std::string>()] = sum / p.at("runs").size();
  }
  ASSERT_EQ(unallocated.size(), 7u);
  // The paper's ordering at 100% arrived (fgd-experiment.md): FGD best, Random worst, with
  // gaps far wider than three seeds' noise.
  for (const char* other : {"bestfit", "packing", "clustering", "dotprod", "random"}) {
    EXPECT_LT(unallocated["fgd"] + 1.0, unallocated[other]) << other;
    EXPECT_LT(unallocated[other], unallocated["random"] + 1e-9) << other;
  }
  // Published mean 4.77% for FGD; a 3-seed mean stays well inside one point of it.
  EXPECT_NEAR(unallocated["fgd"], 4.77, 1.0);
}

TEST(SimulateOpenbTest, ReplaysThePaperSimulatorsDecisions) {
  const std::string dir = AlibabaTraceDir();
  const std::string ref = ReferenceDir();
  if (dir.empty() || ref.empty()) GTEST_SKIP() << "../shared data or reference not found";
  const std::string arrivals = ref + "/fgd-replay/openb_default_seed42_fgd_decisions.csv";
  const std::string ours = FreshDir("replay") + "/ours.csv";
  CliResult r = RunGpufleet("simulate --nodes " + dir + "/openb_node_list_gpu_node.csv --pods " +
                            dir + "/openb_pod_list_default.csv --policies fgd --arrival-order " +
                            arrivals + " --node-order " + ref +
                            "/fgd-replay/openb_default_seed42_node_order.csv --decisions " + ours);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto expected = codec::ReadArrivalOrder(arrivals);
  auto actual = codec::ReadArrivalOrder(ours);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  ASSERT_EQ(actual->size(), expected->size());
  size_t differ = 0;
  for (size_t i = 0; i < expected->size(); ++i) {
    const auto& e = (*expected)[i];
    const auto& a = (*actual)[i];
    ASSERT_EQ(a.pod, e.pod) << i;
    differ += a.node != e.node || a.gpus != e.gpus;
  }
  EXPECT_EQ(differ, 0u);
}

}  // namespace
}  // namespace gpufleet::testing
