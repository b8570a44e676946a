// `gpufleet plan` end to end on the shipped example: what the README shows must hold.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

const std::string kSource = GPUFLEET_SOURCE_DIR;
const std::string kExample = kSource + "/examples/planner/plan-2025.yaml";

const nlohmann::json* Area(const nlohmann::json& plan, const std::string& area) {
  for (const auto& a : plan.at("spend")) {
    if (a.at("area") == area) return &a;
  }
  return nullptr;
}

TEST(PlanCommandTest, ExamplePlanKeepsItsBudgetsShareAndRules) {
  CliResult r = RunGpufleet("plan " + kExample + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("status"), "optimal");
  EXPECT_LT(j.at("gap_pct").get<double>(), 0.5);
  for (const char* area : {"home", "abroad", "total"}) {
    const nlohmann::json* a = Area(j, area);
    ASSERT_NE(a, nullptr) << area;
    EXPECT_LE(a->at("spent").get<double>(), a->at("limit").get<double>() * (1 + 1e-9)) << area;
  }
  EXPECT_GE(j.at("domestic_share_pct").get<double>(), 60 - 1e-6);
  // H20s need a licence from April 2025: none is delivered to China from April to July.
  for (const auto& row : j.at("rows")) {
    if (row.at("model") != "nvidia-h20-96gb" || row.at("location") == "sg-01") continue;
    const std::string month = row.at("month");
    if (month >= "2025-04" && month <= "2025-07") {
      EXPECT_EQ(row.at("delivered").get<double>(), 0) << month << " " << row.at("location");
    }
  }
  bool h20_note = false;
  for (const auto& n : j.at("rule_notes")) {
    if (n.at("rules").get<std::string>().find("US-2025-H20-IS-INFORMED") != std::string::npos &&
        n.at("effect") == "blocked") {
      h20_note = true;
    }
  }
  EXPECT_TRUE(h20_note);
}

TEST(PlanCommandTest, TableShowsSpendBindingLimitsAndRules) {
  CliResult r = RunGpufleet("plan " + kExample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Spend (USD)"));
  EXPECT_THAT(r.out, HasSubstr("Binding constraints"));
  EXPECT_THAT(r.out, HasSubstr("domestic share"));
  EXPECT_THAT(r.out, HasSubstr("Rules that shaped the plan"));
  EXPECT_THAT(r.out, HasSubstr("PLAN-2025-H200-ANNOUNCED"));
}

TEST(PlanCommandTest, WhatIfComparesBothPlans) {
  CliResult r = RunGpufleet("plan " + kExample + " --what-if " + kSource +
                            "/examples/planner/what-if-h20-cut.yaml --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& base = j.at("base");
  const nlohmann::json& what_if = j.at("what_if");
  EXPECT_EQ(Area(what_if, "home")->at("limit").get<double>(), 5.0e9);
  EXPECT_LE(Area(what_if, "home")->at("spent").get<double>(), 5.0e9 * (1 + 1e-9));
  // Less money and less supply cannot lower the objective (penalties + spend) of the optimum;
  // both are solved to 0.5%.
  EXPECT_GE(what_if.at("objective").get<double>(), base.at("objective").get<double>() * 0.99);

  CliResult table = RunGpufleet("plan " + kExample + " --what-if " + kSource +
                                "/examples/planner/what-if-h20-cut.yaml");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("Base vs. what-if"));
  EXPECT_THAT(table.out, HasSubstr("served inference"));
}

TEST(PlanCommandTest, RuleChangeFileIsAWhatIf) {
  // The licence overlay lifts the April-July block for acme's exports to China.
  CliResult r = RunGpufleet("plan " + kExample + " --what-if " + kSource +
                            "/examples/planner/what-if-h20-licence.yaml --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  double licensed_months_delivered = 0;
  for (const auto& row : j.at("what_if").at("rows")) {
    const std::string month = row.at("month");
    if (row.at("model") == "nvidia-h20-96gb" && month >= "2025-05" && month <= "2025-07") {
      licensed_months_delivered += row.at("delivered").get<double>();
    }
  }
  EXPECT_GT(licensed_months_delivered, 0);
}

TEST(PlanCommandTest, CsvAndSvg) {
  const std::string dir = FreshDir("plan_out");
  CliResult r = RunGpufleet("plan " + kExample + " --format csv --svg " + dir + "/plan.svg");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("month,location,model,rental,ordered,delivered,sold,in_service,"
                               "spend,served_training,served_inference"));
  EXPECT_THAT(r.out, HasSubstr("2025-01,h100-johor,nvidia-h100-sxm5-80gb,true,"));
  EXPECT_THAT(ReadFile(dir + "/plan.svg"), HasSubstr("capacity (owned + rented)"));
}

TEST(PlanCommandTest, BadInputExitsOneAndNamesTheField) {
  const std::string dir = FreshDir("plan_bad");
  {
    std::ofstream out(dir + "/bad.yaml");
    out << "start: 2025-01-01\nmonths: 12\norganisation: acme\nfleet: " << kSource
        << "/examples/planner/fleet.yaml\ndemand:\n  - id: a\n    per_month: [1, 2]\n"
        << "    unmet_penalty: 1\n    throughput: {H20: 1}\n";
  }
  CliResult r = RunGpufleet("plan " + dir + "/bad.yaml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:7:16: demand class 'a': "));
  EXPECT_THAT(r.err, HasSubstr("per_month: expected one number per month of the horizon (12)"));
  CliResult missing = RunGpufleet("plan " + dir + "/none.yaml");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("none.yaml: cannot open file"));
}

TEST(PlanCommandTest, InfeasibleExitsTwoAndNamesTheConflict) {
  const std::string dir = FreshDir("plan_infeasible");
  std::string text = ReadFile(kExample);
  // A take-or-pay contract for far more H20s than the rules and the domestic share allow.
  const std::string anchor = "    supply_per_month: 30000\n";
  text.replace(text.find(anchor), anchor.size(), anchor + "    committed_units: 500000\n");
  const std::string fleet = "fleet: fleet.yaml";
  text.replace(text.find(fleet), fleet.size(),
               "fleet: " + kSource + "/examples/planner/fleet.yaml");
  const std::string overlay =
      "rule_overlays: [h200-announcement.yaml, licences.yaml, classifications.yaml]";
  const std::string planner = kSource + "/examples/planner/";
  text.replace(text.find(overlay), overlay.size(),
               "rule_overlays: [" + planner + "h200-announcement.yaml, " + planner +
                   "licences.yaml, " + planner + "classifications.yaml]");
  {
    std::ofstream out(dir + "/contract.yaml");
    out << text;
  }
  CliResult r = RunGpufleet("plan " + dir + "/contract.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.out, HasSubstr("infeasible"));
  EXPECT_THAT(r.out, HasSubstr("commitment 'h20' would fall short by"));
  EXPECT_THAT(r.out, HasSubstr("holds against it"));
}

}  // namespace
}  // namespace gpufleet::testing
