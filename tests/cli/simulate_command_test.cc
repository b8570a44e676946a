// `gpufleet simulate` end to end on the synthetic demo fleet (no downloaded data needed).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

TEST(SimulateCommandTest, DemoWritesTableCsvJsonAndPlot) {
  const std::string out = FreshDir("demo");
  CliResult r = RunGpufleet(
      "simulate --synthetic demo --seeds 2 --policies fgd,bestfit,random "
      "--out " +
      out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("fgd"));
  EXPECT_THAT(r.out, HasSubstr("bestfit"));
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no progress bar when not a terminal";
  for (const char* f : {"saturation.csv", "summary.csv", "saturation.json", "allocation.svg"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
  }
  const nlohmann::json j = nlohmann::json::parse(ReadFile(out + "/saturation.json"));
  ASSERT_EQ(j.at("policies").size(), 3u);
  for (const auto& p : j.at("policies")) {
    ASSERT_EQ(p.at("runs").size(), 2u);
    for (const auto& run : p.at("runs")) {
      const double unalloc = run.at("unallocated_pct_at_100").get<double>();
      EXPECT_GE(unalloc, 0.0);
      EXPECT_LE(unalloc, 100.0);
      EXPECT_FALSE(run.at("curve").at("arrived_pct").empty());
    }
  }
  EXPECT_THAT(ReadFile(out + "/allocation.svg"), HasSubstr("<svg"));
}

TEST(SimulateCommandTest, SameSeedSameOutput) {
  CliResult a = RunGpufleet("simulate --synthetic demo --policies fgd,random --json");
  CliResult b = RunGpufleet("simulate --synthetic demo --policies fgd,random --json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  nlohmann::json ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  // Wall-clock seconds are the only field allowed to differ.
  for (auto* j : {&ja, &jb}) {
    for (auto& p : j->at("policies")) {
      for (auto& run : p.at("runs")) run.erase("seconds");
      p.erase("summary");
    }
  }
  EXPECT_EQ(ja, jb);
}

TEST(SimulateCommandTest, EventModeReportsDelays) {
  const std::string out = FreshDir("events");
  CliResult r =
      RunGpufleet("simulate --synthetic demo --mode events --policies bestfit --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("bestfit"));
  for (const char* f : {"events.csv", "events_summary.csv", "events.json", "utilisation.svg"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
  }
  // The synthetic event workload offers 1.1x the fleet's capacity: pods must queue.
  const nlohmann::json j = nlohmann::json::parse(ReadFile(out + "/events.json"));
  const auto& run = j.at("policies").at(0).at("runs").at(0);
  EXPECT_GT(run.at("p99_delay_s").get<double>(), 0.0);
  EXPECT_GT(run.at("arrival_allocated_pct").get<double>(), 50.0);
  EXPECT_LE(run.at("arrival_allocated_pct").get<double>(), 100.0);
}

TEST(SimulateCommandTest, BadInputFailsWithFileAndLine) {
  const std::string dir = FreshDir("bad");
  std::ofstream(dir + "/nodes.csv") << "sn,cpu_milli,memory_mib,gpu,model\nn0,1000,10,2,T4\n";
  std::ofstream(dir + "/pods.csv") << "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
                                      "p0,100,1,1,500\np1,100,1,one,500\n";
  CliResult r = RunGpufleet("simulate --nodes " + dir + "/nodes.csv --pods " + dir + "/pods.csv");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr(dir + "/pods.csv:3:4"));

  CliResult unknown = RunGpufleet("simulate --synthetic demo --policies nosuch");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("nosuch"));

  CliResult missing = RunGpufleet("simulate --nodes /no/such.csv --pods /no/such.csv");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("/no/such.csv"));
}

}  // namespace
}  // namespace gpufleet::testing
