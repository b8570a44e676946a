// Reading scenario files: the shipped example (examples/planner/plan-2025.yaml) as the planner
// sees it, and strict rejection of malformed scenarios, each message naming the file, line,
// column and field ("plan.yaml:17:17: purchase 'h20': unit_price: ...").

#include "gpufleet/planner/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "planner/scenario_files.h"

namespace gpufleet::planner {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kExample = std::string(GPUFLEET_SOURCE_DIR) + "/examples/planner/plan-2025.yaml";

const PurchaseOption* FindPurchase(const Scenario& s, const std::string& id) {
  for (const PurchaseOption& p : s.purchases) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// Units in service per month of the existing group (site, model), or empty when none.
std::vector<double> Existing(const Scenario& s, const std::string& site, const std::string& model) {
  for (const ExistingGroup& g : s.existing) {
    if (g.site == site && g.model->id == model) return g.units;
  }
  return {};
}

class ExampleScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Scenario> s = LoadScenario(kExample);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    s_ = std::move(s).value();
  }
  Scenario s_;
};

TEST_F(ExampleScenarioTest, HorizonCurrencyAndSections) {
  EXPECT_EQ(s_.name, "acme-2025");
  EXPECT_EQ(s_.currency, "USD");
  EXPECT_EQ(s_.start.ToString(), "2025-01-01");
  EXPECT_EQ(s_.months, 12);
  EXPECT_EQ(s_.organisation, "acme");
  EXPECT_EQ(s_.life_months, 60);
  ASSERT_EQ(s_.classes.size(), 4u);
  EXPECT_EQ(s_.classes[0].id, "training");
  EXPECT_EQ(s_.classes[3].id, "external");
  EXPECT_GE(s_.purchases.size(), 6u);  // the six checked below, by id
  EXPECT_EQ(s_.rentals.size(), 3u);
  EXPECT_EQ(s_.sales.size(), 1u);
  EXPECT_EQ(s_.sites.size(), 4u);
  EXPECT_EQ(s_.MonthLabel(0), "2025-01");
  EXPECT_EQ(s_.MonthLabel(11), "2025-12");
  EXPECT_DOUBLE_EQ(s_.MonthHours(0), 31 * 24);  // January
  EXPECT_DOUBLE_EQ(s_.MonthHours(1), 28 * 24);  // February 2025
  EXPECT_DOUBLE_EQ(s_.solver.time_limit_s, 20);
  EXPECT_DOUBLE_EQ(s_.solver.gap_pct, 0.5);
}

TEST_F(ExampleScenarioTest, DemandSeriesAndThroughputByCatalogId) {
  const DemandClass& training = s_.classes[0];
  ASSERT_EQ(training.demand.size(), 12u);
  EXPECT_DOUBLE_EQ(training.demand[0], 3.0e8);
  EXPECT_DOUBLE_EQ(training.demand[11], 4.1e8);
  EXPECT_DOUBLE_EQ(training.unmet_penalty, 3.5);
  EXPECT_TRUE(training.countries.empty());
  // Aliases in the file, catalog ids in the scenario.
  EXPECT_DOUBLE_EQ(training.throughput.at("nvidia-h200-sxm-141gb"), 1.3);
  EXPECT_DOUBLE_EQ(training.throughput.at("huawei-ascend-910c"), 0.8);
  EXPECT_EQ(training.throughput.count("bytedance-broadcom-5nm-asic"), 0u);
  // A scalar per_month is the same demand in every month.
  const DemandClass& recommendation = s_.classes[2];
  EXPECT_EQ(recommendation.demand, std::vector<double>(12, 1.5e8));
  EXPECT_THAT(recommendation.countries, ElementsAre("CN"));
}

TEST_F(ExampleScenarioTest, PricesAreConvertedAndDomesticFlagsComeFromTheCatalog) {
  const PurchaseOption* c910 = FindPurchase(s_, "ascend-910c");
  ASSERT_NE(c910, nullptr);
  // "180000 CNY" at 0.138 USD per yuan.
  EXPECT_THAT(c910->unit_price, DoubleNear(180000 * 0.138, 1e-6));
  EXPECT_EQ(c910->lead_months, 2);
  EXPECT_EQ(c910->lot, 8);
  EXPECT_DOUBLE_EQ(c910->supply[0], 0);
  EXPECT_DOUBLE_EQ(c910->supply[2], 10000);
  const PurchaseOption* h20 = FindPurchase(s_, "h20");
  ASSERT_NE(h20, nullptr);
  EXPECT_DOUBLE_EQ(h20->unit_price, 13000);  // no unit_price: the catalog's price_usd
  EXPECT_EQ(h20->supply, std::vector<double>(12, 30000));
  EXPECT_EQ(h20->ships_from, "US");  // the designer's country
  EXPECT_TRUE(h20->sites.empty());
  const PurchaseOption* asic = FindPurchase(s_, "asic");
  ASSERT_NE(asic, nullptr);
  EXPECT_THAT(asic->sites, ElementsAre("sh-03", "gz-hub"));
  EXPECT_EQ(asic->lot, 16);

  // Domestic in CN: the Ascend and Cambricon parts; not the NVIDIA parts nor ByteDance's
  // TSMC-made ASIC.
  const std::map<std::string, bool> domestic = {{"h20", false},        {"h200", false},
                                                {"ascend-910b", true}, {"ascend-910c", true},
                                                {"mlu590", true},      {"asic", false}};
  for (const auto& [id, want] : domestic) {
    const PurchaseOption* p = FindPurchase(s_, id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ(p->domestic, want) << id;
  }
  EXPECT_THAT(s_.rentals[0].price_per_hour, DoubleNear(2.6, 1e-12));
  EXPECT_EQ(s_.rentals[0].max_units.size(), 12u);
  EXPECT_DOUBLE_EQ(s_.sales[0].unit_price, 8000);
  EXPECT_THAT(s_.sales[0].models, ElementsAre("nvidia-a800-sxm4-80gb"));
}

TEST_F(ExampleScenarioTest, BudgetAreasTakeSitesAndRentalsByCountry) {
  ASSERT_TRUE(s_.budget.total.has_value());
  EXPECT_DOUBLE_EQ(*s_.budget.total, 12e9);
  ASSERT_EQ(s_.budget.areas.size(), 2u);
  EXPECT_EQ(s_.budget.areas[0].id, "home");
  EXPECT_DOUBLE_EQ(s_.budget.areas[0].amount, 5.5e9);
  EXPECT_TRUE(s_.budget.areas[1].countries.empty());  // abroad takes the rest
  ASSERT_TRUE(s_.budget.domestic_min_pct.has_value());
  EXPECT_DOUBLE_EQ(*s_.budget.domestic_min_pct, 60);
  EXPECT_EQ(s_.budget.domestic_basis, ShareBasis::kCount);
  EXPECT_EQ(s_.budget.domestic_jurisdiction, "CN");
  EXPECT_EQ(s_.AreaOf("CN"), "home");
  EXPECT_EQ(s_.AreaOf("HK"), "home");
  EXPECT_EQ(s_.AreaOf("MY"), "abroad");
  std::map<std::string, std::string> site_area;
  std::map<std::string, double> order_cost;
  for (const PlanSite& ps : s_.sites) {
    site_area[ps.site->id] = ps.area;
    order_cost[ps.site->id] = ps.order_cost;
  }
  EXPECT_EQ(site_area["sh-03"], "home");
  EXPECT_EQ(site_area["sg-01"], "abroad");
  EXPECT_DOUBLE_EQ(order_cost["gz-hub"], 3e6);  // the document's order_cost
  for (const RentalOption& r : s_.rentals) EXPECT_EQ(r.area, "abroad") << r.id;
}

TEST_F(ExampleScenarioTest, ExistingFleetIsGroupedBySiteAndModel) {
  // examples/planner/assets.csv: 512 A800 at sh-03 (2021-03-15), 1024 H20 at sh-03
  // (2024-06-10), 512 H20 at bj-01 (2024-09-02), 768 Ascend 910B at gz-hub (2024-03-20).
  // With 60-month lives the oldest (the A800s) serve until 2026-03-15, so every month of
  // 2025 has all of them.
  EXPECT_EQ(s_.existing.size(), 4u);
  EXPECT_EQ(Existing(s_, "sh-03", "nvidia-a800-sxm4-80gb"), std::vector<double>(12, 512));
  EXPECT_EQ(Existing(s_, "sh-03", "nvidia-h20-96gb"), std::vector<double>(12, 1024));
  EXPECT_EQ(Existing(s_, "bj-01", "nvidia-h20-96gb"), std::vector<double>(12, 512));
  EXPECT_EQ(Existing(s_, "gz-hub", "huawei-ascend-910b"), std::vector<double>(12, 768));
  for (const ExistingGroup& g : s_.existing) {
    if (g.model->id == "nvidia-a800-sxm4-80gb") {
      EXPECT_EQ(g.acquired.ToString(), "2021-03-15");
    }
  }
}

TEST_F(ExampleScenarioTest, RuleOverlaysAreLayeredOnTheShippedRules) {
  ASSERT_NE(s_.rules, nullptr);
  EXPECT_THAT(s_.rules_name, HasSubstr("h200-announcement.yaml"));
  EXPECT_FALSE(s_.rules_yaml.empty());
  ASSERT_NE(s_.catalog, nullptr);
  ASSERT_NE(s_.fleet, nullptr);
  EXPECT_NE(s_.fleet->FindSite("sg-01"), nullptr);
}

// Existing units retire life_months after they were acquired. A unit counts for a month when
// the month starts before its retirement date.
TEST(ScenarioTest, ExistingUnitsRetireAfterTheirLife) {
  const fixtures::ScenarioDir dir("planner_retire");
  const std::string fleet = std::string(fixtures::kFleet) +
                            "assets:\n"
                            "  - {serial: A1, model: A800, site: sh-03, owner: acme, operator: "
                            "acme, holding: owned, acquired: 2021-03-15, arrival: export, "
                            "from_country: TW}\n"
                            "  - {serial: A2, model: A800, site: sh-03, owner: acme, operator: "
                            "acme, holding: owned, acquired: 2021-05-01, arrival: export, "
                            "from_country: TW}\n"
                            "  - {serial: A3, model: A800, site: sg-01, owner: northstar, "
                            "operator: northstar, holding: owned, acquired: 2024-01-01, arrival: "
                            "export, from_country: TW}\n";
  const Result<Scenario> s =
      dir.Load(fixtures::Header(5, "2026-01-01") +
                   "demand:\n"
                   "  - {id: training, per_month: 1, unmet_penalty: 1, throughput: {A800: 1}}\n",
               fleet);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // A1 retires 2026-03-15 (in service Jan-Mar), A2 on 2026-05-01 (Jan-Apr): two groups, one
  // per retirement month, so a sale never outlives the units sold. A3 belongs to another
  // organisation and is not the plan's.
  ASSERT_EQ(s->existing.size(), 2u);
  EXPECT_EQ(s->existing[0].units, (std::vector<double>{1, 1, 1, 0, 0}));
  EXPECT_EQ(s->existing[0].retires, 3);
  EXPECT_EQ(s->existing[0].acquired.ToString(), "2021-03-15");
  EXPECT_EQ(s->existing[1].units, (std::vector<double>{1, 1, 1, 1, 0}));
  EXPECT_EQ(s->existing[1].retires, 4);
}

TEST(ScenarioTest, CatalogPriceInAnotherReportingCurrency) {
  const fixtures::ScenarioDir dir("planner_cny");
  const Result<Scenario> s =
      dir.Load(fixtures::Header(2) +
               "currency: CNY\n"
               "exchange_rates: {USD: 7.2}\n"
               "demand:\n"
               "  - {id: training, per_month: 1, unmet_penalty: 1, throughput: {H20: 1}}\n"
               "purchases:\n"
               "  - {id: h20, model: H20, supply_per_month: 8}\n"
               "  - {id: ascend, model: Ascend 910B, unit_price: 120000, supply_per_month: 8}\n"
               "budget: {total: \"1e6 USD\"}\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->currency, "CNY");
  EXPECT_DOUBLE_EQ(s->purchases[0].unit_price, 13000 * 7.2);  // catalog price_usd, converted
  EXPECT_DOUBLE_EQ(s->purchases[1].unit_price, 120000);       // already in CNY
  EXPECT_DOUBLE_EQ(*s->budget.total, 7.2e6);
  // Without sites: every site of the fleet, none with an order cost.
  EXPECT_EQ(s->sites.size(), 3u);
  EXPECT_FALSE(s->purchases[0].domestic);
  EXPECT_TRUE(s->purchases[1].domestic);
}

// A valid scenario; each case below edits it. Line numbers in the cases refer to this text.
constexpr char kValid[] =
    "name: parse-test\n"                                // 1
    "start: 2025-01-01\n"                               // 2
    "months: 3\n"                                       // 3
    "organisation: acme\n"                              // 4
    "fleet: fleet.yaml\n"                               // 5
    "rules: rules.yaml\n"                               // 6
    "currency: USD\n"                                   // 7
    "exchange_rates: {CNY: 0.14}\n"                     // 8
    "demand:\n"                                         // 9
    "  - id: training\n"                                // 10
    "    per_month: [100, 200, 300]\n"                  // 11
    "    unmet_penalty: 5\n"                            // 12
    "    throughput: {H20: 1.0, Ascend 910B: 0.5}\n"    // 13
    "purchases:\n"                                      // 14
    "  - id: h20\n"                                     // 15
    "    model: H20\n"                                  // 16
    "    unit_price: 10000\n"                           // 17
    "    lot: 8\n"                                      // 18
    "    supply_per_month: 80\n"                        // 19
    "    sites: [sh-03]\n"                              // 20
    "  - id: ascend\n"                                  // 21
    "    model: Ascend 910B\n"                          // 22
    "    unit_price: \"100000 CNY\"\n"                  // 23
    "    supply_per_month: [8, 8, 8]\n"                 // 24
    "sales:\n"                                          // 25
    "  - id: used\n"                                    // 26
    "    buyer: northstar\n"                            // 27
    "    unit_price: 5000\n"                            // 28
    "budget:\n"                                         // 29
    "  total: 1e6\n"                                    // 30
    "  areas:\n"                                        // 31
    "    - {id: home, countries: [CN], amount: 6e5}\n"  // 32
    "    - {id: abroad, amount: 4e5}\n"                 // 33
    "  domestic_share: {min_pct: 50}\n";                // 34
// The catalog (an absolute path) goes last, so it shifts no line.

std::string WithCatalog(const std::string& text) {
  return text + "catalog: " + fixtures::kCatalogPath + "\n";
}

TEST(ScenarioTest, TheValidScenarioLoads) {
  const fixtures::ScenarioDir dir("planner_valid");
  const Result<Scenario> s = dir.Load(WithCatalog(kValid));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->classes[0].demand, (std::vector<double>{100, 200, 300}));
  EXPECT_THAT(s->purchases[1].unit_price, DoubleNear(14000, 1e-6));
  EXPECT_EQ(s->purchases[1].lot, 1);  // default
  EXPECT_EQ(s->purchases[1].lead_months, 0);
  EXPECT_EQ(s->purchases[0].supply, std::vector<double>(3, 80));
  EXPECT_EQ(s->file, dir.path() + "/plan.yaml");
}

struct BadCase {
  const char* name;
  const char* from;  // replaced (first occurrence) in kValid
  const char* to;
  const char* want;  // the whole message after the directory
};

const BadCase kBadCases[] = {
    {"UnknownTopLevelKey", "currency: USD\n", "currncy: USD\n",
     "plan.yaml:7:1: currncy: unknown key (known: name currency exchange_rates start months "
     "organisation fleet catalog rules rule_overlays life_months order_cost sites demand "
     "purchases rentals sales budget solver)"},
    {"UnknownModelInThroughput", "Ascend 910B: 0.5}", "H2O: 0.5}",
     "plan.yaml:13:28: demand class 'training': throughput: unknown model 'H2O' (not in the "
     "catalog)"},
    {"SeriesOfTheWrongLength", "[100, 200, 300]", "[100, 200]",
     "plan.yaml:11:16: demand class 'training': per_month: expected one number per month of "
     "the horizon (3), got 2"},
    {"NegativeNumberInASeries", "[100, 200, 300]", "[100, -200, 300]",
     "plan.yaml:11:22: demand class 'training': per_month: expected a number >= 0, got -200"},
    {"NegativePrice", "unit_price: 10000", "unit_price: -10000",
     "plan.yaml:17:17: purchase 'h20': unit_price: expected an amount >= 0, got '-10000'"},
    {"UnknownCurrency", "unit_price: 10000", "unit_price: 5 EUR",
     "plan.yaml:17:17: purchase 'h20': unit_price: unknown currency 'EUR' (give its rate in "
     "USD under exchange_rates)"},
    {"StartNotFirstOfMonth", "start: 2025-01-01", "start: 2025-01-15",
     "plan.yaml:2:8: start: expected the first day of a month, got 2025-01-15"},
    {"MonthsOutOfRange", "months: 3", "months: 0",
     "plan.yaml:3:9: months: expected 1 to 120 months"},
    {"PurchaseSiteNotInThePlan", "sites: [sh-03]", "sites: [hk-01]",
     "plan.yaml:15:3: purchases: purchase 'h20' (line 15): 'hk-01' is not a site of the plan"},
    {"DuplicateId", "  - id: ascend\n", "  - id: h20\n",
     "plan.yaml:21:9: id: 'h20' is already the id of the purchase on line 15"},
    {"MissingRequiredKey", "    unmet_penalty: 5\n", "",
     "plan.yaml:10:5: demand class 'training': unmet_penalty: missing; every demand class needs "
     "one"},
    {"MissingTopLevelKey", "organisation: acme\n", "",
     "plan.yaml:1:1: organisation: missing; a scenario needs one"},
    {"UnknownSaleBuyer", "buyer: northstar", "buyer: southstar",
     "plan.yaml:27:12: sale 'used': buyer: 'southstar' is not an organisation of the fleet "
     "file"},
    {"UnknownPurchaseModel", "model: H20", "model: H2O",
     "plan.yaml:16:12: purchase 'h20': model: unknown model 'H2O' (not in the catalog)"},
    {"UnknownPurchaseKey", "    lot: 8\n", "    lots: 8\n",
     "plan.yaml:18:5: purchase 'h20': lots: unknown key (known: id model vendor unit_price lot "
     "lead_months supply_per_month sites ships_from committed_units "
     "useful_life_months)"},
    {"LotBelowOne", "lot: 8", "lot: 0",
     "plan.yaml:18:10: purchase 'h20': lot: expected an integer from 1 to 10000, got 0"},
    {"SiteInNoBudgetArea", "    - {id: abroad, amount: 4e5}\n",
     "    - {id: abroad, countries: [US], amount: 4e5}\n",
     "plan.yaml:30:3: budget: site 'sg-01' (SG) is in no budget area; add its country to an "
     "area or an area without countries"},
    {"DomesticShareOver100", "min_pct: 50", "min_pct: 150",
     "plan.yaml:34:29: min_pct: expected at most 100 percent, got 150"},
    {"UnknownOrganisation", "organisation: acme", "organisation: acme-hk",
     "plan.yaml:4:15: organisation: 'acme-hk' is not an organisation of the fleet file"},
    // Two upper-case letters are not enough: no country is UK or XX.
    {"UnassignedAreaCountry", "countries: [CN]", "countries: [CN, UK]",
     "plan.yaml:32:34: budget area 'home': countries: 'UK' is not an ISO 3166-1 alpha-2 country "
     "code (did you mean GB, United Kingdom?)"},
    {"UnassignedShipsFrom", "    lot: 8\n", "    lot: 8\n    ships_from: XX\n",
     "plan.yaml:19:17: purchase 'h20': ships_from: 'XX' is not an ISO 3166-1 alpha-2 country "
     "code"},
    {"UnassignedDomesticJurisdiction", "{min_pct: 50}", "{min_pct: 50, jurisdiction: EU}",
     "plan.yaml:34:47: jurisdiction: 'EU' is not an ISO 3166-1 alpha-2 country code"},
    // Magnitudes the solver cannot take are input errors, each naming its limit (before, a
    // demand of 1e22 aborted the process inside CBC's presolve).
    {"DemandAboveTheLimit", "[100, 200, 300]", "[100, 1e22, 300]",
     "plan.yaml:11:22: demand class 'training': per_month: expected at most 1e+09 "
     "accelerator-hours a month, got 1e+22"},
    {"DemandInTppHoursAboveItsLimit", "[100, 200, 300]", "1e15\n    unit: tpp_hours",
     "plan.yaml:11:16: demand class 'training': per_month: expected at most 1e+14 TPP-hours a "
     "month, got 1e+15"},
    {"PenaltyAboveTheLimit", "unmet_penalty: 5", "unmet_penalty: 1e7",
     "plan.yaml:12:20: demand class 'training': unmet_penalty: expected at most 1e+06 per unit "
     "of demand, got 1e+07"},
    {"ThroughputTooSmall", "Ascend 910B: 0.5}", "Ascend 910B: 1e-9}",
     "plan.yaml:13:41: demand class 'training': Ascend 910B: expected a relative "
     "throughput from 0.001 to 1000, got 1e-9"},
    {"PriceAboveTheLimit", "unit_price: 10000", "unit_price: 2e9",
     "plan.yaml:17:17: purchase 'h20': unit_price: expected at most 1e+09 per accelerator, got "
     "2e+09"},
    {"ConvertedPriceAboveTheLimit", "100000 CNY", "1e10 CNY",
     "plan.yaml:23:17: purchase 'ascend': unit_price: expected at most 1e+09 per accelerator, "
     "got 1.4e+09"},
    {"SupplyAboveTheLimit", "supply_per_month: 80", "supply_per_month: 1e8",
     "plan.yaml:19:23: purchase 'h20': supply_per_month: expected at most 1e+07 accelerators a "
     "month, got 1e+08"},
    {"LotAboveTheLimit", "lot: 8", "lot: 100000",
     "plan.yaml:18:10: purchase 'h20': lot: expected an integer from 1 to 10000, got 100000"},
    {"SalePriceAboveTheLimit", "unit_price: 5000", "unit_price: 1e12",
     "plan.yaml:28:17: sale 'used': unit_price: expected at most 1e+09 per accelerator, got "
     "1e+12"},
    {"BudgetAboveTheLimit", "total: 1e6", "total: 1e14",
     "plan.yaml:30:10: total: expected at most 1e+13 in the scenario currency, got 1e+14"},
    {"RateOutOfRange", "{CNY: 0.14}", "{CNY: 1e-9}",
     "plan.yaml:8:23: CNY: expected a rate from 1e-06 to 1e+06 units of the scenario currency "
     "per unit, got 1e-09"},
    {"UsefulLifeOfZero", "    lot: 8\n", "    lot: 8\n    useful_life_months: 0\n",
     "plan.yaml:19:25: purchase 'h20': useful_life_months: expected an integer from 1 to 240, "
     "got 0"},
    {"UsefulLifeOver240", "    lot: 8\n", "    lot: 8\n    useful_life_months: 241\n",
     "plan.yaml:19:25: purchase 'h20': useful_life_months: expected an integer from 1 to 240, "
     "got 241"},
    // Names go into JSON, CSV and SVG: a NUL or U+FFFF from a YAML escape made invalid XML.
    {"ControlCharacterInAnId", "  - id: ascend\n", "  - id: \"asc\\0end\"\n",
     "plan.yaml:21:9: id: contains the control character U+0000 at byte 3; expected printable "
     "text"},
    {"NonCharacterInTheName", "name: parse-test", "name: \"parse\\uFFFFtest\"",
     "plan.yaml:1:7: name: contains the non-character U+FFFE or U+FFFF at byte 5; expected "
     "printable text"},
};

class BadScenarioTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenarioTest, IsRejectedNamingTheFileLineAndField) {
  const BadCase& c = GetParam();
  std::string text = kValid;
  const size_t at = text.find(c.from);
  ASSERT_NE(at, std::string::npos) << c.from;
  text.replace(at, std::string(c.from).size(), c.to);
  const fixtures::ScenarioDir dir("planner_bad");
  const Result<Scenario> s = dir.Load(WithCatalog(text));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.status().message(), dir.path() + "/" + c.want);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadScenarioTest, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& param) {
                           return std::string(param.param.name);
                         });

TEST(ScenarioTest, ParseScenarioNamesTheGivenFileAndResolvesAgainstTheBaseDir) {
  const fixtures::ScenarioDir dir("planner_parse");
  dir.Write("fleet.yaml", fixtures::kFleet);
  dir.Write("rules.yaml", fixtures::kNoRules);
  std::string text = WithCatalog(kValid);
  const Result<Scenario> ok = ParseScenario(text, "inline.yaml", dir.path());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->name, "parse-test");
  EXPECT_EQ(ok->fleet->sites().size(), 3u);

  text.replace(text.find("months: 3"), 9, "months: three");
  const Result<Scenario> bad = ParseScenario(text, "inline.yaml", dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), StartsWith("inline.yaml:3:9: months: "));

  // Relative paths resolve against the base directory, not the working directory.
  const Result<Scenario> elsewhere = ParseScenario(WithCatalog(kValid), "inline.yaml", "/");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_THAT(elsewhere.status().ToString(), HasSubstr("fleet.yaml"));
}

TEST(ScenarioTest, AFleetThatIsADirectoryIsAnErrorAtItsKey) {
  const fixtures::ScenarioDir dir("planner_fleet_dir");
  std::filesystem::create_directories(dir.path() + "/fleets");
  std::string text = WithCatalog(kValid);
  text.replace(text.find("fleet: fleet.yaml"), 17, "fleet: fleets");
  const Result<Scenario> s = dir.Load(text);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.status().message(), dir.path() + "/plan.yaml:5:8: fleet: '" + dir.path() +
                                      "/fleets' is a directory; expected a file");
}

TEST(ScenarioTest, AnUnnamedScenarioNeedsAPrintableFileName) {
  const fixtures::ScenarioDir dir("planner_file_name");
  dir.Write("fleet.yaml", fixtures::kFleet);
  dir.Write("rules.yaml", fixtures::kNoRules);
  std::string text = WithCatalog(kValid);
  text.erase(0, text.find('\n') + 1);  // no name: the file name stands in
  const Result<Scenario> named = ParseScenario(text, "plan.yaml", dir.path());
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->name, "plan.yaml");
  const Result<Scenario> bad = ParseScenario(text, "plan\xff.yaml", dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("the file name is not valid UTF-8"));
  EXPECT_THAT(bad.status().message(), HasSubstr("add a name: key"));
}

}  // namespace
}  // namespace gpufleet::planner
