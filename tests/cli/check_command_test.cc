// `gpufleet check` end to end on the example fleet.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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

// Every finding names its rule's id and source, as check-transfer does.
TEST(CheckCommandTest, TextNamesEachRulesSource) {
  CliResult r = RunGpufleet("check --fleet " + kFleet + " --at 2026-03-01");
  EXPECT_THAT(r.out, HasSubstr("(US-2022-3A090; 87 FR 62186"));
  EXPECT_THAT(r.out, HasSubstr("source: biz360 (2025-08-18)")) << "quotas too";
}

// A fleet whose only finding needs manual classification: exit 4, and the JSON never calls
// such a verdict "allowed". The MLU370's foundry is not established, so whether GP10 (US
// rules on PRC-made chips) reaches it is for a person to settle.
TEST(CheckCommandTest, ManualClassificationExitsFourAndIsNeverHidden) {
  const std::string dir = FreshDir("check_manual");
  std::ofstream(dir + "/fleet.yaml") << R"(organisations:
  - {id: acme, name: Acme, kind: company, hq_country: CN}
sites:
  - {id: bj-01, name: Beijing, country: CN, ownership: owned}
assets:
  - {serial: M1, model: MLU370-X8, site: bj-01, owner: acme, operator: acme, holding: owned, acquired: 2023-05-09, arrival: in_country_transfer, from_country: CN}
)";
  CliResult r = RunGpufleet("check --fleet " + dir + "/fleet.yaml --at 2026-03-01 --json");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("violations"), 0);
  EXPECT_GT(j.at("manual_classification").get<int>(), 0);
  bool named = false;
  for (const auto& f : j.at("findings")) {
    EXPECT_EQ(f.at("verdict").at("overall"), "needs_manual_classification");
    for (const auto& fact : f.at("verdict").at("missing_facts")) named |= fact == "origin_country";
  }
  EXPECT_TRUE(named) << "the missing fact is named";
  CliResult text = RunGpufleet("check --fleet " + dir + "/fleet.yaml --at 2026-03-01");
  EXPECT_EQ(text.exit_code, 4);
  EXPECT_THAT(text.out, HasSubstr("unknown: origin_country"));
}

// A breached quota whose action binds is a violation: counted in the headline, exit 3, its
// action and comparison in the JSON. The same quota as a warning leaves exit 0.
TEST(CheckCommandTest, ABindingQuotaBreachIsAViolation) {
  const std::string dir = FreshDir("check_quota");
  std::ofstream(dir + "/fleet.yaml") << R"(organisations:
  - {id: acme, name: Acme, kind: company, hq_country: CN}
sites:
  - {id: s1, name: Site 1, country: CN, ownership: owned}
assets:
  - {serial: A1, model: Ascend 910B, site: s1, owner: acme, operator: acme, holding: owned, acquired: 2024-01-01, arrival: in_country_transfer, from_country: CN}
  - {serial: H1, model: H20, site: s1, owner: acme, operator: acme, holding: owned, acquired: 2024-01-01, arrival: in_country_transfer, from_country: CN}
)";
  const auto quota = [&](const std::string& action) {
    const std::string path = dir + "/" + action + ".yaml";
    std::ofstream(path) << "quotas:\n  - id: HALF\n    kind: policy\n    jurisdiction: CN\n"
                           "    effective_from: 2020-01-01\n    measure: domestic_share_min\n"
                           "    threshold_pct: 50\n    comparison: gt\n    action: "
                        << action << "\n    source: \"more than half domestic\"\n";
    return path;
  };
  const std::string q = "check --fleet " + dir + "/fleet.yaml --at 2024-06-01";
  CliResult r = RunGpufleet(q + " --overlay " + quota("prohibited") + " --json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("violations"), 1) << "exactly 50% breaches a more-than-50% quota";
  EXPECT_EQ(j.at("quota_violations"), 1);
  const nlohmann::json& figure = j.at("quotas").at(0);
  EXPECT_EQ(figure.at("action"), "prohibited");
  EXPECT_EQ(figure.at("severity"), "violation");
  EXPECT_EQ(figure.at("comparison"), "gt");
  CliResult text = RunGpufleet(q + " --overlay " + quota("prohibited"));
  EXPECT_THAT(text.out, HasSubstr("1 violations"));
  EXPECT_THAT(text.out, HasSubstr("needs > 50% -> prohibited"));
  CliResult warning = RunGpufleet(q + " --overlay " + quota("warning"));
  EXPECT_EQ(warning.exit_code, 0) << warning.out;
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
