// `gpufleet check`, `check-transfer` and `impact` with --url ask gpufleetd: the fleet check of
// its living inventory, transfer questions on its sites and organisations, and a rule change's
// dry run, with the same report (text and JSON) and exit status as for that inventory written
// to a file (`gpufleet inventory export`) and checked here, with the same rules and date.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A file's flags say where they were found; the living inventory's come from no file.
nlohmann::json WithoutWhere(nlohmann::json report) {
  for (nlohmann::json& flag : report["diversion_flags"]) flag.erase("where");
  return report;
}

TEST(CheckServiceTest, TheServiceChecksItsLivingInventoryAsAFileIsChecked) {
  const std::string dir = FreshDir("check_service");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {.args = {"--store", dir + "/gpufleet.db", "--port", "0", "--no-scheduler",
                "--admin-token-file", dir + "/admin-token", "--at", "2026-01-15", "--fleet",
                std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml"},
       .stderr_path = dir + "/stderr",
       .tmpdir = dir});
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const std::string service = " --url http://127.0.0.1:" + std::to_string((*daemon)->port()) +
                              " --token " + (*daemon)->admin_token();
  // A move first, so that the living inventory is not the file it was seeded from.
  ASSERT_EQ(
      RunGpufleet("asset move 1322521000001 --site sh-03 --node sh03-spare" + service).exit_code,
      0);
  const CliResult exported = RunGpufleet("inventory export " + dir + "/live.yaml" + service);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;

  const CliResult remote = RunGpufleet("check --at 2026-01-15 --json" + service);
  const CliResult local = RunGpufleet("check --fleet " + dir + "/live.yaml --at 2026-01-15 --json");
  ASSERT_EQ(local.exit_code, 3) << "the example fleet breaks rules on purpose: " << local.err;
  EXPECT_EQ(remote.exit_code, local.exit_code) << remote.err;
  const nlohmann::json remote_report = nlohmann::json::parse(remote.out, nullptr, false);
  const nlohmann::json local_report = nlohmann::json::parse(local.out, nullptr, false);
  ASSERT_TRUE(remote_report.is_object()) << remote.out;
  EXPECT_EQ(WithoutWhere(remote_report), WithoutWhere(local_report));

  const CliResult text = RunGpufleet("check --at 2026-01-15" + service);
  EXPECT_EQ(text.exit_code, 3) << text.err;
  EXPECT_THAT(text.out, StartsWith("fleet check on 2026-01-15: "));
  EXPECT_THAT(text.out, HasSubstr("violations:"));

  // A transfer question: the same answer, text and JSON, as on the exported file.
  const std::string question =
      " --model H20 --units 4 --to-site gz-hub --to-org acme --from US --at 2025-09-01";
  const CliResult remote_answer = RunGpufleet("check-transfer --json" + question + service);
  const CliResult local_answer =
      RunGpufleet("check-transfer --json --fleet " + dir + "/live.yaml" + question);
  EXPECT_EQ(remote_answer.exit_code, local_answer.exit_code) << remote_answer.err;
  EXPECT_EQ(nlohmann::json::parse(remote_answer.out, nullptr, false),
            nlohmann::json::parse(local_answer.out, nullptr, false))
      << remote_answer.out;
  const CliResult remote_text = RunGpufleet("check-transfer" + question + service);
  const CliResult local_text =
      RunGpufleet("check-transfer --fleet " + dir + "/live.yaml" + question);
  EXPECT_EQ(remote_text.out, local_text.out);
  EXPECT_THAT(remote_text.out, HasSubstr("why:"));
  const CliResult both =
      RunGpufleet("check-transfer --fleet " + dir + "/live.yaml" + question + service);
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("living inventory"));

  // A rule change's dry run: the report for the exported file (no jobs run there either).
  const std::string change =
      " --change " + std::string(GPUFLEET_SOURCE_DIR) + "/examples/changes/h20-ban.yaml";
  const CliResult remote_impact = RunGpufleet("impact --json --at 2026-07-01" + change + service);
  const CliResult local_impact =
      RunGpufleet("impact --json --at 2026-07-01" + change + " --fleet " + dir + "/live.yaml");
  ASSERT_EQ(remote_impact.exit_code, 0) << remote_impact.err;
  nlohmann::json remote_diff = nlohmann::json::parse(remote_impact.out, nullptr, false);
  nlohmann::json local_diff = nlohmann::json::parse(local_impact.out, nullptr, false);
  EXPECT_EQ(remote_diff["change"], "h20-ban.yaml");
  remote_diff.erase("change");  // the file's name there, its path here
  local_diff.erase("change");
  // The service also judges its queued jobs (none here); a file has no queue.
  EXPECT_EQ(remote_diff["queued_jobs_losing_placement"], 0);
  remote_diff.erase("queued_jobs_losing_placement");
  remote_diff.erase("queued_jobs");
  EXPECT_EQ(remote_diff, local_diff);
  EXPECT_GT(remote_diff["total"]["became_violation"], 0) << remote_impact.out;
  const CliResult impact_text = RunGpufleet("impact --at 2026-07-01" + change + service);
  EXPECT_THAT(impact_text.out, StartsWith("impact of h20-ban.yaml on 2026-07-01"));

  // The rules in force: the shipped history, as the service runs it without overlays.
  const CliResult remote_rules = RunGpufleet("rules --json --at 2026-01-15" + service);
  const CliResult local_rules = RunGpufleet("rules --json --at 2026-01-15");
  ASSERT_EQ(remote_rules.exit_code, 0) << remote_rules.err;
  EXPECT_EQ(nlohmann::json::parse(remote_rules.out, nullptr, false),
            nlohmann::json::parse(local_rules.out, nullptr, false));
  EXPECT_THAT(RunGpufleet("rules --at 2026-01-15" + service).out,
              StartsWith("rules in force on 2026-01-15: "));

  // Rule changes scheduled on the service: a dry run schedules nothing; a schedule is pending
  // until its time; a withdrawal ends it, once.
  const std::string ban = " " + std::string(GPUFLEET_SOURCE_DIR) + "/examples/changes/h20-ban.yaml";
  const CliResult dry =
      RunGpufleet("rules schedule" + ban + " --effective-at 2099-01-01 --dry-run" + service);
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out,
              StartsWith("dry run: nothing scheduled\nimpact of h20-ban.yaml on 2099-01-01"));
  EXPECT_THAT(RunGpufleet("rules changes" + service).out, HasSubstr("no rule changes scheduled"));
  const CliResult scheduled =
      RunGpufleet("rules schedule" + ban + " --effective-at 2099-01-01" + service);
  EXPECT_EQ(scheduled.exit_code, 0) << scheduled.err;
  EXPECT_THAT(scheduled.out, StartsWith("rc-1 h20-ban.yaml: pending, effective 2099-01-01"));
  EXPECT_THAT(RunGpufleet("rules changes" + service).out, HasSubstr("rc-1 h20-ban.yaml: pending"));
  EXPECT_THAT(RunGpufleet("rules withdraw rc-1" + service).out, HasSubstr("withdrawn"));
  const CliResult twice = RunGpufleet("rules withdraw rc-1" + service);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_THAT(twice.err, HasSubstr("withdrawn"));

  // The service judges with its own rules: files of rules go with --fleet.
  const CliResult rules = RunGpufleet("check --rules " + std::string(GPUFLEET_SOURCE_DIR) +
                                      "/data/rules/default.yaml" + service);
  EXPECT_EQ(rules.exit_code, 1);
  EXPECT_THAT(rules.err, HasSubstr("go with --fleet"));
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());

  // Nobody there: the message says how to check a file instead.
  const CliResult nobody = RunGpufleet("check" + service);
  EXPECT_NE(nobody.exit_code, 0);
  EXPECT_THAT(nobody.err, HasSubstr("give --fleet FILE"));
}

}  // namespace
}  // namespace gpufleet::testing
