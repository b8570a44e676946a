// gpufleetd's clock from the command line: with --sim-speed 0 time stands still until
// `gpufleet admin clock advance` moves it, and the scheduler acts at the new time at once (a
// job ends when its duration has passed on that clock, not before); on the wall clock the
// move is refused (exit 2, the reason named) and time is not the caller's to change.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_api.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

DaemonOptions Daemon(const std::string& dir, const std::vector<std::string>& extra) {
  DaemonOptions o{.args = {"--store", dir + "/gpufleet.db", "--port", "0", "--admin-token-file",
                           dir + "/admin-token", "--at", "2026-01-15", "--fleet",
                           std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml"},
                  .stderr_path = dir + "/stderr",
                  .tmpdir = dir};
  o.args.insert(o.args.end(), extra.begin(), extra.end());
  return o;
}

TEST(GpufleetdClockTest, APausedClockMovesOnlyWhenAdvancedAndJobsEndOnIt) {
  const std::string dir = FreshDir("gpufleetd_clock");
  Result<std::unique_ptr<DaemonProcess>> daemon =
      DaemonProcess::Start(Daemon(dir, {"--sim-speed", "0"}));
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const DaemonApi api((*daemon)->port(), (*daemon)->admin_token());
  const std::string flags = " --url http://127.0.0.1:" + std::to_string((*daemon)->port()) +
                            " --token " + (*daemon)->admin_token();

  const CliResult shown = RunGpufleet("admin clock show --json" + flags);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const nlohmann::json start = nlohmann::json::parse(shown.out);
  EXPECT_EQ(start["clock"], "paused");

  ASSERT_EQ(api.Call("PUT", "/v1/tenants/t1", {{"name", "T1"}, {"org", "acme"}}).first, 201);
  const auto [submitted, job] = api.Call("POST", "/v1/jobs",
                                         {{"tenant", "t1"},
                                          {"name", "hour"},
                                          {"gpus", 8},
                                          {"models", {"A100"}},
                                          {"duration_s", 3600}});
  ASSERT_EQ(submitted, 201) << job.dump();
  const std::string path = "/v1/jobs/" + std::to_string(job["id"].get<uint64_t>());
  ASSERT_TRUE(InState(
      api.Await(path, [](const nlohmann::json& j) { return InState(j, "running"); }), "running"));

  // Half the duration: the job runs on; the clock says exactly how far it moved.
  const CliResult half = RunGpufleet("admin clock advance 30m" + flags);
  ASSERT_EQ(half.exit_code, 0) << half.err;
  EXPECT_THAT(half.out, HasSubstr("(paused)"));
  const nlohmann::json after_half =
      nlohmann::json::parse(RunGpufleet("admin clock show --json" + flags).out);
  EXPECT_EQ(after_half["now_ms"].get<int64_t>() - start["now_ms"].get<int64_t>(), 1'800'000);
  // The rest, and a minute: the scheduler, woken by the move, ends it on the new time.
  ASSERT_EQ(RunGpufleet("admin clock advance 31m" + flags).exit_code, 0);
  const nlohmann::json done =
      api.Await(path, [](const nlohmann::json& j) { return InState(j, "completed"); });
  ASSERT_TRUE(InState(done, "completed")) << done.dump();

  const CliResult bad = RunGpufleet("admin clock advance 1y" + flags);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("not a duration"));
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
}

// Without --at the rules are judged on the service clock's day: a rule whose effective date
// comes while the service runs (here an operator overlay banning the A100s two days from now)
// quarantines the hardware it forbids on that day, and the job running there goes back to
// pending with the rule named, without a restart.
TEST(GpufleetdClockTest, ARuleTakingEffectWhileTheServiceRunsIsObeyedThatDay) {
  const std::string dir = FreshDir("gpufleetd_rule_day");
  const auto now = std::chrono::system_clock::now();
  const std::chrono::year_month_day ban_day{
      std::chrono::floor<std::chrono::days>(now + std::chrono::days(2))};
  char day[16];
  std::snprintf(day, sizeof day, "%04d-%02u-%02u", static_cast<int>(ban_day.year()),
                static_cast<unsigned>(ban_day.month()), static_cast<unsigned>(ban_day.day()));
  {
    std::ofstream overlay(dir + "/ban.yaml");
    overlay << "rules:\n"
               "  - id: TEST-CN-A100-USE-BAN\n"
               "    kind: policy\n"
               "    source: \"test\"\n"
               "    jurisdiction: ACME\n"
               "    effective_from: "
            << day
            << "\n"
               "    chip: \"model in {nvidia-a100-sxm4-80gb}\"\n"
               "    locations: [CN]\n"
               "    transfers: [use]\n"
               "    action: prohibited\n";
  }
  DaemonOptions options{
      .args = {"--store", dir + "/gpufleet.db", "--port", "0", "--admin-token-file",
               dir + "/admin-token", "--sim-speed", "0", "--overlay", dir + "/ban.yaml", "--fleet",
               std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml"},
      .stderr_path = dir + "/stderr",
      .tmpdir = dir};
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const DaemonApi api((*daemon)->port(), (*daemon)->admin_token());
  const std::string flags = " --url http://127.0.0.1:" + std::to_string((*daemon)->port()) +
                            " --token " + (*daemon)->admin_token();
  ASSERT_EQ(api.Call("PUT", "/v1/tenants/t1", {{"name", "T1"}, {"org", "acme"}}).first, 201);
  const auto [submitted, job] = api.Call(
      "POST", "/v1/jobs", {{"tenant", "t1"}, {"name", "a100"}, {"gpus", 8}, {"models", {"A100"}}});
  ASSERT_EQ(submitted, 201) << job.dump();
  const std::string path = "/v1/jobs/" + std::to_string(job["id"].get<uint64_t>());
  ASSERT_TRUE(InState(
      api.Await(path, [](const nlohmann::json& j) { return InState(j, "running"); }), "running"));

  ASSERT_EQ(RunGpufleet("admin clock advance 3d" + flags).exit_code, 0);
  const nlohmann::json preempted = api.Await(path, [](const nlohmann::json& j) {
    return InState(j, "pending") && j["last_preemption_reason"].is_string();
  });
  ASSERT_TRUE(InState(preempted, "pending")) << preempted.dump();
  EXPECT_THAT(preempted["last_preemption_reason"].get<std::string>(),
              HasSubstr("quarantined by TEST-CN-A100-USE-BAN"));
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
}

TEST(GpufleetdClockTest, TheWallClockIsNotMovedAndANegativeSpeedIsAUsageError) {
  const std::string dir = FreshDir("gpufleetd_wall_clock");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(Daemon(dir, {}));
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const std::string flags = " --url http://127.0.0.1:" + std::to_string((*daemon)->port()) +
                            " --token " + (*daemon)->admin_token();
  const CliResult moved = RunGpufleet("admin clock advance 1h" + flags);
  EXPECT_EQ(moved.exit_code, 2);
  EXPECT_THAT(moved.err, HasSubstr("not a paused simulated clock"));
  const CliResult shown = RunGpufleet("admin clock show" + flags);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("(running)"));
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());

  const CliResult negative = RunGpufleetd("--store " + dir + "/other.db --sim-speed -1");
  EXPECT_EQ(negative.exit_code, 1);
  EXPECT_THAT(negative.err, HasSubstr("--sim-speed"));
}

}  // namespace
}  // namespace gpufleet::testing
