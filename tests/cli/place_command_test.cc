// `gpufleet place` end to end on the example fleet, jobs and overlay.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

const std::string kSource = GPUFLEET_SOURCE_DIR;
const std::string kFleet = " --fleet " + kSource + "/examples/fleet.yaml";
const std::string kJobs = " --jobs " + kSource + "/examples/jobs.csv";
const std::string kOverlay = " --overlay " + kSource + "/examples/acme-rules.yaml";
const std::string kArgs = "place" + kFleet + kJobs + kOverlay + " --at 2026-03-01";

std::map<std::string, nlohmann::json> JobsById(const nlohmann::json& j) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& job : j.at("jobs")) out[job.at("job").get<std::string>()] = job;
  return out;
}

TEST(PlaceCommandTest, PendingJobsSayWhyWithCounts) {
  CliResult r = RunGpufleet(kArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Personal data of Chinese users may not leave China: the Singapore subsidiary's job pends,
  // and the reason names the policy rule and how many nodes it excluded.
  EXPECT_THAT(r.out, HasSubstr("sg-chat-eval: compliance:"));
  EXPECT_THAT(r.out, HasSubstr("ACME-DATA-CN-PERSONAL (ACME prohibited)"));
  EXPECT_THAT(r.out, HasSubstr("(ACME-RESALE-CAP)"));
  EXPECT_THAT(r.out, HasSubstr("quarantined"));
}

TEST(PlaceCommandTest, JsonAgreesWithTheRules) {
  CliResult r = RunGpufleet(kArgs + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const auto jobs = JobsById(j);
  ASSERT_EQ(jobs.size(), 8u);
  EXPECT_EQ(j.at("placed").get<int>() + j.at("pending").get<int>(), 8);
  // Every cn_personal job that placed runs in mainland China (sites sh-03, bj-01, gz-hub).
  for (const auto& [id, job] : jobs) {
    if (job.at("data_class") != "cn_personal" || job.at("status") != "placed") continue;
    for (const auto& p : job.at("placements")) {
      const std::string site = p.at("site");
      EXPECT_TRUE(site == "sh-03" || site == "bj-01" || site == "gz-hub") << id << " at " << site;
    }
  }
  const auto& sg = jobs.at("sg-chat-eval");
  ASSERT_EQ(sg.at("status"), "compliance");
  int64_t excluded = 0;
  for (const auto& x : sg.at("excluded_by_rule")) {
    if (x.at("rule") == "ACME-DATA-CN-PERSONAL") excluded = x.at("nodes").get<int64_t>();
  }
  EXPECT_GT(excluded, 0);
  // External tenants stay under the cap.
  ASSERT_EQ(j.at("resale_caps").size(), 1u);
  EXPECT_LE(j.at("resale_caps")[0].at("external_share_pct").get<double>(), 10.0);
  EXPECT_EQ(jobs.at("b200-trial").at("status"), "model");
  // A gang stays within one site.
  for (const auto& [id, job] : jobs) {
    if (job.at("status") != "placed") continue;
    for (const auto& p : job.at("placements")) {
      EXPECT_EQ(p.at("site"), job.at("placements")[0].at("site")) << id;
    }
  }
}

TEST(PlaceCommandTest, WithoutTheOverlayThePolicyRulesDoNotBind) {
  CliResult r = RunGpufleet("place" + kFleet + kJobs + " --at 2026-03-01 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto jobs = JobsById(nlohmann::json::parse(r.out));
  EXPECT_EQ(jobs.at("sg-chat-eval").at("status"), "placed");
}

TEST(PlaceCommandTest, SnapshotFeedsImpact) {
  const std::string dir = FreshDir("place_out");
  CliResult r = RunGpufleet(kArgs + " --out " + dir + "/placements.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadFile(dir + "/placements.csv"),
              HasSubstr("job,tenant_org,data_class,site,model,gpus,status"));
  CliResult i = RunGpufleet("impact" + kFleet + kOverlay + " --change " + kSource +
                            "/examples/changes/h20-ban.yaml --at 2026-07-01 --jobs " + dir +
                            "/placements.csv --json");
  ASSERT_EQ(i.exit_code, 0) << i.err;
  const nlohmann::json j = nlohmann::json::parse(i.out);
  // The H20 pre-training job placed on H20s loses its placement under the ban.
  bool found = false;
  for (const auto& job : j.at("jobs")) {
    if (job.at("job") == "llm-pretrain-h20") found = job.at("loses_placement").get<bool>();
  }
  EXPECT_TRUE(found);
}

TEST(PlaceCommandTest, BadJobsFileNamesLineAndColumn) {
  const std::string dir = FreshDir("place_bad");
  {
    std::ofstream f(dir + "/jobs.csv");
    f << "job,tenant_org,gpus\nok,acme,2\nbad,acme,2.5\n";
  }
  CliResult r = RunGpufleet("place" + kFleet + " --jobs " + dir + "/jobs.csv --at 2026-03-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("jobs.csv:3:3"));
  {
    std::ofstream f(dir + "/jobs.csv");
    f << "job,tenant_org,gpus\nx,nobody,1\n";
  }
  r = RunGpufleet("place" + kFleet + " --jobs " + dir + "/jobs.csv --at 2026-03-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no organisation 'nobody'"));
  {
    std::ofstream f(dir + "/jobs.csv");
    f << "job,tenant_org,gpus,colour\nx,acme,1,red\n";
  }
  r = RunGpufleet("place" + kFleet + " --jobs " + dir + "/jobs.csv --at 2026-03-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown column 'colour'"));
}

}  // namespace
}  // namespace gpufleet::testing
