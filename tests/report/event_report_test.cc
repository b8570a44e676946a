#include "gpufleet/report/event_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace gpufleet::report {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
  return fields;
}

sim::EventRun MakeRun(const std::string& policy, uint64_t seed, int64_t placed,
                      double mean_allocated_pct) {
  sim::EventRun run;
  run.policy = policy;
  run.seed = seed;
  run.pods = 100;
  run.placed = placed;
  run.never_placed = 100 - placed;
  run.never_placed_gpus = 0.5 * static_cast<double>(100 - placed);
  run.skipped = 3;
  run.mean_delay_s = 12.345678;
  run.p50_delay_s = 4;
  run.p99_delay_s = 300.5;
  run.max_delay_s = 900;
  run.mean_allocated_pct = mean_allocated_pct;
  for (int i = 0; i < 5; ++i) {
    run.utilisation.push_back({i * 3600, mean_allocated_pct + i / 3.0, 10 - i});
  }
  run.seconds = 1.5;
  return run;
}

sim::EventReport MakeReport() {
  sim::EventReport report;
  report.trace = "openb";
  report.cluster_gpus = 64;
  report.runs = {MakeRun("fgd", 42, 98, 70), MakeRun("fgd", 43, 96, 72),
                 MakeRun("bestfit", 42, 90, 60)};
  return report;
}

TEST(WriteEventTableTest, OneRowPerPolicyWithMeansOverSeeds) {
  std::ostringstream out;
  WriteEventTable(MakeReport(), out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_GE(lines.size(), 5u) << out.str();
  EXPECT_NE(lines[0].find("openb"), std::string::npos);
  EXPECT_NE(lines[0].find("64 GPUs"), std::string::npos);
  EXPECT_NE(lines[0].find("100 pods"), std::string::npos);
  for (const char* column : {"placed", "never placed", "never placed GPUs", "mean delay s",
                             "p50 delay s", "p99 delay s", "util arriving %", "util all %"}) {
    EXPECT_NE(lines[1].find(column), std::string::npos) << column;
  }
  // Report order, not a ranking.
  ASSERT_EQ(lines[3].rfind("fgd ", 0), 0u) << lines[3];
  ASSERT_EQ(lines[4].rfind("bestfit ", 0), 0u) << lines[4];
  // fgd: placed {98, 96} -> 97, never placed {2, 4} -> 3 pods, 1.5 GPUs; util 71 ± sqrt(2).
  EXPECT_NE(lines[3].find(" 97 "), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find(" 3 "), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find(" 1.5 "), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find("12.3"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find("300.5"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find("71.00 ± 1.41"), std::string::npos) << lines[3];
}

TEST(WriteEventCsvTest, OneRowPerUtilisationSample) {
  const sim::EventReport report = MakeReport();
  std::ostringstream out;
  WriteEventCsv(report, out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1 + 3 * 5u);
  EXPECT_EQ(lines[0], "policy,seed,time,allocated_pct,queued_pods");
  size_t row = 1;
  for (const sim::EventRun& run : report.runs) {
    for (const sim::UtilisationSample& u : run.utilisation) {
      const std::vector<std::string> f = Split(lines[row++]);
      ASSERT_EQ(f.size(), 5u);
      EXPECT_EQ(f[0], run.policy);
      EXPECT_EQ(std::stoull(f[1]), run.seed);
      EXPECT_EQ(std::stoll(f[2]), u.time);
      EXPECT_NEAR(std::stod(f[3]), u.allocated_pct, 0.5e-4 + 1e-12);
      EXPECT_EQ(std::stoll(f[4]), u.queued_pods);
    }
  }
}

TEST(WriteEventSummaryCsvTest, MeansAndSdsPerPolicy) {
  std::ostringstream out;
  WriteEventSummaryCsv(MakeReport(), out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  const std::vector<std::string> header = Split(lines[0]);
  const std::vector<std::string> fgd = Split(lines[1]);
  ASSERT_EQ(fgd.size(), header.size());
  EXPECT_EQ(fgd[0], "fgd");
  EXPECT_EQ(fgd[1], "2");
  auto value = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return std::stod(fgd[i]);
    }
    ADD_FAILURE() << "no column " << name;
    return 0.0;
  };
  EXPECT_DOUBLE_EQ(value("placed_mean"), 97);
  EXPECT_DOUBLE_EQ(value("placed_sd"), 1.4142);
  EXPECT_DOUBLE_EQ(value("never_placed_gpus_mean"), 1.5);
  EXPECT_DOUBLE_EQ(value("mean_delay_s_mean"), 12.3457);
  EXPECT_DOUBLE_EQ(value("mean_allocated_pct_mean"), 71);
}

TEST(WriteEventJsonTest, ParsesBackWithTheRightNumbers) {
  std::ostringstream out;
  WriteEventJson(MakeReport(), out);
  const nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["trace"], "openb");
  EXPECT_EQ(j["cluster_gpus"], 64);
  ASSERT_EQ(j["policies"].size(), 2u);
  const auto& fgd = j["policies"][0];
  EXPECT_EQ(fgd["policy"], "fgd");
  EXPECT_EQ(fgd["summary"]["seeds"], 2);
  EXPECT_DOUBLE_EQ(fgd["summary"]["placed"]["mean"].get<double>(), 97);
  ASSERT_EQ(fgd["runs"].size(), 2u);
  const auto& run = fgd["runs"][1];
  EXPECT_EQ(run["seed"], 43);
  EXPECT_EQ(run["placed"], 96);
  EXPECT_EQ(run["never_placed"], 4);
  EXPECT_DOUBLE_EQ(run["never_placed_gpus"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(run["mean_delay_s"].get<double>(), 12.3457);
  EXPECT_DOUBLE_EQ(run["p99_delay_s"].get<double>(), 300.5);
  ASSERT_EQ(run["utilisation"]["time"].size(), 5u);
  EXPECT_EQ(run["utilisation"]["time"][2], 7200);
  EXPECT_DOUBLE_EQ(run["utilisation"]["allocated_pct"][1].get<double>(), 72.3333);
  EXPECT_EQ(run["utilisation"]["queued_pods"][4], 6);
}

}  // namespace
}  // namespace gpufleet::report
