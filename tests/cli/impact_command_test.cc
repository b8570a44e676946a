// `gpufleet impact` end to end on the example fleet and change files.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

const std::string kSource = GPUFLEET_SOURCE_DIR;
const std::string kArgs = "impact --fleet " + kSource + "/examples/fleet.yaml --change " + kSource +
                          "/examples/changes/h20-ban.yaml --at 2026-07-01 --jobs " + kSource +
                          "/examples/placements.csv";

TEST(ImpactCommandTest, ReportsWhatTheBanChanges) {
  CliResult r = RunGpufleet(kArgs);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("GPUs become non-compliant"));
  EXPECT_THAT(r.out, HasSubstr("nvidia-h20-96gb"));
  EXPECT_THAT(r.out, HasSubstr("jobs losing their placement"));
  EXPECT_THAT(r.out, HasSubstr("llm-pretrain-7b-h20"));
  EXPECT_THAT(r.out, HasSubstr("CN-2024-SH-DOMESTIC50"));
}

TEST(ImpactCommandTest, JsonCarriesTheCounts) {
  CliResult r = RunGpufleet(kArgs + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("date"), "2026-07-01");
  const int64_t became = j.at("total").at("became_violation").get<int64_t>();
  EXPECT_GT(became, 0);
  EXPECT_EQ(j.at("by_model").at("nvidia-h20-96gb").at("became_violation"), became);
  EXPECT_GT(j.at("jobs_losing_placement").get<int64_t>(), 0);
  EXPECT_EQ(j.at("changes").size(), static_cast<size_t>(became));
}

TEST(ImpactCommandTest, OutWritesJsonAndSvg) {
  const std::string dir = FreshDir("impact_out");
  CliResult r = RunGpufleet(kArgs + " --out " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(ReadFile(dir + "/impact.json"));
  EXPECT_TRUE(j.contains("by_site"));
  const std::string svg = ReadFile(dir + "/impact.svg");
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_THAT(svg, HasSubstr("sh-03"));
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  // Well-formed enough for XML: no raw ampersand outside an entity.
  for (size_t at = svg.find('&'); at != std::string::npos; at = svg.find('&', at + 1)) {
    EXPECT_NE(svg.find(';', at), std::string::npos);
  }
}

TEST(ImpactCommandTest, BadChangeFileIsExitOneWithItsLine) {
  const std::string dir = FreshDir("impact_bad_change");
  const std::string change = dir + "/bad.yaml";
  std::ofstream(change) << "description: x\nrulez: []\n";
  CliResult r = RunGpufleet("impact --fleet " + kSource + "/examples/fleet.yaml --change " +
                            change + " --at 2026-07-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(change + ":2:1"));
  EXPECT_THAT(r.err, HasSubstr("rulez"));
}

}  // namespace
}  // namespace gpufleet::testing
