// `gpufleet simulate` refuses a command line that cannot mean what it says before any run:
// repeated policies, an empty arrival order, a node order that leaves nodes out or names one
// twice, and outputs it cannot write.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A three-node trace small enough that a run takes milliseconds.
class SimulateFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("simulate_flags");
    std::ofstream(dir_ + "/nodes.csv") << "sn,cpu_milli,memory_mib,gpu,model\n"
                                          "n0,8000,65536,2,T4\nn1,8000,65536,2,T4\n"
                                          "n2,8000,65536,2,T4\n";
    std::ofstream(dir_ + "/pods.csv") << "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
                                         "p0,1000,1024,1,1000\np1,1000,1024,1,500\n"
                                         "p2,1000,1024,2,1000\n";
  }

  CliResult Simulate(const std::string& args) {
    return RunGpufleet("simulate --nodes " + dir_ + "/nodes.csv --pods " + dir_ +
                       "/pods.csv --policies bestfit " + args);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }

  std::string dir_;
};

TEST_F(SimulateFlagsTest, APolicyGivenTwiceIsAnError) {
  const CliResult r = RunGpufleet("simulate --synthetic demo --policies fgd,bestfit,fgd");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--policies: 'fgd' given twice"));
  EXPECT_EQ(r.out, "") << "nothing ran";
}

TEST_F(SimulateFlagsTest, AnArrivalOrderWithoutRowsIsAnError) {
  const std::string order = Write("arrivals.csv", "arrival,pod,trace_pod,node,gpu_index\n");
  const CliResult r = Simulate("--arrival-order " + order);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(order + ": no arrivals"));
  EXPECT_EQ(r.out, "");
}

TEST_F(SimulateFlagsTest, ANodeOrderNamesEveryNodeOnce) {
  const CliResult full =
      Simulate("--node-order " + Write("full.csv", "rank,node\n0,n2\n1,n0\n2,n1\n"));
  EXPECT_EQ(full.exit_code, 0) << full.err;

  const std::string partial = Write("partial.csv", "rank,node\n0,n2\n1,n0\n");
  const CliResult missing = Simulate("--node-order " + partial);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr(partial + ": names 2 of the cluster's 3 nodes, not 'n1'"));
  EXPECT_THAT(missing.err, HasSubstr("--partial-node-order"));
  EXPECT_EQ(missing.out, "");

  const std::string twice = Write("twice.csv", "rank,node\n0,n2\n1,n0\n2,n2\n");
  const CliResult duplicate = Simulate("--node-order " + twice);
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_THAT(duplicate.err, HasSubstr(twice + ":4:2: node: 'n2' already ranked on line 2"));

  const std::string stranger = Write("stranger.csv", "rank,node\n0,n2\n1,n9\n2,n0\n");
  const CliResult unknown = Simulate("--node-order " + stranger + " --partial-node-order");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("'n9' is not a node of the cluster"));
}

TEST_F(SimulateFlagsTest, APartialNodeOrderNeedsTheFlag) {
  const std::string partial = Write("partial.csv", "rank,node\n0,n2\n");
  const CliResult r = Simulate("--node-order " + partial + " --partial-node-order --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("bestfit"));
  const CliResult alone = Simulate("--partial-node-order");
  EXPECT_EQ(alone.exit_code, 1) << "a usage error: the flag needs --node-order";
  EXPECT_THAT(alone.err, HasSubstr("Usage: gpufleet simulate"));
}

TEST_F(SimulateFlagsTest, DecisionsCreatesItsFolderAsOutDoes) {
  const std::string decisions = dir_ + "/new/deeper/decisions.csv";
  const CliResult r = Simulate("--decisions " + decisions);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(decisions), StartsWith("arrival,pod,trace_pod,node,gpu_index\n0,"));
}

TEST_F(SimulateFlagsTest, UnwritableOutputsFailBeforeTheRun) {
  // A directory where the file should be, and a file where a folder should be.
  std::filesystem::create_directories(dir_ + "/taken");
  const std::string file = Write("file", "x");
  for (const std::string& args : {"--decisions " + dir_ + "/taken",
                                  "--decisions " + file + "/decisions.csv", "--out " + file}) {
    const CliResult r = Simulate(args);
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_THAT(r.err, HasSubstr("cannot")) << args;
    EXPECT_EQ(r.out, "") << args << ": the run's table means it ran first";
  }
}

}  // namespace
}  // namespace gpufleet::testing
