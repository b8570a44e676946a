// Plans for small scenarios whose optimum is worked out by hand in the comments: a binding
// budget, a binding domestic share, rules that block a model or add a revenue share, order
// costs, rentals, sales, infeasible commitments and what-if changes. Every scenario uses the
// fixture fleet and its own rule file (none unless the test says), the shipped catalog, and
// gap_pct 0 so that the plan is the proven optimum.
//
// Hours: January 2025 has 744, February 672, March 744. A unit of demand left unserved costs
// unmet_penalty; a purchase costs, in the objective, price x min(1, months in service inside
// the horizon / 60).

#include "gpufleet/planner/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/catalog/accelerator.h"
#include "gpufleet/planner/what_if.h"
#include "planner/scenario_files.h"

namespace gpufleet::planner {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kH20[] = "nvidia-h20-96gb";
constexpr char kAscend[] = "huawei-ascend-910b";
constexpr char kSolver[] = "solver: {time_limit_s: 10, gap_pct: 0}\n";

Scenario Load(const std::string& name, const std::string& body, const std::string& rules = "",
              const std::string& fleet = fixtures::kFleet, int months = 1) {
  const fixtures::ScenarioDir dir(name);
  Result<Scenario> s = dir.Load(fixtures::Header(months) + kSolver + body, fleet,
                                rules.empty() ? std::string(fixtures::kNoRules) : rules);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : Scenario{};
}

Plan Solve(const Scenario& s) {
  Result<Plan> plan = MakePlan(s);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? std::move(plan).value() : Plan{};
}

// Sums of the plan's rows for one model (all locations when `location` is "").
double Ordered(const Plan& p, const std::string& model, const std::string& location = "",
               int month = -1) {
  double sum = 0;
  for (const PlanRow& r : p.rows) {
    if (r.model != model || (!location.empty() && r.location != location)) continue;
    if (month >= 0 && r.month != month) continue;
    sum += r.ordered;
  }
  return sum;
}

const PlanRow* Row(const Plan& p, int month, const std::string& location,
                   const std::string& model) {
  for (const PlanRow& r : p.rows) {
    if (r.month == month && r.location == location && r.model == model) return &r;
  }
  return nullptr;
}

const BindingConstraint* Binding(const Plan& p, const std::string& name) {
  for (const BindingConstraint& b : p.binding) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

const AreaSpend* Spend(const Plan& p, const std::string& area) {
  for (const AreaSpend& a : p.spend) {
    if (a.area == area) return &a;
  }
  return nullptr;
}

std::vector<std::string> Areas(const Plan& p) {
  std::vector<std::string> out;
  for (const AreaSpend& a : p.spend) out.push_back(a.area);
  return out;
}

// One month at sh-03, H20 at 10,000 in lots of 8, far more demand than money. Each H20
// serves 744 hours worth 7,440 of penalty and costs 10,000 / 60 = 166.67 in the objective,
// so the plan buys all the budget allows: 430,000 buys 5 lots (6 would be 480,000).
constexpr char kBudgetBound[] =
    "sites: [{id: sh-03}]\n"
    "demand:\n"
    "  - {id: training, per_month: 1e6, unmet_penalty: 10, throughput: {H20: 1}}\n"
    "purchases:\n"
    "  - {id: h20, model: H20, unit_price: 10000, lot: 8, supply_per_month: 800}\n"
    "budget: {total: 430000}\n";

TEST(PlanTest, BudgetBuysWholeLotsUpToTheLimit) {
  const Plan p = Solve(Load("plan_budget", kBudgetBound));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_TRUE(p.has_plan());
  EXPECT_THAT(p.months, ElementsAre("2025-01"));
  EXPECT_DOUBLE_EQ(p.purchased_units, 40);
  EXPECT_DOUBLE_EQ(p.purchase_spend, 400000);
  EXPECT_DOUBLE_EQ(p.order_cost_spend, 0);
  ASSERT_EQ(Areas(p), std::vector<std::string>{"total"});
  EXPECT_DOUBLE_EQ(p.spend[0].spent, 400000);
  ASSERT_TRUE(p.spend[0].limit.has_value());
  EXPECT_DOUBLE_EQ(*p.spend[0].limit, 430000);

  const PlanRow* row = Row(p, 0, "sh-03", kH20);
  ASSERT_NE(row, nullptr);
  EXPECT_DOUBLE_EQ(row->ordered, 40);
  EXPECT_DOUBLE_EQ(row->delivered, 40);
  EXPECT_DOUBLE_EQ(row->in_service, 40);
  EXPECT_DOUBLE_EQ(row->spend, 400000);
  ASSERT_EQ(row->served_hours.size(), 1u);
  EXPECT_NEAR(row->served_hours[0], 40 * 744, 1e-6);
  ASSERT_EQ(p.classes.size(), 1u);
  EXPECT_NEAR(p.classes[0].served[0], 40 * 744, 1e-6);
  EXPECT_NEAR(p.classes[0].unmet_cost, 10 * (1e6 - 40 * 744), 1e-3);
  // 10 x unmet + 400,000 / 60.
  EXPECT_NEAR(p.objective, 10 * (1e6 - 40 * 744) + 400000.0 / 60, 1e-3);

  // 30,000 left is less than a lot (80,000): the budget binds. In the relaxation one more
  // unit of money buys 1/10,000 of an H20 worth 7,440 - 166.67.
  const BindingConstraint* b = Binding(p, "budget 'total'");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->kind, "budget");
  EXPECT_DOUBLE_EQ(b->used, 400000);
  EXPECT_DOUBLE_EQ(b->limit, 430000);
  ASSERT_TRUE(b->shadow_value.has_value());
  EXPECT_NEAR(*b->shadow_value, (7440 - 10000.0 / 60) / 10000, 1e-6);
  EXPECT_EQ(Binding(p, "supply 'h20'"), nullptr);
  EXPECT_THAT(p.conflicts, IsEmpty());
}

// Two sites, demand only in China: the home area (170,000) buys two lots at sh-03 and nothing
// is worth buying at sg-01, however large the abroad area.
TEST(PlanTest, AreaBudgetBindsAtHome) {
  const Plan p = Solve(Load("plan_area",
                            "sites: [{id: sh-03}, {id: sg-01}]\n"
                            "demand:\n"
                            "  - {id: inference, per_month: 1e6, unmet_penalty: 10,\n"
                            "     countries: [CN], throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, lot: 8,\n"
                            "     supply_per_month: 800}\n"
                            "budget:\n"
                            "  areas:\n"
                            "    - {id: home, countries: [CN], amount: 170000}\n"
                            "    - {id: abroad, amount: 1e9}\n"));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(Ordered(p, kH20, "sh-03"), 16);
  EXPECT_DOUBLE_EQ(Ordered(p, kH20, "sg-01"), 0);
  EXPECT_EQ(Areas(p), (std::vector<std::string>{"home", "abroad", "total"}));
  EXPECT_DOUBLE_EQ(Spend(p, "home")->spent, 160000);
  EXPECT_DOUBLE_EQ(Spend(p, "abroad")->spent, 0);
  EXPECT_DOUBLE_EQ(Spend(p, "total")->spent, 160000);
  EXPECT_FALSE(Spend(p, "total")->limit.has_value());
  ASSERT_NE(Binding(p, "budget 'home'"), nullptr);
  EXPECT_EQ(Binding(p, "budget 'abroad'"), nullptr);
}

// H20 at 10,000 serving a full hour; Ascend 910B at 20,000 serving half an hour. Net value
// per unit: H20 7,440 - 166.67 = 7,273.33, Ascend 3,720 - 333.33 = 3,386.67. With 600,000:
//   no share:            60 H20.
//   50 % by count:       d >= n; along the budget 10,000 n + 20,000 d = 600,000 the value
//                        grows with n, so n = d = 20.
//   50 % by spend:       20,000 d >= 10,000 n; likewise n = 30, d = 15.
std::string DomesticScenario(const std::string& share) {
  return "sites: [{id: sh-03}]\n"
         "demand:\n"
         "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
         "     throughput: {H20: 1, Ascend 910B: 0.5}}\n"
         "purchases:\n"
         "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 100}\n"
         "  - {id: ascend, model: Ascend 910B, unit_price: 20000, supply_per_month: 100}\n"
         "budget:\n"
         "  total: 600000\n" +
         share;
}

TEST(PlanTest, WithoutADomesticShareOnlyTheBetterChipIsBought) {
  const Plan p = Solve(Load("plan_no_share", DomesticScenario("")));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(Ordered(p, kH20), 60);
  EXPECT_DOUBLE_EQ(Ordered(p, kAscend), 0);
  EXPECT_DOUBLE_EQ(p.domestic_share_pct, 0);
  EXPECT_EQ(Binding(p, "domestic share"), nullptr);
}

// A minimum of 0 % asks for nothing: the plan is the one without a share, and the share is
// not reported as holding it back.
TEST(PlanTest, AZeroDomesticShareNeverBinds) {
  const Plan p =
      Solve(Load("plan_share_zero", DomesticScenario("  domestic_share: {min_pct: 0}\n")));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(Ordered(p, kH20), 60);
  EXPECT_DOUBLE_EQ(Ordered(p, kAscend), 0);
  EXPECT_EQ(Binding(p, "domestic share"), nullptr);
}

TEST(PlanTest, DomesticShareByCountBinds) {
  const Plan p =
      Solve(Load("plan_share_count", DomesticScenario("  domestic_share: {min_pct: 50}\n")));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(Ordered(p, kH20), 20);
  EXPECT_DOUBLE_EQ(Ordered(p, kAscend), 20);
  EXPECT_DOUBLE_EQ(p.purchased_units, 40);
  EXPECT_NEAR(p.domestic_share_pct, 50, 1e-9);
  EXPECT_DOUBLE_EQ(Spend(p, "total")->spent, 600000);
  const BindingConstraint* b = Binding(p, "domestic share");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->kind, "domestic_share");
  EXPECT_NEAR(b->used, 50, 1e-9);
  EXPECT_DOUBLE_EQ(b->limit, 50);
  EXPECT_NE(Binding(p, "budget 'total'"), nullptr);
}

TEST(PlanTest, DomesticShareBySpendBinds) {
  const Plan p = Solve(Load("plan_share_spend",
                            DomesticScenario("  domestic_share: {min_pct: 50, basis: spend}\n")));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(Ordered(p, kH20), 30);
  EXPECT_DOUBLE_EQ(Ordered(p, kAscend), 15);
  EXPECT_NEAR(p.domestic_share_pct, 50, 1e-9);  // 300,000 of 600,000
  EXPECT_NE(Binding(p, "domestic share"), nullptr);
}

// H20 and Ascend 910B serve equally; the H20 costs half as much. 400,000 buys 40 H20 or 20
// Ascends. Two months: buying in January serves both.
std::string CheapestScenario() {
  return "sites: [{id: sh-03}]\n"
         "demand:\n"
         "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
         "     throughput: {H20: 1, Ascend 910B: 1}}\n"
         "purchases:\n"
         "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 100}\n"
         "  - {id: ascend, model: Ascend 910B, unit_price: 20000, supply_per_month: 100}\n"
         "budget: {total: 400000}\n";
}

TEST(PlanTest, WithoutRulesTheCheapestModelIsBought) {
  const Plan p = Solve(Load("plan_cheapest", CheapestScenario(), "", fixtures::kFleet, 2));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(Ordered(p, kH20, "sh-03", 0), 40);
  EXPECT_DOUBLE_EQ(Ordered(p, kAscend), 0);
  EXPECT_THAT(p.rule_notes, IsEmpty());
}

TEST(PlanTest, ARuleThatProhibitsTheCheapestModelKeepsItOut) {
  const std::string rules =
      fixtures::RuleFile({fixtures::Prohibit("TEST-NO-H20", kH20, "CN", "2024-01-01")});
  const Plan p = Solve(Load("plan_rule", CheapestScenario(), rules, fixtures::kFleet, 2));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(Ordered(p, kH20), 0);
  for (const PlanRow& r : p.rows) {
    if (r.model == kH20) {
      EXPECT_DOUBLE_EQ(r.served_hours[0], 0) << r.location;
    }
  }
  EXPECT_DOUBLE_EQ(Ordered(p, kAscend, "sh-03", 0), 20);
  // Buying it and running the class on it are both blocked, in both months.
  bool buy_note = false;
  bool run_note = false;
  for (const RuleNote& n : p.rule_notes) {
    EXPECT_EQ(n.effect, "blocked");
    EXPECT_EQ(n.rules, "TEST-NO-H20");
    EXPECT_THAT(n.months, ElementsAre("2025-01", "2025-02"));
    if (n.subject == "buy 'h20' at sh-03") buy_note = true;
    if (n.subject == "run 'training' on nvidia-h20-96gb at sh-03") run_note = true;
  }
  EXPECT_TRUE(buy_note);
  EXPECT_TRUE(run_note);
}

// A month is judged by the rules in force on its last day: an export ban on the H20 from
// 28 February governs February; one from 1 March does not. Three months, 16 H20s a month,
// money for everything; only deliveries are blocked (transfers: [export]), not their use.
struct DatedBanCase {
  const char* from;
  int lead_months;
  std::vector<double> h20_per_month;  // ordered
  std::vector<std::string> blocked;   // delivery months
};

class DatedBanTest : public ::testing::TestWithParam<DatedBanCase> {};

TEST_P(DatedBanTest, BlocksDeliveriesFromTheMonthItGoverns) {
  const DatedBanCase& c = GetParam();
  fixtures::TestRule ban = fixtures::Prohibit("TEST-H20-EXPORT", kH20, "CN", c.from);
  ban.transfers = "[export]";
  const Plan p =
      Solve(Load("plan_dated_ban",
                 "sites: [{id: sh-03}]\n"
                 "demand:\n"
                 "  - {id: training, per_month: 1e6, unmet_penalty: 10, throughput: {H20: 1}}\n"
                 "purchases:\n"
                 "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 16,\n"
                 "     lead_months: " +
                     std::to_string(c.lead_months) + "}\n",
                 fixtures::RuleFile({ban}), fixtures::kFleet, 3));
  ASSERT_EQ(p.status, "optimal");
  for (int t = 0; t < 3; ++t) {
    EXPECT_DOUBLE_EQ(Ordered(p, kH20, "sh-03", t), c.h20_per_month[static_cast<size_t>(t)])
        << "month " << t;
  }
  ASSERT_EQ(p.rule_notes.size(), 1u);
  EXPECT_EQ(p.rule_notes[0].subject, "buy 'h20' at sh-03");
  EXPECT_EQ(p.rule_notes[0].rules, "TEST-H20-EXPORT");
  EXPECT_EQ(p.rule_notes[0].months, c.blocked);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DatedBanTest,
    ::testing::Values(
        // In force on February's last day: January only.
        DatedBanCase{"2025-02-28", 0, {16, 0, 0}, {"2025-02", "2025-03"}},
        // From March: January and February.
        DatedBanCase{"2025-03-01", 0, {16, 16, 0}, {"2025-03"}},
        // With a month's lead time a January order arrives in February, after the ban, and a
        // March order would arrive after the horizon: nothing is ordered.
        DatedBanCase{"2025-02-28", 1, {0, 0, 0}, {"2025-02", "2025-03"}}));

// A revenue share from the rules raises the cash price: 10,000 x 1.15 per H20, so 115,000
// buys 10.
TEST(PlanTest, RevenueShareIsAddedToThePurchasePrice) {
  fixtures::TestRule share = fixtures::Prohibit("TEST-H20-SHARE", kH20, "CN", "2024-01-01");
  share.action = "allowed_with_revenue_share";
  share.revenue_share_pct = 15;
  const Plan p = Solve(Load("plan_share",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 100}\n"
                            "budget: {total: 115000}\n",
                            fixtures::RuleFile({share})));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(p.purchased_units, 10);
  EXPECT_NEAR(p.purchase_spend, 115000, 1e-6);
  EXPECT_NEAR(p.revenue_share_spend, 15000, 1e-6);
  const PlanRow* row = Row(p, 0, "sh-03", kH20);
  ASSERT_NE(row, nullptr);
  EXPECT_NEAR(row->spend, 115000, 1e-6);
  bool noted = false;
  for (const RuleNote& n : p.rule_notes) {
    if (n.subject == "buy 'h20' at sh-03") {
      EXPECT_EQ(n.effect, "revenue share 15%");
      EXPECT_EQ(n.rules, "TEST-H20-SHARE");
      noted = true;
    }
  }
  EXPECT_TRUE(noted);
}

// An order cost of 50,000 per site-month counts in the budget: 450,000 buys 5 lots.
TEST(PlanTest, OrderCostsCountInTheBudget) {
  const Plan p = Solve(Load("plan_order_cost",
                            "sites: [{id: sh-03, order_cost: 50000}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, lot: 8,\n"
                            "     supply_per_month: 800}\n"
                            "budget: {total: 479999}\n"));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(p.purchased_units, 40);
  EXPECT_DOUBLE_EQ(p.order_cost_spend, 50000);
  EXPECT_DOUBLE_EQ(Spend(p, "total")->spent, 450000);
  // The objective: unmet demand, the purchase's depreciation and the whole order cost.
  EXPECT_NEAR(p.objective, 10 * (1e6 - 40 * 744) + 400000.0 / 60 + 50000, 1e-3);
}

// Rented H100s in Malaysia at 2 an hour: renting all 10 serves 7,440 hours for 14,880.
TEST(PlanTest, RentalsServeRemotelyAndAreChargedByTheHour) {
  const Plan p = Solve(Load("plan_rental",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H100: 1}}\n"
                            "rentals:\n"
                            "  - {id: h100-my, provider: Tanjung, country: MY, model: H100,\n"
                            "     price_per_hour: 2, max_units: 10}\n"));
  ASSERT_EQ(p.status, "optimal");
  const PlanRow* row = Row(p, 0, "h100-my", "nvidia-h100-sxm5-80gb");
  ASSERT_NE(row, nullptr);
  EXPECT_TRUE(row->rental);
  EXPECT_NEAR(row->in_service, 10, 1e-6);
  EXPECT_NEAR(row->served_hours[0], 7440, 1e-6);
  EXPECT_NEAR(p.rental_spend, 14880, 1e-6);
  EXPECT_NEAR(Spend(p, "total")->spent, 14880, 1e-6);
  const BindingConstraint* b = Binding(p, "rental capacity 'h100-my'");
  ASSERT_NE(b, nullptr);
  EXPECT_THAT(b->months, ElementsAre("2025-01"));
}

// Demand in TPP-hours: an H20 hour is worth throughput x TPP(H20) of them.
TEST(PlanTest, TppHoursScaleByTheCatalogTpp) {
  const Scenario s = Load("plan_tpp",
                          "sites: [{id: sh-03}]\n"
                          "demand:\n"
                          "  - {id: training, unit: tpp_hours, per_month: 1e12,\n"
                          "     unmet_penalty: 1, throughput: {H20: 0.5}}\n"
                          "purchases:\n"
                          "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 4}\n");
  const Plan p = Solve(s);
  ASSERT_EQ(p.status, "optimal");
  const std::optional<double> tpp = catalog::Tpp(*s.catalog->Find("H20"));
  ASSERT_TRUE(tpp.has_value());
  const PlanRow* row = Row(p, 0, "sh-03", kH20);
  ASSERT_NE(row, nullptr);
  EXPECT_NEAR(row->served_hours[0], 4 * 744, 1e-6);
  EXPECT_NEAR(p.classes[0].served[0], 4 * 744 * 0.5 * *tpp, 1e-3 * *tpp);
  EXPECT_EQ(p.classes[0].unit, DemandUnit::kTppHours);
}

// Existing units with no demand for them are sold: 4 A800s at 5,000 each.
std::string SaleFleet(const std::string& acquired, int units = 4,
                      const std::string& model = "A800") {
  std::string fleet = std::string(fixtures::kFleet) + "assets:\n";
  for (int i = 1; i <= units; ++i) {
    fleet += "  - {serial: A" + std::to_string(i) + ", model: " + model +
             ", site: sh-03, owner: acme, operator: acme, holding: owned, "
             "acquired: " +
             acquired + ", arrival: export, from_country: TW}\n";
  }
  return fleet;
}

constexpr char kSale[] =
    "sites: [{id: sh-03}]\n"
    "demand:\n"
    "  - {id: training, per_month: 0, unmet_penalty: 1, throughput: {A800: 1}}\n"
    "sales:\n"
    "  - {id: used, buyer: northstar, models: [A800], unit_price: 8000}\n";

// Four idle A800s acquired 2022-06-01 (catalog price 15,000, 60-month life) have 26 months of
// life left when the three-month horizon ends (2025-04): each is worth 15,000 x 26 / 60 =
// 6,500 then, less than the 8,000 offered, so all four are sold: objective 4 x (6,500 -
// 8,000) = -6,000, cash +32,000. (Before useful life counted, the buyer offered 5,000 here;
// that sale would now lose 1,500 a unit, see AShortPlanDoesNotSellWorkingHardwareAtALoss.)
TEST(PlanTest, IdleExistingUnitsAreSold) {
  const Plan p = Solve(Load("plan_sale", kSale, "", SaleFleet("2022-06-01"), 3));
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(p.sale_revenue, 32000);
  EXPECT_NEAR(p.objective, -6000, 1e-6);
  EXPECT_DOUBLE_EQ(Spend(p, "total")->spent, -32000);
  ASSERT_EQ(p.sales.size(), 1u);
  EXPECT_EQ(p.sales[0].units, 4);
  EXPECT_EQ(p.sales[0].buyer, "northstar");
  EXPECT_DOUBLE_EQ(p.sales[0].unit_price, 8000);
  EXPECT_DOUBLE_EQ(p.sales[0].proceeds, 32000);
  double sold = 0;
  for (const PlanRow& r : p.rows) {
    sold += r.sold;
    EXPECT_GE(r.in_service, 0) << r.month;
  }
  EXPECT_DOUBLE_EQ(sold, 4);
}

// The same units, acquired 2020-02-10, retire on 2025-02-10 (60-month life): in service in
// January and February 2025, gone in March. They can still be sold in January or February.
// Fails: the sales rows (formulation.cc, Builder::Sales) cap the cumulative sales of every
// later month by the units still in service then, which is 0 after the retirement, so no
// unit of a group that retires inside the horizon can ever be sold.
TEST(PlanTest, UnitsThatRetireInsideTheHorizonCanBeSoldBeforeThey) {
  const Scenario s = Load("plan_sale_retiring", kSale, "", SaleFleet("2020-02-10"), 3);
  ASSERT_EQ(s.existing.size(), 1u);
  ASSERT_EQ(s.existing[0].units, (std::vector<double>{4, 4, 0}));
  const Plan p = Solve(s);
  ASSERT_EQ(p.status, "optimal");
  EXPECT_DOUBLE_EQ(p.sale_revenue, 4 * 8000);  // retired by the horizon's end: worth nothing then
  for (const PlanRow& r : p.rows) EXPECT_GE(r.in_service, 0) << r.month;
}

// Every magnitude at the largest value the reader accepts (docs/planner.md, "Limits on
// values"): demand may go unmet, so the program is feasible whatever the numbers, and the
// solver must say so rather than abort or call it infeasible.
TEST(PlanTest, ValuesAtTheirLimitsStillGiveAPlan) {
  const std::string body =
      "sites: [{id: sh-03, capacity: 1e8}]\n"
      "demand:\n"
      "  - {id: training, per_month: 1e9, unmet_penalty: 1e6, throughput: {H20: 1000}}\n"
      "  - {id: tiny, per_month: 1e-9, unmet_penalty: 1e-9, throughput: {H20: 0.001}}\n"
      "purchases:\n"
      "  - {id: h20, model: H20, unit_price: 1e9, lot: 10000, supply_per_month: 1e7}\n"
      "rentals:\n"
      "  - {id: far, provider: P, country: MY, model: H20, price_per_hour: 1e6, "
      "max_units: 1e7}\n"
      "budget: {total: 1e13}\n";
  const Scenario s = Load("plan_limits", body, "", fixtures::kFleet, 2);
  Result<Plan> p = MakePlan(s, PlanOptions{5.0, 1.0});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->has_plan()) << p->status;
  ASSERT_EQ(p->classes.size(), 2u);
  for (const ClassOutcome& c : p->classes) {
    for (size_t t = 0; t < c.served.size(); ++t) {
      EXPECT_GE(c.served[t], 0) << c.id;
      EXPECT_LE(c.served[t], c.demand[t] * (1 + 1e-6) + 1e-6) << c.id;
    }
  }
  EXPECT_LE(Spend(*p, "total")->spent, 1e13 * (1 + 1e-9));
}

// A one-month plan with 20 idle Ascend 910Bs acquired 2024-07-01: when the horizon ends
// (2025-02) they have 53 of their 60 months left, worth 16,500 (catalog) x 53 / 60 = 14,575
// each. Fails before useful life counted: the plan sold all 20 at 8,000.
TEST(PlanTest, AShortPlanDoesNotSellWorkingHardwareAtALoss) {
  const std::string body =
      "sites: [{id: sh-03}]\n"
      "demand:\n"
      "  - {id: training, per_month: 0, unmet_penalty: 1, throughput: {Ascend 910B: 1}}\n"
      "sales:\n"
      "  - {id: used, buyer: northstar, unit_price: PRICE}\n";
  auto with_price = [&](const std::string& price) {
    std::string b = body;
    b.replace(b.find("PRICE"), 5, price);
    return b;
  };
  const std::string fleet = SaleFleet("2024-07-01", 20, "Ascend 910B");
  const Plan kept = Solve(Load("plan_keep", with_price("8000"), "", fleet, 1));
  ASSERT_EQ(kept.status, "optimal");
  EXPECT_DOUBLE_EQ(kept.sale_revenue, 0);
  EXPECT_THAT(kept.sales, IsEmpty());
  // Above what they are still worth, they go.
  const Plan sold = Solve(Load("plan_sell", with_price("15000"), "", fleet, 1));
  ASSERT_EQ(sold.status, "optimal");
  EXPECT_DOUBLE_EQ(sold.sale_revenue, 20 * 15000);
  EXPECT_NEAR(sold.objective, 20 * (14575 - 15000.0), 1e-6);
}

// A purchase keeps the value of the months it outlives the horizon, over its option's
// useful_life_months: one month at 10,000 with a 10-month life is charged 1,000 in the
// objective, with the default 60 months 166.67.
TEST(PlanTest, UsefulLifeSetsWhatAPurchaseCostsTheObjective) {
  auto body = [](const std::string& life) {
    return "sites: [{id: sh-03}]\n"
           "demand:\n"
           "  - {id: training, per_month: 744, unmet_penalty: 100, throughput: {H20: 1}}\n"
           "purchases:\n"
           "  - {id: h20, model: H20, unit_price: 10000, supply_per_month: 1" +
           life + "}\n";
  };
  const Plan short_life = Solve(Load("plan_life_10", body(", useful_life_months: 10")));
  ASSERT_EQ(short_life.status, "optimal");
  EXPECT_NEAR(short_life.objective, 1000, 1e-6);
  const Plan default_life = Solve(Load("plan_life_default", body("")));
  ASSERT_EQ(default_life.status, "optimal");
  EXPECT_NEAR(default_life.objective, 10000.0 / 60, 1e-6);
}

// A take-or-pay commitment of 80 H20s (800,000) against a budget of 500,000: no plan. The
// elastic program prefers to fall short on the commitment (1/80 per unit) over exceeding the
// budget (10,000 / 500,000 per unit): 500,000 buys 50, 30 short.
TEST(PlanTest, ACommitmentBeyondTheBudgetIsInfeasibleAndExplained) {
  const Plan p = Solve(Load("plan_infeasible",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, lot: 8,\n"
                            "     supply_per_month: 800, committed_units: 80}\n"
                            "budget: {total: 500000}\n"));
  EXPECT_EQ(p.status, "infeasible");
  EXPECT_FALSE(p.has_plan());
  EXPECT_THAT(p.rows, IsEmpty());
  EXPECT_THAT(p.conflicts, Contains("commitment 'h20' would fall short by 30 (limit 80)"));
  EXPECT_THAT(p.conflicts, Contains("budget 'total' holds against it"));
}

// Only whole lots make this one infeasible: 12 committed H20s in lots of 8 need 2 lots
// (160,000) against 130,000, though 1.5 lots (120,000) would fit. The elastic program is then
// solved with lots: exceeding the budget by 30,000 costs 30,000 / 130,000 = 0.23 of it,
// falling 4 short of the commitment 4 / 12 = 0.33.
TEST(PlanTest, WholeLotsAloneCanMakeACommitmentInfeasible) {
  const Plan p = Solve(Load("plan_infeasible_lots",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H20: 1}}\n"
                            "purchases:\n"
                            "  - {id: h20, model: H20, unit_price: 10000, lot: 8,\n"
                            "     supply_per_month: 800, committed_units: 12}\n"
                            "budget: {total: 130000}\n"));
  EXPECT_EQ(p.status, "infeasible");
  // Fails before: the lot size, the cause, went unnamed.
  EXPECT_THAT(p.conflicts,
              ElementsAre("budget 'total' would be exceeded by 30000 (limit 130000)",
                          "only whole lots make it infeasible (a plan in fractions of lots would "
                          "fit): 'h20' comes in lots of 8"));
}

// Six A800s already at a site that holds four, and nothing to sell them to: no plan, and the
// explanation says the accelerators already there are the cause (fails before: it gave only
// "site capacity 'sh-03' in 2025-01 would be exceeded by 2 (limit 4)").
TEST(PlanTest, ExistingUnitsOverASiteCapacityAreNamed) {
  const Plan p = Solve(Load("plan_infeasible_existing",
                            "sites: [{id: sh-03, capacity: 4}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1000, unmet_penalty: 1,\n"
                            "     throughput: {A800: 1}}\n",
                            "", SaleFleet("2024-06-01", 6)));
  EXPECT_EQ(p.status, "infeasible");
  EXPECT_THAT(p.conflicts,
              Contains("site capacity 'sh-03' in 2025-01 would be exceeded by 2 (limit 4): 6 "
                       "accelerators are already there"));
}

TEST(PlanTest, ARentalCommitmentAboveItsCapacityIsInfeasible) {
  const Plan p = Solve(Load("plan_rental_infeasible",
                            "sites: [{id: sh-03}]\n"
                            "demand:\n"
                            "  - {id: training, per_month: 1e6, unmet_penalty: 10,\n"
                            "     throughput: {H100: 1}}\n"
                            "rentals:\n"
                            "  - {id: h100-my, provider: Tanjung, country: MY, model: H100,\n"
                            "     price_per_hour: 2, max_units: 5, committed_units: 8}\n"));
  EXPECT_EQ(p.status, "infeasible");
  std::string all;
  for (const std::string& c : p.conflicts) all += c + "\n";
  EXPECT_THAT(all, HasSubstr("rental commitment 'h100-my'"));
  EXPECT_THAT(all, HasSubstr("rental capacity 'h100-my'"));
}

TEST(PlanTest, MonthRunsJoinConsecutiveMonths) {
  EXPECT_EQ(FormatMonthRuns({}), "");
  EXPECT_EQ(FormatMonthRuns({"2025-04"}), "2025-04");
  EXPECT_EQ(FormatMonthRuns({"2025-01", "2025-02", "2025-03", "2025-07"}),
            "2025-01..2025-03, 2025-07");
  EXPECT_EQ(FormatMonthRuns({"2025-11", "2025-12", "2026-01", "2026-03", "2026-04"}),
            "2025-11..2026-01, 2026-03..2026-04");
}

TEST(PlanTest, OptionsOverrideTheScenarioSolverSettings) {
  const Scenario s = Load("plan_options", kBudgetBound);
  EXPECT_FALSE(MakePlan(s, PlanOptions{0.0, std::nullopt}).ok());
  EXPECT_FALSE(MakePlan(s, PlanOptions{std::nullopt, -1.0}).ok());
  const Result<Plan> p = MakePlan(s, PlanOptions{5.0, 1.0});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->status, "optimal");
}

// What-if changes on the budget-bound scenario (5 lots of H20 for 430,000).
class WhatIfTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = Load("plan_what_if", kBudgetBound, "", fixtures::kFleet, 1); }

  Scenario Apply(const std::string& yaml) {
    Result<Scenario> s = ApplyWhatIf(base_, yaml, "whatif.yaml", "");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : base_;
  }

  Scenario base_;
};

TEST_F(WhatIfTest, MoreBudgetBuysMoreAndServesNoLess) {
  const Plan before = Solve(base_);
  const Plan after = Solve(Apply("budget: {total: 830000}\n"));  // 10 lots (11 = 880,000)
  EXPECT_DOUBLE_EQ(before.purchased_units, 40);
  EXPECT_DOUBLE_EQ(after.purchased_units, 80);
  EXPECT_GE(after.classes[0].served[0], before.classes[0].served[0]);
  EXPECT_NEAR(after.classes[0].served[0], 80 * 744, 1e-6);
  EXPECT_LT(after.objective, before.objective);
  EXPECT_DOUBLE_EQ(*base_.budget.total, 430000);  // the base is not changed
}

TEST_F(WhatIfTest, ASupplyCutBindsInsteadOfTheBudget) {
  // 800 x 0.025 = 20 a month: two lots.
  const Plan p = Solve(Apply("supply:\n  - {option: h20, factor: 0.025}\n"));
  EXPECT_DOUBLE_EQ(p.purchased_units, 16);
  EXPECT_NE(Binding(p, "supply 'h20'"), nullptr);
  EXPECT_EQ(Binding(p, "budget 'total'"), nullptr);
  EXPECT_EQ(base_.purchases[0].supply, std::vector<double>{800});
}

TEST_F(WhatIfTest, PriceAndLeadTimeChanges) {
  // Half the price: 430,000 buys 10 lots of 40,000.
  EXPECT_DOUBLE_EQ(Solve(Apply("prices:\n  - {option: h20, factor: 0.5}\n")).purchased_units, 80);
  // A month's lead time in a one-month horizon: nothing arrives in time.
  const Plan late = Solve(Apply("lead_times:\n  - {option: h20, lead_months: 1}\n"));
  EXPECT_DOUBLE_EQ(late.purchased_units, 0);
  EXPECT_NEAR(late.classes[0].served[0], 0, 1e-9);
}

TEST_F(WhatIfTest, ARuleChangeFileIsOneOverlay) {
  const Scenario s =
      Apply(fixtures::RuleFile({fixtures::Prohibit("TEST-NO-H20", kH20, "CN", "2024-06-01")}));
  EXPECT_THAT(s.rules_name, HasSubstr("whatif.yaml"));
  const Plan p = Solve(s);
  EXPECT_DOUBLE_EQ(p.purchased_units, 0);
  ASSERT_FALSE(p.rule_notes.empty());
  EXPECT_EQ(p.rule_notes[0].rules, "TEST-NO-H20");
  EXPECT_DOUBLE_EQ(Solve(base_).purchased_units, 40);
}

TEST_F(WhatIfTest, BudgetInAnotherCurrencyIsConverted) {
  const fixtures::ScenarioDir dir("plan_what_if_cny");
  Result<Scenario> base =
      dir.Load(fixtures::Header(1) + "exchange_rates: {CNY: 0.14}\n" + kSolver + kBudgetBound);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  const Result<Scenario> s = ApplyWhatIf(*base, "budget: {total: \"5e6 CNY\"}\n", "w.yaml", "");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NEAR(*s->budget.total, 5e6 * 0.14, 1e-6);
}

// The base with three months, supply 800 a month.
Scenario ThreeMonths() {
  return Load("plan_what_if_months", kBudgetBound, "", fixtures::kFleet, 3);
}

std::vector<double> SupplyAfter(const Scenario& base, const std::string& change) {
  const Result<Scenario> s = ApplyWhatIf(base, change, "w.yaml", "");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? s->purchases[0].supply : std::vector<double>{};
}

TEST_F(WhatIfTest, SupplyChangeAppliesToTheMonthsItNames) {
  const Scenario base = ThreeMonths();
  EXPECT_EQ(SupplyAfter(base,
                        "supply: [{option: h20, factor: 0.5, from: 2025-02-01, "
                        "to: 2025-02-28}]\n"),
            (std::vector<double>{800, 400, 800}));
  EXPECT_EQ(SupplyAfter(base, "supply: [{option: h20, factor: 0.5, from: 2025-02-15}]\n"),
            (std::vector<double>{800, 400, 400}));
  EXPECT_EQ(SupplyAfter(base, "supply: [{option: h20, factor: 2, to: 2025-01-31}]\n"),
            (std::vector<double>{1600, 800, 800}));
  EXPECT_EQ(SupplyAfter(base, "supply: [{option: h20, factor: 0, from: 2024-01-01}]\n"),
            (std::vector<double>{0, 0, 0}));
}

// A change that starts after the horizon, or ends before it, changes no month of it.
// Fails: MonthOf (what_if.cc) clamps a date after the horizon to its last month and one
// before the horizon to its first.
TEST_F(WhatIfTest, SupplyChangeOutsideTheHorizonChangesNothing) {
  const Scenario base = ThreeMonths();
  EXPECT_EQ(SupplyAfter(base, "supply: [{option: h20, factor: 0, from: 2030-01-01}]\n"),
            (std::vector<double>{800, 800, 800}));
  EXPECT_EQ(SupplyAfter(base, "supply: [{option: h20, factor: 0, to: 2024-06-30}]\n"),
            (std::vector<double>{800, 800, 800}));
}

// A factor may not take a value past what the scenario reader accepts (docs/planner.md,
// "Limits on values"): the solver would see what the reader refuses.
TEST_F(WhatIfTest, FactorsAreBounded) {
  Result<Scenario> s =
      ApplyWhatIf(base_, "prices:\n  - {option: h20, factor: 5000}\n", "whatif.yaml", "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "whatif.yaml:2:27: factor: expected at most 1000 times the scenario's value, got 5000");
}

TEST_F(WhatIfTest, UnknownOptionsAndAreasAreErrors) {
  Result<Scenario> s =
      ApplyWhatIf(base_, "supply:\n  - {option: h21, factor: 0.5}\n", "whatif.yaml", "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "whatif.yaml:2:14: option: 'h21' is not a purchase or rental option of the scenario");
  s = ApplyWhatIf(base_, "budget: {home: 1e6}\n", "whatif.yaml", "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "whatif.yaml:1:16: home: 'home' is not a budget area of the scenario");
  s = ApplyWhatIf(base_, "descripton: typo\n", "whatif.yaml", "");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("whatif.yaml:1:1: descripton: unknown key"));
}

}  // namespace
}  // namespace gpufleet::planner
