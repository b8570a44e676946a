// `gpufleet check-transfer` end to end on the shipped catalog and rule history.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

TEST(CheckTransferCommandTest, SameQuestionDifferentDatesDifferentAnswers) {
  CliResult before = RunGpufleet("check-transfer --model H20 --to CN --at 2025-03-01");
  EXPECT_EQ(before.exit_code, 0) << before.out << before.err;
  EXPECT_THAT(before.out, HasSubstr("overall: allowed"));

  CliResult after = RunGpufleet("check-transfer --model H20 --to CN --at 2025-05-02");
  EXPECT_EQ(after.exit_code, 3) << "a licence is needed";
  EXPECT_THAT(after.out, HasSubstr("overall: licence_required"));
  EXPECT_THAT(after.out, HasSubstr("US-2025-H20-IS-INFORMED"));
}

TEST(CheckTransferCommandTest, JsonNamesRulesSourcesAndFacts) {
  CliResult r =
      RunGpufleet("check-transfer --model H100 --to MY --end-user-hq CN --at 2026-03-01 --json");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("question").at("model"), "nvidia-h100-sxm5-80gb");
  EXPECT_EQ(j.at("verdict").at("overall"), "licence_required");
  bool hq_rule = false;
  for (const auto& jur : j.at("verdict").at("jurisdictions")) {
    for (const auto& rule : jur.at("rules")) {
      EXPECT_FALSE(rule.at("source").get<std::string>().empty());
      hq_rule |= rule.at("id") == "US-2023-HQ";
    }
  }
  EXPECT_TRUE(hq_rule) << "the headquarters rule catches a China-HQ buyer abroad";

  CliResult rented = RunGpufleet(
      "check-transfer --model H100 --to MY --end-user-hq CN "
      "--transfer remote_access --at 2026-03-01");
  EXPECT_EQ(rented.exit_code, 0) << "renting capacity abroad is not an export";
}

TEST(CheckTransferCommandTest, BadInputIsAClearError) {
  CliResult model = RunGpufleet("check-transfer --model H900 --to CN");
  EXPECT_EQ(model.exit_code, 1);
  EXPECT_THAT(model.err, HasSubstr("unknown accelerator 'H900'"));
  CliResult date = RunGpufleet("check-transfer --model H20 --to CN --at 2025-02-30");
  EXPECT_EQ(date.exit_code, 1);
  EXPECT_THAT(date.err, HasSubstr("--at"));
  CliResult transfer = RunGpufleet("check-transfer --model H20 --to CN --transfer smuggle");
  EXPECT_EQ(transfer.exit_code, 1);
  EXPECT_THAT(transfer.err, HasSubstr("smuggle"));
  CliResult rules = RunGpufleet("check-transfer --model H20 --to CN --rules /no/such.yaml");
  EXPECT_EQ(rules.exit_code, 1);
  EXPECT_THAT(rules.err, HasSubstr("/no/such.yaml"));
}

}  // namespace
}  // namespace gpufleet::testing
