// `gpufleet plan` output a buyer and a finance reader can act on, on the shipped example:
// order lines with exact units and prices, accelerators short, limits in words, lines of at
// most 120 characters unless --wide, the lines CSV; and the input errors of a scenario that
// names a directory or has a file name that is not UTF-8.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = GPUFLEET_SOURCE_DIR;
const std::string kExample = kSource + "/examples/planner/plan-2025.yaml";

size_t LongestLine(const std::string& text) {
  size_t longest = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) longest = std::max(longest, line.size());
  return longest;
}

// Every order is whole lots, priced, dated and in a budget area; the lines add up to what the
// plan spends on purchases. Fails before: the JSON had no order lines.
TEST(PlanOutputTest, JsonOrderLinesAreExactAndAddUpToThePurchases) {
  CliResult r = RunGpufleet("plan " + kExample + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j.at("orders").empty());
  double cost = 0;
  for (const auto& o : j.at("orders")) {
    ASSERT_TRUE(o.at("units").is_number_integer()) << o.dump();
    EXPECT_EQ(o.at("units").get<long long>() % 8, 0) << o.dump();  // every option sells lots of 8
    EXPECT_NEAR(o.at("line_cost").get<double>(),
                o.at("units").get<double>() * o.at("unit_price").get<double>(), 1e-3);
    EXPECT_EQ(o.at("currency"), "USD");
    EXPECT_THAT(o.at("area").get<std::string>(), ::testing::AnyOf("home", "abroad"));
    EXPECT_GE(o.at("delivery_month").get<std::string>(), o.at("order_month").get<std::string>());
    EXPECT_FALSE(o.at("vendor").get<std::string>().empty());
    cost += o.at("line_cost").get<double>();
  }
  EXPECT_NEAR(cost, j.at("purchase_spend").get<double>(), 1e-6 * cost);
  for (const auto& l : j.at("rentals")) {
    const double units = l.at("units").get<double>();
    EXPECT_EQ(units, std::round(units)) << l.dump();  // whole rented accelerators
  }
  for (const auto& c : j.at("classes")) {
    EXPECT_EQ(c.at("short_accelerators").size(), 12u);
  }
  for (const auto& b : j.at("binding")) {
    EXPECT_FALSE(b.at("explanation").get<std::string>().empty()) << b.dump();
    EXPECT_TRUE(b.contains("shadow_value"));
  }
}

// Fails before: 56 lines of the example's table were wider than 120 characters, and the
// orders read "29.9k".
TEST(PlanOutputTest, TableFitsIn120ColumnsUnlessWide) {
  CliResult r = RunGpufleet("plan " + kExample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LE(LongestLine(r.out), 120u);
  EXPECT_THAT(r.out, ContainsRegex("^Plan 'acme-2025': (optimal|feasible), gap [0-9]+\\.[0-9]+% "
                                   "\\(12 months from 2025-01\\)"));
  // Units exactly, with thousands separators ("29,928", never "29.9k").
  EXPECT_THAT(r.out, ContainsRegex("nvidia-h20-96gb +NVIDIA +gz-hub +2025-0[0-9] +2025-[0-9]+ "
                                   "+[0-9]{1,3},[0-9]{3} "));
  const size_t orders = r.out.find("Order lines (USD");
  ASSERT_NE(orders, std::string::npos);
  const std::string order_lines = r.out.substr(orders, r.out.find("\n\n", orders) - orders);
  EXPECT_THAT(order_lines, Not(ContainsRegex("[0-9]\\.[0-9]k ")));
  EXPECT_THAT(r.out, HasSubstr("Accelerators short"));
  EXPECT_THAT(r.out, HasSubstr("Why, in words"));
  EXPECT_THAT(r.out, HasSubstr("The domestic share of 60% of purchases binds"));
  CliResult wide = RunGpufleet("plan " + kExample + " --wide");
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_GT(LongestLine(wide.out), 120u);
}

TEST(PlanOutputTest, LinesCsvHasOneRowPerOrderSaleAndRental) {
  CliResult r = RunGpufleet("plan " + kExample + " --format lines-csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kind,option,model,vendor_or_buyer,site_or_provider,month,"
                               "delivery_month,units,unit_price,amount,currency,area\n"));
  EXPECT_THAT(r.out, ContainsRegex("\norder,h20,nvidia-h20-96gb,NVIDIA,gz-hub,2025-[0-9]+,"
                                   "2025-[0-9]+,[0-9]+,[0-9]+,[0-9]+,USD,home\n"));
  EXPECT_THAT(r.out, HasSubstr("rental,h100-johor,nvidia-h100-sxm5-80gb,Tanjung Data Centres,MY,"
                               "2025-01,,60000,2.6,"));
}

// Fails before: the x axis counted months of the horizon (1 .. 12).
TEST(PlanOutputTest, SvgAxisIsACalendar) {
  const std::string dir = FreshDir("plan_svg_axis");
  CliResult r = RunGpufleet("plan " + kExample + " --format json --svg " + dir + "/plan.svg");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string svg = ReadFile(dir + "/plan.svg");
  EXPECT_THAT(svg, HasSubstr(">2025-01</text>"));
  EXPECT_THAT(svg, HasSubstr(">2025-11</text>"));  // every other month: at most eight labels
  EXPECT_THAT(svg, Not(HasSubstr(">2025-02</text>")));
  EXPECT_THAT(svg, HasSubstr(">month</text>"));
}

// Fails before: the SVG had only capacity and demand, without spend, units bought or the
// months the rules changed the plan.
TEST(PlanOutputTest, SvgShowsSpendUnitsBoughtAndRuleChanges) {
  const std::string dir = FreshDir("plan_svg_charts");
  CliResult r = RunGpufleet("plan " + kExample + " --format json --svg " + dir + "/plan.svg");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string svg = ReadFile(dir + "/plan.svg");
  size_t documents = 0;
  for (size_t at = svg.find("<svg "); at != std::string::npos; at = svg.find("<svg ", at + 1)) {
    ++documents;
  }
  EXPECT_EQ(documents, 4u);  // one document holding three charts
  EXPECT_EQ(svg.find("<svg "), 0u);
  EXPECT_THAT(svg, HasSubstr(">Spend per month</text>"));
  EXPECT_THAT(svg, HasSubstr(">purchases</text>"));
  EXPECT_THAT(svg, HasSubstr(">rentals</text>"));
  EXPECT_THAT(svg, HasSubstr(">Accelerators bought and sold per month</text>"));
  EXPECT_THAT(svg, HasSubstr(">delivered</text>"));
  // The example's H20 is blocked from 2025-04 and carries a revenue share from 2025-08:
  // dashed month markers on every chart.
  EXPECT_THAT(svg, HasSubstr("stroke-dasharray=\"6,4\""));
  EXPECT_THAT(svg, HasSubstr("(dashed: rules change)"));
}

TEST(PlanOutputTest, AFleetDirectoryAndANonUtf8FileNameAreInputErrors) {
  const std::string dir = FreshDir("plan_inputs");
  std::filesystem::create_directories(dir + "/fleet-dir");
  std::string text = ReadFile(kExample);
  text.replace(text.find("fleet: fleet.yaml"), 17, "fleet: fleet-dir");
  std::ofstream(dir + "/dir.yaml") << text;
  CliResult r = RunGpufleet("plan " + dir + "/dir.yaml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("dir.yaml:15:8: fleet: '" + dir + "/fleet-dir' is a directory"));

  // No name: key, so the file name would name the plan in the JSON and the SVG.
  std::string unnamed = ReadFile(kExample);
  unnamed.erase(unnamed.find("name: acme-2025\n"), 16);
  const std::string planner = kSource + "/examples/planner/";
  for (const char* file : {"fleet.yaml", "h200-announcement.yaml", "licences.yaml",
                           "classifications.yaml", "assets.csv"}) {
    std::filesystem::copy_file(planner + file, dir + "/" + file);
  }
  std::ofstream(dir + "/plan\xff.yaml") << unnamed;
  CliResult bad = RunGpufleet("plan '" + dir + "/plan\xff.yaml' --format json");
  EXPECT_EQ(bad.exit_code, 1) << bad.out.substr(0, 200);
  EXPECT_THAT(bad.err, HasSubstr("the file name is not valid UTF-8"));
}

}  // namespace
}  // namespace gpufleet::testing
