// The README's live-rules walkthrough, run as a user runs it (README, "Rules that change while
// the fleet runs"): on the demo fleet with a paused clock, jobs on H20s; the H20 licence
// requirement proposed for tomorrow as a dry run, then applied; the clock advanced across it
// (the jobs the dry run named, and only those, are preempted with the rule named); a licence
// with a 15% revenue share recorded (the same id again is refused); the clock advanced again
// (the jobs run again). And one advance across a ban and the licence that lifts it stops at
// each, in order: the jobs' events show the preemption, then the restart.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_api.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kH20Jobs = 6;
constexpr const char* kRule = "CN-H20-USE-LICENCE-HYPOTHETICAL";

// "YYYY-MM-DD" of the paused clock's day plus `days`.
std::string DayAfter(int64_t now_ms, int days) {
  const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(now_ms)) +
      std::chrono::days(days))};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

class GpufleetdLiveRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("gpufleetd_live_rules");
    Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
        {.args = {"--store", dir_ + "/gpufleet.db", "--port", "0", "--admin-token-file",
                  dir_ + "/admin-token", "--demo-gpus", "2000", "--sim-speed", "0"},
         .stderr_path = dir_ + "/stderr",
         .tmpdir = dir_});
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    daemon_ = std::move(daemon).value();
    api_ = std::make_unique<DaemonApi>(daemon_->port(), daemon_->admin_token());
    flags_ = " --url http://127.0.0.1:" + std::to_string(daemon_->port()) + " --token " +
             daemon_->admin_token();
    now_ms_ = api_->Call("GET", "/v1/admin/clock").second["now_ms"].get<int64_t>();
    for (int i = 0; i < kH20Jobs; ++i) {
      const CliResult r = RunGpufleet("job submit --json --tenant llm-training --name h20-" +
                                      std::to_string(i) + " --gpus 8 --model H20" + flags_);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      jobs_.insert(nlohmann::json::parse(r.out)["id"].get<uint64_t>());
    }
    for (uint64_t id : jobs_) ASSERT_TRUE(InState(Await(id, "running"), "running"));
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(daemon_->Stop(std::chrono::seconds(30)).ok());
    }
  }

  nlohmann::json Await(uint64_t id, const char* state) const {
    return api_->Await("/v1/jobs/" + std::to_string(id),
                       [state](const nlohmann::json& j) { return InState(j, state); });
  }

  CliResult Gpufleet(const std::string& args) const { return RunGpufleet(args + flags_); }

  std::string Change() const {
    return std::string(" ") + GPUFLEET_SOURCE_DIR + "/examples/changes/h20-licence-required.yaml";
  }

  // The same change with a grace period of `hours`, as a file; its path after a space.
  std::string ChangeWithGrace(int hours) const {
    std::ifstream in(std::string(GPUFLEET_SOURCE_DIR) +
                     "/examples/changes/h20-licence-required.yaml");
    std::stringstream text;
    text << in.rdbuf() << "    grace_hours: " << hours << "\n";
    const std::string path = dir_ + "/h20-grace.yaml";
    std::ofstream(path) << text.str();
    return " " + path;
  }

  // The daemon's /metrics text.
  std::string Metrics() const {
    httplib::Client client("127.0.0.1", daemon_->port());
    const httplib::Result r = client.Get("/metrics");
    return r && r->status == 200 ? r->body : "";
  }

  // The kinds of job `id`'s events, with their times: "kind@time ...".
  std::string Events(uint64_t id) const {
    std::string out;
    const nlohmann::json reply = api_->Call("GET", "/v1/events?job=" + std::to_string(id)).second;
    for (const nlohmann::json& e : reply["events"]) {
      out += e["kind"].get<std::string>() + "@" + e["at"].get<std::string>() + " ";
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<DaemonApi> api_;
  std::string flags_;
  int64_t now_ms_ = 0;
  std::set<uint64_t> jobs_;
};

TEST_F(GpufleetdLiveRulesTest, TheReadmeWalkthroughDrainsThenReturnsTheH20Jobs) {
  const std::string tomorrow = DayAfter(now_ms_, 1);
  // Queued jobs too: two that each need a whole H20 site (eight nodes) while six nodes are
  // taken, so at least one waits.
  std::set<uint64_t> running = jobs_;
  std::set<uint64_t> queued;
  for (int i = 0; i < 2; ++i) {
    const CliResult big = Gpufleet("job submit --json --tenant ads-reco --name big-" +
                                   std::to_string(i) + " --gpus 8 --replicas 8 --model H20");
    ASSERT_EQ(big.exit_code, 0) << big.err;
    const uint64_t id = nlohmann::json::parse(big.out)["id"].get<uint64_t>();
    const nlohmann::json j =
        api_->Await("/v1/jobs/" + std::to_string(id), [](const nlohmann::json& b) {
          return InState(b, "running") ||
                 (InState(b, "pending") && b["pending_reason"].is_string());
        });
    (InState(j, "running") ? running : queued).insert(id);
  }
  ASSERT_FALSE(queued.empty());
  // The dry run names the jobs that would lose their placement, and schedules nothing.
  const CliResult dry =
      Gpufleet("rules schedule" + Change() + " --effective-at " + tomorrow + " --dry-run --json");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const nlohmann::json impact = nlohmann::json::parse(dry.out);
  std::set<uint64_t> losing;
  for (const nlohmann::json& j : impact["jobs"]) {
    if (j["loses_placement"].get<bool>()) losing.insert(std::stoull(j["job"].get<std::string>()));
  }
  EXPECT_EQ(losing, running) << "every running H20 job, and only those";
  // The queued ones could go to the H20 sites before (when they have room), nowhere after.
  std::set<uint64_t> stranded;
  for (const nlohmann::json& q : impact["queued_jobs"]) {
    stranded.insert(std::stoull(q["job"].get<std::string>()));
    EXPECT_GT(q["places_before"].get<int64_t>(), 0) << q.dump();
    EXPECT_EQ(q["places_after"], 0) << q.dump();
  }
  EXPECT_EQ(stranded, queued);
  EXPECT_EQ(impact["queued_jobs_losing_placement"], queued.size());
  EXPECT_GT(impact["total"]["became_violation"].get<int64_t>(), 0);
  EXPECT_THAT(Gpufleet("rules changes").out, HasSubstr("no rule changes scheduled"));

  const CliResult applied = Gpufleet("rules schedule" + Change() + " --effective-at " + tomorrow);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("pending"));
  // Not yet in force: the jobs run on.
  for (uint64_t id : jobs_)
    EXPECT_TRUE(InState(api_->Call("GET", "/v1/jobs/" + std::to_string(id)).second, "running"));

  // Across it: what actually happens is what the dry run said, job by job.
  ASSERT_EQ(Gpufleet("admin clock advance 1d").exit_code, 0);
  std::set<uint64_t> preempted;
  for (uint64_t id : running) {
    const nlohmann::json j =
        api_->Await("/v1/jobs/" + std::to_string(id), [](const nlohmann::json& b) {
          return InState(b, "pending") && b["last_preemption_reason"].is_string();
        });
    if (!InState(j, "pending")) continue;
    EXPECT_THAT(j["last_preemption_reason"].get<std::string>(),
                HasSubstr(std::string("quarantined by ") + kRule));
    preempted.insert(id);
  }
  EXPECT_EQ(preempted, losing);
  const nlohmann::json check = nlohmann::json::parse(Gpufleet("check --json").out);
  EXPECT_THAT(check.dump(), HasSubstr(kRule));

  // A granted licence with a 15% revenue share, valid from the day after: once, not twice.
  const std::string valid_from = DayAfter(now_ms_, 2);
  const std::string record =
      "licence record LIC-CN-H20-001 --holder acme --model H20 "
      "--location CN --jurisdiction CN --revenue-share 15 --valid-from " +
      valid_from;
  const CliResult recorded = Gpufleet(record);
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_THAT(recorded.out, HasSubstr("licence LIC-CN-H20-001"));
  const CliResult twice = Gpufleet(record);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_THAT(twice.err, HasSubstr("409"));
  EXPECT_THAT(Gpufleet("licence list").out, HasSubstr("not yet valid"));

  // The jobs return when it becomes valid: the advance stops at its first day.
  const CliResult advanced = Gpufleet("admin clock advance 1d --json");
  ASSERT_EQ(advanced.exit_code, 0) << advanced.err;
  EXPECT_THAT(nlohmann::json::parse(advanced.out)["stopped_at"].dump(),
              HasSubstr(valid_from + "T00:00:00.000Z"));
  for (uint64_t id : running) EXPECT_TRUE(InState(Await(id, "running"), "running")) << id;
  EXPECT_THAT(Gpufleet("licence list").out, HasSubstr("granted"));
}

TEST_F(GpufleetdLiveRulesTest, OneAdvanceActsAtEachEffectiveTimeInOrder) {
  // The requirement from tomorrow and the licence from the day after, then one advance of
  // three days: the jobs were preempted on the first day and started again on the second.
  ASSERT_EQ(
      Gpufleet("rules schedule" + Change() + " --effective-at " + DayAfter(now_ms_, 1)).exit_code,
      0);
  ASSERT_EQ(Gpufleet("licence record LIC-CN-H20-002 --holder acme --model H20 --location CN "
                     "--revenue-share 15 --valid-from " +
                     DayAfter(now_ms_, 2))
                .exit_code,
            0);
  const CliResult advanced = Gpufleet("admin clock advance 3d --json");
  ASSERT_EQ(advanced.exit_code, 0) << advanced.err;
  const nlohmann::json stops = nlohmann::json::parse(advanced.out)["stopped_at"];
  ASSERT_GE(stops.size(), 2u) << stops.dump();
  EXPECT_EQ(stops[0], DayAfter(now_ms_, 1) + "T00:00:00.000Z");
  EXPECT_EQ(stops[1], DayAfter(now_ms_, 2) + "T00:00:00.000Z");
  for (uint64_t id : jobs_) {
    ASSERT_TRUE(InState(Await(id, "running"), "running")) << id;
    const nlohmann::json events =
        api_->Call("GET", "/v1/events?job=" + std::to_string(id)).second["events"];
    // submitted, started; preempted (the rule named) on the first day; started again on the
    // second.
    std::string seen;
    std::string preempted_at;
    std::string restarted_at;
    for (const nlohmann::json& e : events) {
      const std::string kind = e["kind"].get<std::string>();
      seen += kind + "@" + e["at"].get<std::string>() + " ";
      if (kind == "preempted") {
        preempted_at = e["at"].get<std::string>();
        EXPECT_THAT(e.dump(), HasSubstr(kRule));
      }
      if (kind == "started" && !preempted_at.empty()) restarted_at = e["at"].get<std::string>();
    }
    EXPECT_EQ(preempted_at.substr(0, 10), DayAfter(now_ms_, 1)) << seen;
    EXPECT_EQ(restarted_at.substr(0, 10), DayAfter(now_ms_, 2)) << seen;
  }
}

// With a grace period the jobs drain: they run on, say until when and why, and are preempted
// when it ends (the clock stops there), the rule named.
TEST_F(GpufleetdLiveRulesTest, WithAGracePeriodJobsDrainThenArePreemptedWhenItEnds) {
  const std::string day1 = DayAfter(now_ms_, 1);
  const std::string day2 = DayAfter(now_ms_, 2);
  ASSERT_EQ(Gpufleet("rules schedule" + ChangeWithGrace(24) + " --effective-at " + day1).exit_code,
            0);
  ASSERT_EQ(Gpufleet("admin clock advance 1d").exit_code, 0);
  for (uint64_t id : jobs_) {
    const nlohmann::json j = Await(id, "draining");
    ASSERT_TRUE(InState(j, "draining")) << j.dump();
    EXPECT_EQ(j["draining"]["until"], day2 + "T00:00:00.000Z");
    EXPECT_THAT(j["draining"]["reason"].get<std::string>(),
                HasSubstr(std::string("quarantined by ") + kRule));
    EXPECT_FALSE(j["placements"].empty()) << "it runs on where it was";
  }
  EXPECT_THAT(Gpufleet("job list").out, HasSubstr("draining"));
  EXPECT_THAT(Metrics(), HasSubstr("gpufleet_jobs_draining " + std::to_string(jobs_.size())));

  const CliResult advanced = Gpufleet("admin clock advance 1d --json");
  ASSERT_EQ(advanced.exit_code, 0) << advanced.err;
  EXPECT_THAT(nlohmann::json::parse(advanced.out)["stopped_at"].dump(),
              HasSubstr(day2 + "T00:00:00.000Z"));
  for (uint64_t id : jobs_) {
    const nlohmann::json j =
        api_->Await("/v1/jobs/" + std::to_string(id), [](const nlohmann::json& b) {
          return InState(b, "pending") && b["last_preemption_reason"].is_string();
        });
    ASSERT_TRUE(InState(j, "pending")) << j.dump();
    EXPECT_THAT(j["last_preemption_reason"].get<std::string>(), HasSubstr(kRule));
    EXPECT_THAT(j["last_preemption_reason"].get<std::string>(), HasSubstr("grace period ended"));
    const std::string events = Events(id);
    EXPECT_THAT(events, HasSubstr("draining@" + day1 + "T00:00:00.000Z")) << events;
    EXPECT_THAT(events, HasSubstr("preempted@" + day2 + "T00:00:00.000Z")) << events;
  }
  EXPECT_THAT(Metrics(), HasSubstr("gpufleet_jobs_draining 0"));
}

// A licence that takes effect within the grace period: the jobs stop draining and run on,
// never preempted.
TEST_F(GpufleetdLiveRulesTest, ALicenceWithinTheGracePeriodKeepsTheJobsRunning) {
  const std::string day1 = DayAfter(now_ms_, 1);
  const std::string day2 = DayAfter(now_ms_, 2);
  ASSERT_EQ(Gpufleet("rules schedule" + ChangeWithGrace(48) + " --effective-at " + day1).exit_code,
            0);
  ASSERT_EQ(Gpufleet("licence record LIC-CN-H20-003 --holder acme --model H20 --location CN "
                     "--revenue-share 15 --valid-from " +
                     day2)
                .exit_code,
            0);
  ASSERT_EQ(Gpufleet("admin clock advance 4d").exit_code, 0);
  for (uint64_t id : jobs_) {
    const nlohmann::json j = api_->Call("GET", "/v1/jobs/" + std::to_string(id)).second;
    EXPECT_TRUE(InState(j, "running")) << j.dump();
    EXPECT_EQ(j["preempted_count"], 0) << j.dump();
    const std::string events = Events(id);
    EXPECT_THAT(events, HasSubstr("draining@" + day1 + "T00:00:00.000Z")) << events;
    EXPECT_THAT(events, HasSubstr("undrained@" + day2 + "T00:00:00.000Z")) << events;
  }
}

}  // namespace
}  // namespace gpufleet::testing
