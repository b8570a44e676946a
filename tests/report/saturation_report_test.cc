#include "gpufleet/report/saturation_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace gpufleet::report {
namespace {

constexpr int64_t kClusterGpus = 200;

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
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// A run whose allocation follows arrivals up to `allocated_at_100` at 100% arrived, with
// values that need rounding (many decimals) so the round-trip checks mean something.
sim::SaturationRun MakeRun(const std::string& policy, uint64_t seed, double allocated_at_100,
                           int last_bin = 130) {
  sim::SaturationRun run;
  run.policy = policy;
  run.seed = seed;
  for (int b = 0; b <= last_bin; ++b) {
    sim::CurvePoint p;
    p.arrived_pct = b;
    p.allocated_pct = b <= 100 ? b * allocated_at_100 / 100.0 : allocated_at_100 + 0.0123456;
    p.fragmentation_pct = b / 7.0;
    p.failed_pct = b > 90 ? (b - 90) / 3.0 : 0;
    run.curve.push_back(p);
  }
  if (last_bin >= 100) {
    run.unallocated_pct_at_100 = 100 - allocated_at_100;
    run.unallocated_gpus_at_100 = run.unallocated_pct_at_100 / 100 * kClusterGpus;
  }
  run.allocated_pct_at_end = run.curve.back().allocated_pct;
  run.arrivals = 1000 + static_cast<int64_t>(seed);
  run.failed_pods = static_cast<int64_t>(seed % 10);
  run.failed_gpus = 1.5 * static_cast<double>(seed % 10);
  run.seconds = 0.25;
  return run;
}

// Policies in run order random, fgd, bestfit; unallocated at 100%: 20, 5 (mean of 6 and
// 4), 12.
sim::SaturationReport MakeReport() {
  sim::SaturationReport report;
  report.trace = "test-trace";
  report.cluster_gpus = kClusterGpus;
  report.tune = 1.3;
  report.runs = {MakeRun("random", 42, 80), MakeRun("fgd", 42, 94), MakeRun("fgd", 43, 96),
                 MakeRun("bestfit", 42, 88)};
  return report;
}

size_t LineStarting(const std::vector<std::string>& lines, const std::string& prefix) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(prefix, 0) == 0) return i;
  }
  return lines.size();
}

TEST(WriteTableTest, SortsByUnallocatedAscending) {
  std::ostringstream out;
  WriteTable(MakeReport(), out);
  const std::vector<std::string> lines = Lines(out.str());
  const size_t fgd = LineStarting(lines, "fgd ");
  const size_t bestfit = LineStarting(lines, "bestfit ");
  const size_t random = LineStarting(lines, "random ");
  ASSERT_LT(random, lines.size()) << out.str();
  EXPECT_LT(fgd, bestfit) << out.str();
  EXPECT_LT(bestfit, random) << out.str();
}

TEST(WriteTableTest, HeaderNamesTraceClusterAndTune) {
  std::ostringstream out;
  WriteTable(MakeReport(), out);
  const std::string first = Lines(out.str()).front();
  EXPECT_NE(first.find("test-trace"), std::string::npos) << first;
  EXPECT_NE(first.find("200 GPUs"), std::string::npos) << first;
  EXPECT_NE(first.find("tune 1.3"), std::string::npos) << first;
}

TEST(WriteTableTest, ShowsMeanAndSampleSdOverSeeds) {
  std::ostringstream out;
  WriteTable(MakeReport(), out);
  const std::vector<std::string> lines = Lines(out.str());
  const std::string& fgd = lines[LineStarting(lines, "fgd ")];
  // Allocated {94, 96}: mean 95, sd sqrt(2); unallocated GPUs {12, 8}: 10 ± 2.8.
  EXPECT_NE(fgd.find("95.00 ± 1.41"), std::string::npos) << fgd;
  EXPECT_NE(fgd.find("5.00 ± 1.41"), std::string::npos) << fgd;
  EXPECT_NE(fgd.find("10.0 ± 2.8"), std::string::npos) << fgd;
  // One seed: no spread shown.
  const std::string& random = lines[LineStarting(lines, "random ")];
  EXPECT_EQ(random.find("±"), std::string::npos) << random;
  EXPECT_NE(random.find("20.00"), std::string::npos) << random;
}

TEST(WriteTableTest, ColumnsLineUpDespiteMultibyteCells) {
  std::ostringstream out;
  WriteTable(MakeReport(), out);
  const std::vector<std::string> lines = Lines(out.str());
  auto code_points = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  const size_t header = LineStarting(lines, "policy");
  ASSERT_LT(header, lines.size());
  // Right-aligned last column: every row ends at the header's width.
  for (const char* p : {"fgd ", "bestfit ", "random "}) {
    EXPECT_EQ(code_points(lines[LineStarting(lines, p)]), code_points(lines[header])) << p;
  }
}

TEST(WriteTableTest, PolicyWithoutPointAt100IsShownAsMissingAndLast) {
  sim::SaturationReport report = MakeReport();
  report.tune = 0.8;
  report.runs.push_back(MakeRun("short", 42, 0, /*last_bin=*/80));
  std::ostringstream out;
  WriteTable(report, out);
  const std::vector<std::string> lines = Lines(out.str());
  const size_t shorter = LineStarting(lines, "short ");
  ASSERT_LT(shorter, lines.size());
  EXPECT_GT(shorter, LineStarting(lines, "random ")) << out.str();
  EXPECT_NE(lines[shorter].find(" - "), std::string::npos) << lines[shorter];
}

TEST(WriteCsvTest, OneRowPerCurvePointAndValuesRoundTrip) {
  const sim::SaturationReport report = MakeReport();
  std::ostringstream out;
  WriteCsv(report, out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "policy,seed,arrived_pct,allocated_pct,fragmentation_pct,failed_pct");
  size_t points = 0;
  for (const sim::SaturationRun& run : report.runs) points += run.curve.size();
  ASSERT_EQ(lines.size(), points + 1);
  size_t row = 1;
  for (const sim::SaturationRun& run : report.runs) {
    for (const sim::CurvePoint& p : run.curve) {
      const std::vector<std::string> f = Split(lines[row++]);
      ASSERT_EQ(f.size(), 6u) << lines[row - 1];
      EXPECT_EQ(f[0], run.policy);
      EXPECT_EQ(std::stoull(f[1]), run.seed);
      EXPECT_EQ(std::stoi(f[2]), p.arrived_pct);
      // Four decimals kept: within half a unit of the fourth place.
      EXPECT_NEAR(std::stod(f[3]), p.allocated_pct, 0.5e-4 + 1e-12);
      EXPECT_NEAR(std::stod(f[4]), p.fragmentation_pct, 0.5e-4 + 1e-12);
      EXPECT_NEAR(std::stod(f[5]), p.failed_pct, 0.5e-4 + 1e-12);
    }
  }
}

TEST(WriteCsvTest, QuotesPolicyNamesWithCommas) {
  sim::SaturationReport report;
  report.runs = {MakeRun("a,b", 1, 90, 1)};
  std::ostringstream out;
  WriteCsv(report, out);
  EXPECT_NE(out.str().find("\n\"a,b\",1,0,"), std::string::npos) << out.str();
}

TEST(WriteSummaryCsvTest, OneRowPerPolicyWithMeansAndSds) {
  std::ostringstream out;
  WriteSummaryCsv(MakeReport(), out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 4u) << out.str();
  const std::vector<std::string> header = Split(lines[0]);
  ASSERT_GE(header.size(), 4u);
  EXPECT_EQ(header[0], "policy");
  EXPECT_EQ(header[1], "seeds");
  auto column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return size_t{0};
  };
  // Report order: random, fgd, bestfit.
  const std::vector<std::string> fgd = Split(lines[2]);
  ASSERT_EQ(fgd.size(), header.size());
  EXPECT_EQ(fgd[0], "fgd");
  EXPECT_EQ(fgd[1], "2");
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("allocated_pct_at_100_mean")]), 95.0);
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("allocated_pct_at_100_sd")]), 1.4142);
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("unallocated_pct_at_100_mean")]), 5.0);
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("unallocated_gpus_at_100_mean")]), 10.0);
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("unallocated_gpus_at_100_sd")]), 2.8284);
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("fragmentation_pct_at_100_mean")]), 14.2857);
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("failed_pods_mean")]), 2.5);  // seeds 42, 43
  EXPECT_DOUBLE_EQ(std::stod(fgd[column("seconds_mean")]), 0.25);
  const std::vector<std::string> random = Split(lines[1]);
  EXPECT_EQ(random[0], "random");
  EXPECT_DOUBLE_EQ(std::stod(random[column("unallocated_pct_at_100_sd")]), 0.0);
}

TEST(WriteSummaryCsvTest, MissingPointAt100LeavesFieldsEmpty) {
  sim::SaturationReport report;
  report.tune = 0.8;
  report.runs = {MakeRun("short", 42, 0, /*last_bin=*/80)};
  std::ostringstream out;
  WriteSummaryCsv(report, out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 2u);
  const std::vector<std::string> header = Split(lines[0]);
  const std::vector<std::string> row = Split(lines[1]);
  ASSERT_EQ(row.size(), header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    const bool at_100 = header[i].find("_at_100_") != std::string::npos;
    EXPECT_EQ(row[i].empty(), at_100) << header[i] << "=" << row[i];
  }
}

TEST(WriteJsonTest, ParsesBackWithTheRightNumbers) {
  const sim::SaturationReport report = MakeReport();
  std::ostringstream out;
  WriteJson(report, out);
  const nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["trace"], "test-trace");
  EXPECT_EQ(j["cluster_gpus"], kClusterGpus);
  EXPECT_DOUBLE_EQ(j["tune"].get<double>(), 1.3);
  const auto& policies = j["policies"];
  ASSERT_EQ(policies.size(), 3u);
  EXPECT_EQ(policies[0]["policy"], "random");
  const auto& fgd = policies[1];
  EXPECT_EQ(fgd["policy"], "fgd");
  EXPECT_EQ(fgd["summary"]["seeds"], 2);
  EXPECT_DOUBLE_EQ(fgd["summary"]["unallocated_pct_at_100"]["mean"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(fgd["summary"]["unallocated_pct_at_100"]["sd"].get<double>(), 1.4142);
  ASSERT_EQ(fgd["runs"].size(), 2u);
  const auto& run = fgd["runs"][1];
  const sim::SaturationRun& expected = report.runs[2];
  EXPECT_EQ(run["seed"].get<uint64_t>(), 43u);
  EXPECT_DOUBLE_EQ(run["unallocated_pct_at_100"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(run["unallocated_gpus_at_100"].get<double>(), 8.0);
  EXPECT_EQ(run["arrivals"], 1043);
  EXPECT_EQ(run["failed_pods"], 3);
  EXPECT_DOUBLE_EQ(run["failed_gpus"].get<double>(), 4.5);
  // 96.0123456 rounded to four places.
  EXPECT_DOUBLE_EQ(run["allocated_pct_at_end"].get<double>(), 96.0123);
  const auto& curve = run["curve"];
  for (const char* key : {"arrived_pct", "allocated_pct", "fragmentation_pct", "failed_pct"}) {
    EXPECT_EQ(curve[key].size(), expected.curve.size()) << key;
  }
  EXPECT_EQ(curve["arrived_pct"][100], 100);
  EXPECT_DOUBLE_EQ(curve["allocated_pct"][100].get<double>(), 96.0);
  EXPECT_DOUBLE_EQ(curve["fragmentation_pct"][1].get<double>(), 0.1429);  // 1/7
  EXPECT_DOUBLE_EQ(curve["failed_pct"][91].get<double>(), 0.3333);        // 1/3
}

TEST(WriteJsonTest, MissingPointAt100IsNull) {
  sim::SaturationReport report;
  report.runs = {MakeRun("short", 42, 0, /*last_bin=*/80)};
  std::ostringstream out;
  WriteJson(report, out);
  const nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_TRUE(j["policies"][0]["runs"][0]["unallocated_pct_at_100"].is_null());
  EXPECT_TRUE(j["policies"][0]["summary"]["allocated_pct_at_100"]["mean"].is_null());
  EXPECT_FALSE(j["policies"][0]["summary"]["allocated_pct_at_end"]["mean"].is_null());
}

}  // namespace
}  // namespace gpufleet::report
