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

// "YYYY-MM-DD", `days` after today (UTC): where a paused clock started on the wall clock gets
// to after `gpufleet admin clock advance`.
std::string DayFromNow(int days) {
  const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(
      std::chrono::system_clock::now() + std::chrono::days(days))};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

// The example fleet's A100 node bans, from `day` on, as a change file.
std::string A100Ban(const std::string& id, const std::string& day) {
  return "rules:\n"
         "  - id: " +
         id +
         "\n"
         "    kind: policy\n"
         "    source: \"test\"\n"
         "    jurisdiction: ACME\n"
         "    effective_from: " +
         day +
         "\n"
         "    chip: \"model in {nvidia-a100-sxm4-80gb}\"\n"
         "    locations: [CN]\n"
         "    transfers: [use]\n"
         "    action: prohibited\n";
}

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
  const std::string day = DayFromNow(2);
  {
    std::ofstream overlay(dir + "/ban.yaml");
    overlay << A100Ban("TEST-CN-A100-USE-BAN", day);
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

// A rule change scheduled through the API for the day after tomorrow: nothing changes now; when the
// clock passes its effective time the scheduler quarantines what it forbids and preempts the job
// there with the rule named; the change reads in force.
TEST(GpufleetdClockTest, ARuleChangeScheduledThroughTheApiTakesEffectAtItsTime) {
  const std::string dir = FreshDir("gpufleetd_rule_change");
  Result<std::unique_ptr<DaemonProcess>> daemon =
      DaemonProcess::Start(Daemon(dir, {"--sim-speed", "0"}));
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const DaemonApi api((*daemon)->port(), (*daemon)->admin_token());
  ASSERT_EQ(api.Call("PUT", "/v1/tenants/t1", {{"name", "T1"}, {"org", "acme"}}).first, 201);
  const auto [submitted, job] = api.Call(
      "POST", "/v1/jobs", {{"tenant", "t1"}, {"name", "a100"}, {"gpus", 8}, {"models", {"A100"}}});
  ASSERT_EQ(submitted, 201) << job.dump();
  const std::string path = "/v1/jobs/" + std::to_string(job["id"].get<uint64_t>());
  ASSERT_TRUE(InState(
      api.Await(path, [](const nlohmann::json& j) { return InState(j, "running"); }), "running"));

  const auto [scheduled, change] =
      api.Call("POST", "/v1/rules/changes",
               {{"change", A100Ban("TEST-SCHEDULED-A100-BAN", "2020-01-01")},
                {"name", "a100-ban.yaml"},
                {"effective_at", DayFromNow(2)}});  // pending even across midnight
  ASSERT_EQ(scheduled, 201) << change.dump();
  EXPECT_EQ(change["state"], "pending");
  // Today nothing changed: the job still runs after the service has acted on the change.
  EXPECT_TRUE(InState(api.Call("GET", path).second, "running"));

  ASSERT_EQ(api.Call("POST", "/v1/admin/clock/advance", {{"by", "3d"}}).first, 200);
  const nlohmann::json preempted = api.Await(path, [](const nlohmann::json& j) {
    return InState(j, "pending") && j["last_preemption_reason"].is_string();
  });
  ASSERT_TRUE(InState(preempted, "pending")) << preempted.dump();
  EXPECT_THAT(preempted["last_preemption_reason"].get<std::string>(),
              HasSubstr("quarantined by TEST-SCHEDULED-A100-BAN"));
  const nlohmann::json changes = api.Call("GET", "/v1/rules/changes").second;
  ASSERT_EQ(changes["changes"].size(), 1u) << changes.dump();
  EXPECT_EQ(changes["changes"][0]["state"], "in_force");
  const std::string token = (*daemon)->admin_token();
  ASSERT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());

  // Restarted on the store (no --fleet now), the service replays the change from the ledger.
  Result<std::unique_ptr<DaemonProcess>> again = DaemonProcess::Start(
      {.args = {"--store", dir + "/gpufleet.db", "--port", "0", "--sim-speed", "0"},
       .stderr_path = dir + "/stderr2",
       .tmpdir = dir});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  const DaemonApi api2((*again)->port(), token);
  const nlohmann::json after = api2.Call("GET", "/v1/rules/changes").second;
  ASSERT_EQ(after["changes"].size(), 1u) << after.dump();
  EXPECT_EQ(after["changes"][0]["name"], "a100-ban.yaml");
  ASSERT_TRUE((*again)->Stop(std::chrono::seconds(30)).ok());
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
