// `gpufleet check` end to end on the example fleet.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

const std::string kFleet = std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml";

TEST(CheckCommandTest, ReportsViolationsQuotasAndDiversion) {
  CliResult r = RunGpufleet("check --fleet " + kFleet + " --at 2026-03-01");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.out, HasSubstr("violations:"));
  EXPECT_THAT(r.out, HasSubstr("US-2022-3A090"));
  EXPECT_THAT(r.out, HasSubstr("CN-2024-SH-DOMESTIC50"));
  EXPECT_THAT(r.out, HasSubstr("serial_at_two_sites"));
  EXPECT_THAT(r.out, HasSubstr("specs_contradict_catalog"));

  CliResult early = RunGpufleet("check --fleet " + kFleet + " --at 2022-06-01");
  EXPECT_EQ(early.exit_code, 0) << "no violation before the first rule: " << early.out;
}

TEST(CheckCommandTest, JsonListsEveryFinding) {
  CliResult r = RunGpufleet("check --fleet " + kFleet + " --at 2026-03-01 --json");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("date"), "2026-03-01");
  int64_t violations = 0;
  for (const auto& f : j.at("findings")) {
    violations += f.at("severity") == "violation";
    EXPECT_FALSE(f.at("message").get<std::string>().empty());
  }
  EXPECT_EQ(violations, j.at("violations").get<int64_t>());
  EXPECT_EQ(j.at("diversion_flags").size(), 3u);
}

TEST(CheckCommandTest, BadInputIsAClearError) {
  CliResult missing = RunGpufleet("check --fleet /no/such/fleet.yaml");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/no/such/fleet.yaml"));
  CliResult date = RunGpufleet("check --fleet " + kFleet + " --at yesterday");
  EXPECT_EQ(date.exit_code, 1);
  EXPECT_THAT(date.err, HasSubstr("--at"));
}

}  // namespace
}  // namespace gpufleet::testing
