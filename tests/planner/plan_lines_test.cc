// What a plan says to the people who act on it: order lines a supplier can fill (whole
// units, prices, delivery months, budget areas), sales and rentals as lines of their own,
// capacity counted with the accelerators already there, unmet demand in accelerators, each
// binding limit in words, and options the horizon leaves out. Small scenarios on the fixture
// fleet with no rules; the optimum of each is worked out in its comment.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpufleet/planner/plan.h"
#include "planner/scenario_files.h"

namespace gpufleet::planner {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kSolver[] = "solver: {time_limit_s: 10, gap_pct: 0}\n";

Scenario Load(const std::string& name, const std::string& body, int months = 1,
              const std::string& fleet = fixtures::kFleet) {
  const fixtures::ScenarioDir dir(name);
  Result<Scenario> s = dir.Load(fixtures::Header(months) + kSolver + body, fleet);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : Scenario{};
}

Plan Solve(const Scenario& s) {
  Result<Plan> plan = MakePlan(s);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? std::move(plan).value() : Plan{};
}

const BindingConstraint* Binding(const Plan& p, const std::string& name) {
  for (const BindingConstraint& b : p.binding) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

// `units` H20s at sh-03, acquired 2024-07-01 (in service through any short horizon).
std::string FleetWithH20s(int units) {
  std::string fleet = std::string(fixtures::kFleet) + "assets:\n";
  for (int i = 1; i <= units; ++i) {
    fleet += "  - {serial: E" + std::to_string(i) +
             ", model: H20, site: sh-03, owner: acme, operator: acme, holding: owned, "
             "acquired: 2024-07-01, arrival: export, from_country: TW}\n";
  }
  return fleet;
}

// Two months, far more demand than money. The home area's 170,000 buys two lots of 8 H20 at
// 10,000 (lead time one month, so ordered in January, delivered in February); nothing later
// would arrive in time. Every line is a whole number of lots at the option's price.
TEST(PlanLinesTest, OrderLinesAreWholeUnitsWithDeliveryPriceAndArea) {
  const Plan p = Solve(Load("lines_orders",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, vendor: NVIDIA via Lenovo, unit_price: "
                            "10000, lot: 8,\n"
                            "     lead_months: 1, supply_per_month: 800}\n"
                            "budget:\n"
                            "  areas:\n"
                            "    - {id: home, countries: [CN], amount: 170000}\n"
                            "    - {id: abroad, amount: 1e9}\n",
                            2));
  ASSERT_EQ(p.status, "optimal");
  ASSERT_EQ(p.orders.size(), 1u);
  const OrderLine& o = p.orders[0];
  EXPECT_EQ(o.option, "h20");
  EXPECT_EQ(o.model, "nvidia-h20-96gb");
  EXPECT_EQ(o.vendor, "NVIDIA via Lenovo");
  EXPECT_EQ(o.site, "sh-03");
  EXPECT_EQ(o.order_month, 0);
  EXPECT_EQ(o.delivery_month, 1);
  EXPECT_EQ(o.units, 16);
  EXPECT_DOUBLE_EQ(o.unit_price, 10000);
  EXPECT_DOUBLE_EQ(o.line_cost, 160000);
  EXPECT_EQ(o.area, "home");
  EXPECT_THAT(p.sales, IsEmpty());
}

// Demand of 2.5 accelerators' worth of hours in January (1,860 of 744 each): whole rented
// units cover it with 3; an option that rents by the hour takes 2.5.
TEST(PlanLinesTest, RentalsAreWholeUnitsUnlessTheOptionSaysOtherwise) {
  auto body = [](const std::string& fractional) {
    return "sites: [{id: sh-03}]\n"
           "demand:\n"
           "  - {id: training, per_month: 1860, unmet_penalty: 10, throughput: {H100: 1}}\n"
           "rentals:\n"
           "  - {id: h100-my, provider: Tanjung, country: MY, model: H100,\n"
           "     price_per_hour: 2, max_units: 10" +
           fractional + "}\n";
  };
  const Plan whole = Solve(Load("lines_rent_whole", body("")));
  ASSERT_EQ(whole.status, "optimal");
  ASSERT_EQ(whole.rentals.size(), 1u);
  EXPECT_DOUBLE_EQ(whole.rentals[0].units, 3);
  EXPECT_EQ(whole.rentals[0].provider, "Tanjung");
  EXPECT_NEAR(whole.rentals[0].cost, 3 * 744 * 2, 1e-6);
  const Plan part = Solve(Load("lines_rent_part", body(", fractional_units: true")));
  ASSERT_EQ(part.status, "optimal");
  ASSERT_EQ(part.rentals.size(), 1u);
  EXPECT_NEAR(part.rentals[0].units, 2.5, 1e-6);
}

// sh-03 holds 25 accelerators and 20 H20s are already there: the plan buys 5 and the site is
// full at 25 of 25 in both months. Fails before: used counted only the 5 bought, summed over
// the months (10 of 50).
TEST(PlanLinesTest, SiteCapacityCountsTheUnitsAlreadyThere) {
  const Plan p = Solve(Load("lines_capacity",
                            "sites: [{id: sh-03, capacity: 25}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 100}\n",
                            2, FleetWithH20s(20)));
  ASSERT_EQ(p.status, "optimal");
  const BindingConstraint* b = Binding(p, "site capacity 'sh-03'");
  ASSERT_NE(b, nullptr);
  EXPECT_NEAR(b->used, 25, 1e-6);
  EXPECT_DOUBLE_EQ(b->limit, 25);
  EXPECT_THAT(b->explanation, HasSubstr("Site 'sh-03' is full in 2025-01..2025-02: 25 of 25"));
}

// 1e6 accelerator-hours in January against a budget for 40 H20s (29,760 hours): 970,240
// hours unmet, 1,304.09 accelerators of 744 hours short.
TEST(PlanLinesTest, UnmetDemandIsAlsoCountedInAccelerators) {
  const Plan p = Solve(Load("lines_short",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, lot: 8,\n"
                            "     supply_per_month: 800}\n"
                            "budget: {total: 430000}\n"));
  ASSERT_EQ(p.status, "optimal");
  ASSERT_EQ(p.classes.size(), 1u);
  ASSERT_EQ(p.classes[0].short_accelerators.size(), 1u);
  EXPECT_NEAR(p.classes[0].short_accelerators[0], (1e6 - 40 * 744) / 744.0, 1e-6);
  EXPECT_EQ(p.classes[0].short_of, "throughput-1 accelerators");
}

// H20 and Ascend 910B under a 50% domestic share by count, with the budget binding (plan_test's
// DomesticShareByCountBinds: 20 of each): each further H20 needs 50 / 50 = 1 more Ascend. The
// budget sentence names its amount.
TEST(PlanLinesTest, BindingLimitsAreExplainedInWords) {
  const Plan p = Solve(Load("lines_words",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1, Ascend 910B: 0.5}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 100}\n"
                            "  - {id: ascend, model: Ascend 910B, unit_price: 20000,\n"
                            "     supply_per_month: 100}\n"
                            "budget:\n"
                            "  total: 600000\n"
                            "  domestic_share: {min_pct: 50}\n"));
  ASSERT_EQ(p.status, "optimal");
  const BindingConstraint* share = Binding(p, "domestic share");
  ASSERT_NE(share, nullptr);
  EXPECT_THAT(share->explanation, HasSubstr("The domestic share of 50% of purchases binds"));
  EXPECT_THAT(share->explanation,
              HasSubstr("each further nvidia-h20-96gb needs 1 more huawei-ascend-910b"));
  const BindingConstraint* budget = Binding(p, "budget 'total'");
  ASSERT_NE(budget, nullptr);
  EXPECT_THAT(budget->explanation, HasSubstr("The total budget of 600,000 USD is spent in full"));
  ASSERT_TRUE(budget->shadow_value.has_value());
  EXPECT_THAT(budget->explanation, HasSubstr("would be worth"));
}

// A lead time of three months in a two-month plan: nothing ordered could arrive, so the
// option is reported as dropped, with the reason, and nothing of it is ordered.
TEST(PlanLinesTest, AnOptionThatCannotArriveInTheHorizonIsReportedAsDropped) {
  const Plan p = Solve(Load("lines_dropped",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1, Ascend 910B: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 10}\n"
                            "  - {id: ascend, model: Ascend 910B, unit_price: 10000,\n"
                            "     lead_months: 3, supply_per_month: 10}\n",
                            2));
  ASSERT_EQ(p.status, "optimal");
  ASSERT_EQ(p.dropped.size(), 1u);
  EXPECT_EQ(p.dropped[0].option, "ascend");
  EXPECT_THAT(p.dropped[0].reason, HasSubstr("lead time of 3 months"));
  EXPECT_THAT(p.dropped[0].reason, HasSubstr("2025-04, after the 2-month horizon ends"));
  for (const OrderLine& o : p.orders) EXPECT_NE(o.option, "ascend");
}

}  // namespace
}  // namespace gpufleet::planner
