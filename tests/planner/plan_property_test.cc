// Properties every plan must have, checked on seeded random scenarios (1-3 sites, 1-3 models,
// 2-4 months, 1-2 demand classes; random lots, lead times, supply, prices, budgets, areas,
// domestic shares, order costs, site capacities, a rental, existing units that retire and may
// be sold, and a rule that prohibits one model in one country from a random day). The checks
// read only the Plan and what the generator wrote, never the solver's program: spending within
// every budget, supply per option and month, whole lots, sites an option lists, the domestic
// share, demand, hours of the accelerators in service, in-service counts rebuilt from the
// deliveries and sales, nothing delivered, served or sold where the rule forbids it, and the
// objective rebuilt from the plan's quantities.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/planner/plan.h"
#include "planner/scenario_files.h"

namespace gpufleet::planner {
namespace {

struct ModelInfo {
  const char* alias;
  const char* id;
  bool domestic;  // in CN
};
const ModelInfo kModels[] = {{"H20", "nvidia-h20-96gb", false},
                             {"Ascend 910B", "huawei-ascend-910b", true},
                             {"H100", "nvidia-h100-sxm5-80gb", false}};

struct SiteInfo {
  const char* id;
  const char* country;
};
const SiteInfo kSites[] = {{"sh-03", "CN"}, {"bj-01", "CN"}, {"sg-01", "SG"}};

constexpr char kRentalId[] = "h100-my";
constexpr char kRentalCountry[] = "MY";
constexpr char kRuleId[] = "TEST-BLOCK";
constexpr char kExistingSerial[] = "E";

// What the generator wrote, for the checks.
struct Spec {
  int months = 0;
  int start_month = 1;  // of 2025
  int life_months = 60;
  std::vector<int> sites;  // into kSites
  struct Option {
    int model = 0;
    int lot = 1;
    int lead = 0;
    int price = 0;
    std::vector<int> supply;
    std::vector<std::string> sites;  // empty = every plan site
    std::string id;
  };
  std::vector<Option> options;
  struct Class {
    std::string id;
    std::vector<double> demand;
    double penalty = 0;
    std::map<std::string, double> throughput;  // catalog id -> relative throughput
    std::vector<std::string> countries;        // empty = anywhere
  };
  std::vector<Class> classes;
  std::map<std::string, double> order_cost;  // by site
  std::map<std::string, double> capacity;    // by site, when limited
  std::optional<double> total;
  std::optional<double> home;  // areas: home (CN) and abroad (the rest)
  std::optional<double> abroad;
  std::optional<int> domestic_min_pct;
  bool spend_basis = false;
  // The rental (H100 in MY), when offered.
  bool rental = false;
  std::vector<int> rental_units;
  double rental_price = 0;
  // Existing H20s at the first plan site, acquired on `existing_acquired`.
  int existing = 0;
  std::chrono::year_month_day existing_acquired{};
  std::optional<double> sale_price;
  // The rule: kModels[blocked_model] prohibited in blocked_country from month index
  // blocked_from (day blocked_day; < 0: before the horizon, >= months: after it).
  int blocked_model = 0;
  std::string blocked_country;
  int blocked_from = 0;
  int blocked_day = 1;
};

int Draw(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool Coin(std::mt19937& rng) { return Draw(rng, 0, 1) == 1; }

std::chrono::year_month_day MonthStart(const Spec& spec, int t) {
  using namespace std::chrono;
  return year_month_day{year{2025} / month{static_cast<unsigned>(spec.start_month)} / day{1}} +
         months{t};
}

std::string DateText(std::chrono::year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

template <typename T>
std::string List(const std::vector<T>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + Num(values[i]);
  return out + "]";
}

Spec Generate(std::mt19937& rng) {
  Spec s;
  s.months = Draw(rng, 2, 4);
  s.start_month = Coin(rng) ? 1 : 11;
  s.life_months = Draw(rng, 0, 3) == 0 ? 2 : 60;
  for (int i = 0; i < 3; ++i) {
    if (Coin(rng)) s.sites.push_back(i);
  }
  if (s.sites.empty()) s.sites.push_back(Draw(rng, 0, 2));

  std::vector<int> models;
  for (int m = 0; m < 3; ++m) {
    if (Draw(rng, 0, 2) > 0) models.push_back(m);
  }
  if (models.empty()) models.push_back(Draw(rng, 0, 2));
  for (int m : models) {
    Spec::Option o;
    o.model = m;
    o.id = std::string("buy-") + std::to_string(m);
    o.lot = std::vector<int>{1, 2, 4, 8}[static_cast<size_t>(Draw(rng, 0, 3))];
    o.lead = Draw(rng, 0, 1);
    o.price = Draw(rng, 5, 30) * 1000;
    for (int t = 0; t < s.months; ++t) o.supply.push_back(Draw(rng, 0, 40));
    if (s.sites.size() > 1 && Coin(rng)) {
      for (int i : s.sites) {
        if (Coin(rng)) o.sites.push_back(kSites[i].id);
      }
      if (o.sites.empty()) o.sites.push_back(kSites[s.sites[0]].id);
    }
    s.options.push_back(o);
  }

  const int classes = Draw(rng, 1, 2);
  for (int k = 0; k < classes; ++k) {
    Spec::Class c;
    c.id = "class-" + std::to_string(k);
    for (int t = 0; t < s.months; ++t) c.demand.push_back(Draw(rng, 0, 40) * 1000.0);
    c.penalty = Draw(rng, 1, 30);
    for (const ModelInfo& m : kModels) {
      if (Coin(rng)) c.throughput[m.id] = Draw(rng, 3, 15) / 10.0;
    }
    if (c.throughput.empty()) c.throughput[kModels[models[0]].id] = 1;
    if (Draw(rng, 0, 2) == 0) c.countries = {"CN"};
    s.classes.push_back(c);
  }

  for (int i : s.sites) {
    if (Draw(rng, 0, 2) == 0) s.order_cost[kSites[i].id] = Draw(rng, 1, 50) * 1000.0;
  }
  if (Coin(rng)) s.total = Draw(rng, 0, 100) * 10000.0;
  if (Draw(rng, 0, 2) == 0) {
    s.home = Draw(rng, 0, 60) * 10000.0;
    s.abroad = Draw(rng, 0, 60) * 10000.0;
  }
  if (Coin(rng)) {
    s.domestic_min_pct = Draw(rng, 0, 80);
    s.spend_basis = Coin(rng);
  }
  if (Coin(rng)) {
    s.rental = true;
    for (int t = 0; t < s.months; ++t) s.rental_units.push_back(Draw(rng, 0, 10));
    s.rental_price = Draw(rng, 5, 40) / 10.0;
  }
  if (Coin(rng)) {
    using namespace std::chrono;
    s.existing = Draw(rng, 1, 6);
    // Acquired between 61 months before the horizon and 6 months before it: some retire
    // inside the horizon.
    const year_month_day first = MonthStart(s, -Draw(rng, 56, 61));
    s.existing_acquired =
        year_month_day{first.year() / first.month() / day{static_cast<unsigned>(Draw(rng, 1, 28))}};
    if (Coin(rng)) s.sale_price = Draw(rng, 1, 20) * 1000.0;
  }
  for (int i : s.sites) {
    if (Draw(rng, 0, 3) == 0) {
      const int existing_here = (s.existing > 0 && i == s.sites[0]) ? s.existing : 0;
      s.capacity[kSites[i].id] = existing_here + Draw(rng, 0, 40);
    }
  }
  // Mostly a model on offer in a country with a plan site, so that the rule bites.
  const int any_option = Draw(rng, 0, static_cast<int>(s.options.size()) - 1);
  const int any_site = Draw(rng, 0, static_cast<int>(s.sites.size()) - 1);
  s.blocked_model =
      Draw(rng, 0, 4) > 0 ? s.options[static_cast<size_t>(any_option)].model : Draw(rng, 0, 2);
  s.blocked_country =
      Draw(rng, 0, 4) > 0 ? kSites[s.sites[static_cast<size_t>(any_site)]].country : kRentalCountry;
  s.blocked_from = Draw(rng, -1, s.months);
  s.blocked_day = Draw(rng, 1, 28);
  return s;
}

std::string ScenarioYaml(const Spec& s) {
  std::string y = fixtures::Header(s.months, DateText(MonthStart(s, 0)));
  y += "life_months: " + std::to_string(s.life_months) + "\n";
  y += "solver: {time_limit_s: 10}\n";
  y += "sites:\n";
  for (int i : s.sites) {
    const std::string id = kSites[i].id;
    y += "  - {id: " + id;
    if (s.order_cost.count(id)) y += ", order_cost: " + Num(s.order_cost.at(id));
    if (s.capacity.count(id)) y += ", capacity: " + Num(s.capacity.at(id));
    y += "}\n";
  }
  y += "demand:\n";
  for (const Spec::Class& c : s.classes) {
    y += "  - id: " + c.id + "\n";
    y += "    per_month: " + List(c.demand) + "\n";
    y += "    unmet_penalty: " + Num(c.penalty) + "\n";
    y += "    throughput: {";
    bool first = true;
    for (const auto& [model, factor] : c.throughput) {
      y += (first ? "" : ", ") + model + ": " + Num(factor);
      first = false;
    }
    y += "}\n";
    if (!c.countries.empty()) y += "    countries: [CN]\n";
  }
  y += "purchases:\n";
  for (const Spec::Option& o : s.options) {
    y += "  - id: " + o.id + "\n";
    y += "    model: " + std::string(kModels[o.model].alias) + "\n";
    y += "    unit_price: " + Num(o.price) + "\n";
    y += "    lot: " + std::to_string(o.lot) + "\n";
    y += "    lead_months: " + std::to_string(o.lead) + "\n";
    y += "    supply_per_month: " + List(o.supply) + "\n";
    if (!o.sites.empty()) {
      y += "    sites: [";
      for (size_t i = 0; i < o.sites.size(); ++i) y += (i ? ", " : "") + o.sites[i];
      y += "]\n";
    }
  }
  if (s.rental) {
    y += "rentals:\n";
    y += "  - {id: " + std::string(kRentalId) + ", provider: Tanjung, country: " + kRentalCountry +
         ", model: H100, price_per_hour: " + Num(s.rental_price) +
         ", max_units: " + List(s.rental_units) + "}\n";
  }
  if (s.sale_price) {
    y += "sales:\n  - {id: used, buyer: northstar, unit_price: " + Num(*s.sale_price) + "}\n";
  }
  y += "budget:\n";
  if (s.total) y += "  total: " + Num(*s.total) + "\n";
  if (s.home) {
    y += "  areas:\n";
    y += "    - {id: home, countries: [CN], amount: " + Num(*s.home) + "}\n";
    y += "    - {id: abroad, amount: " + Num(*s.abroad) + "}\n";
  }
  if (s.domestic_min_pct) {
    y += "  domestic_share: {min_pct: " + std::to_string(*s.domestic_min_pct) +
         ", basis: " + (s.spend_basis ? "spend" : "count") + "}\n";
  }
  if (y.substr(y.size() - 8) == "budget:\n") y.resize(y.size() - 8);
  return y;
}

std::string FleetYaml(const Spec& s) {
  std::string y = fixtures::kFleet;
  if (s.existing == 0) return y;
  y += "assets:\n";
  for (int i = 0; i < s.existing; ++i) {
    y += "  - {serial: " + std::string(kExistingSerial) + std::to_string(i) +
         ", model: H20, site: " + kSites[s.sites[0]].id +
         ", owner: acme, operator: acme, holding: owned, acquired: " +
         DateText(s.existing_acquired) + ", arrival: export, from_country: TW}\n";
  }
  return y;
}

std::string RulesYaml(const Spec& s) {
  const std::chrono::year_month_day first = MonthStart(s, s.blocked_from);
  const std::chrono::year_month_day from{first.year() / first.month() /
                                         std::chrono::day{static_cast<unsigned>(s.blocked_day)}};
  return fixtures::RuleFile({fixtures::Prohibit(kRuleId, kModels[s.blocked_model].id,
                                                s.blocked_country, DateText(from))});
}

// The checks. `hours[t]` from the calendar, independently of the scenario.
class PlanProperties {
 public:
  PlanProperties(const Spec& spec, const Plan& plan) : s_(spec), p_(plan) {
    for (int t = 0; t < s_.months; ++t) {
      const auto a = std::chrono::sys_days{MonthStart(s_, t)};
      const auto b = std::chrono::sys_days{MonthStart(s_, t + 1)};
      hours_.push_back(24.0 * (b - a).count());
    }
  }

  void CheckAll() {
    ASSERT_TRUE(p_.has_plan()) << p_.status;
    ASSERT_EQ(p_.months.size(), static_cast<size_t>(s_.months));
    CheckRows();
    CheckSupply();
    CheckInService();
    CheckDemand();
    CheckBudgets();
    CheckDomesticShare();
    CheckRuleNotes();
    CheckObjective();
  }

 private:
  static constexpr double kTol = 1e-6;

  const Spec::Option* OptionFor(const std::string& model) const {
    for (const Spec::Option& o : s_.options) {
      if (kModels[o.model].id == model) return &o;
    }
    return nullptr;
  }
  std::string CountryOf(const std::string& location) const {
    for (const SiteInfo& site : kSites) {
      if (location == site.id) return site.country;
    }
    return location == kRentalId ? kRentalCountry : "";
  }
  bool IsPlanSite(const std::string& location) const {
    for (int i : s_.sites) {
      if (location == kSites[i].id) return true;
    }
    return false;
  }
  bool Blocked(const std::string& model, const std::string& location, int t) const {
    return model == kModels[s_.blocked_model].id && CountryOf(location) == s_.blocked_country &&
           t >= s_.blocked_from;
  }
  double ExistingUnits(const std::string& location, const std::string& model, int t) const {
    if (s_.existing == 0 || location != kSites[s_.sites[0]].id || model != kModels[0].id) {
      return 0;
    }
    const auto retires = s_.existing_acquired + std::chrono::months{s_.life_months};
    return std::chrono::sys_days{MonthStart(s_, t)} < std::chrono::sys_days{retires} ? s_.existing
                                                                                     : 0;
  }
  double Throughput(size_t k, const std::string& model) const {
    const auto& tp = s_.classes[k].throughput;
    const auto it = tp.find(model);
    return it == tp.end() ? 0 : it->second;
  }

  void CheckRows() {
    for (const PlanRow& r : p_.rows) {
      SCOPED_TRACE(r.location + " " + r.model + " month " + std::to_string(r.month));
      ASSERT_GE(r.month, 0);
      ASSERT_LT(r.month, s_.months);
      ASSERT_EQ(r.served_hours.size(), s_.classes.size());
      EXPECT_GE(r.in_service, -kTol);
      double served = 0;
      for (size_t k = 0; k < s_.classes.size(); ++k) {
        EXPECT_GE(r.served_hours[k], -kTol);
        served += r.served_hours[k];
        if (r.served_hours[k] > kTol) {
          EXPECT_GT(Throughput(k, r.model), 0) << "serves a class that does not list the model";
          const auto& countries = s_.classes[k].countries;
          if (!countries.empty()) {
            EXPECT_NE(std::find(countries.begin(), countries.end(), CountryOf(r.location)),
                      countries.end())
                << "serves a class outside its countries";
          }
        }
      }
      const double hours = hours_[static_cast<size_t>(r.month)];
      EXPECT_LE(served, r.in_service * hours + kTol * hours) << "more hours than accelerators";
      if (Blocked(r.model, r.location, r.month)) {
        EXPECT_NEAR(r.delivered, 0, kTol) << "delivered where the rule prohibits it";
        EXPECT_NEAR(served, 0, kTol) << "served where the rule prohibits it";
        EXPECT_NEAR(r.sold, 0, kTol) << "sold where the rule prohibits it";
      }
      if (r.rental) {
        ASSERT_TRUE(s_.rental);
        EXPECT_EQ(r.location, kRentalId);
        EXPECT_EQ(r.model, kModels[2].id);
        EXPECT_LE(r.in_service, s_.rental_units[static_cast<size_t>(r.month)] + kTol);
        EXPECT_NEAR(r.spend, r.in_service * hours * s_.rental_price, 1e-6 * (1 + r.spend));
        EXPECT_EQ(r.ordered, 0);
        continue;
      }
      EXPECT_TRUE(IsPlanSite(r.location)) << "a row at a site outside the plan";
      const Spec::Option* o = OptionFor(r.model);
      if (r.ordered > kTol) {
        ASSERT_NE(o, nullptr) << "ordered a model no option offers";
        const double lots = r.ordered / o->lot;
        EXPECT_NEAR(lots, std::round(lots), 1e-6) << "not whole lots of " << o->lot;
        EXPECT_LT(r.month + o->lead, s_.months) << "arrives after the horizon";
        if (!o->sites.empty()) {
          EXPECT_NE(std::find(o->sites.begin(), o->sites.end(), r.location), o->sites.end())
              << "ordered for a site the option does not list";
        }
        EXPECT_NEAR(r.spend, r.ordered * o->price, 1e-6 * (1 + r.spend));
      } else {
        EXPECT_NEAR(r.spend, 0, kTol);
      }
      if (r.delivered > kTol) {
        ASSERT_NE(o, nullptr);
        EXPECT_NEAR(r.delivered, Ordered(r.location, r.model, r.month - o->lead), kTol)
            << "delivered is not what was ordered lead_months before";
      }
    }
  }

  double Ordered(const std::string& location, const std::string& model, int t) const {
    double sum = 0;
    for (const PlanRow& r : p_.rows) {
      if (!r.rental && r.location == location && r.model == model && r.month == t) {
        sum += r.ordered;
      }
    }
    return sum;
  }

  void CheckSupply() {
    for (const Spec::Option& o : s_.options) {
      for (int t = 0; t < s_.months; ++t) {
        double ordered = 0;
        for (int i : s_.sites) ordered += Ordered(kSites[i].id, kModels[o.model].id, t);
        EXPECT_LE(ordered, o.supply[static_cast<size_t>(t)] + kTol)
            << o.id << " month " << t << ": more than the supply";
      }
    }
  }

  // In service = existing (less retirements) + deliveries so far - sales so far; rows may be
  // left out only when nothing is in service and nothing happens.
  void CheckInService() {
    for (int i : s_.sites) {
      const std::string site = kSites[i].id;
      std::map<int, double> per_month_total;
      for (const ModelInfo& m : kModels) {
        double delivered = 0;
        double sold = 0;
        for (int t = 0; t < s_.months; ++t) {
          const PlanRow* row = nullptr;
          for (const PlanRow& r : p_.rows) {
            if (!r.rental && r.location == site && r.model == m.id && r.month == t) row = &r;
          }
          if (row != nullptr) {
            delivered += row->delivered;
            sold += row->sold;
          }
          const double want = ExistingUnits(site, m.id, t) + delivered - sold;
          const double got = row != nullptr ? row->in_service : 0;
          EXPECT_NEAR(got, want, 1e-6) << site << " " << m.id << " month " << t;
          per_month_total[t] += got;
        }
      }
      if (s_.capacity.count(site)) {
        for (const auto& [t, units] : per_month_total) {
          EXPECT_LE(units, s_.capacity.at(site) + kTol) << site << " month " << t;
        }
      }
    }
  }

  void CheckDemand() {
    ASSERT_EQ(p_.classes.size(), s_.classes.size());
    for (size_t k = 0; k < s_.classes.size(); ++k) {
      const Spec::Class& c = s_.classes[k];
      for (int t = 0; t < s_.months; ++t) {
        double served = 0;
        for (const PlanRow& r : p_.rows) {
          if (r.month == t) served += r.served_hours[k] * Throughput(k, r.model);
        }
        const double demand = c.demand[static_cast<size_t>(t)];
        EXPECT_LE(served, demand + 1e-6 * (1 + demand)) << c.id << " month " << t;
        EXPECT_NEAR(p_.classes[k].served[static_cast<size_t>(t)], served, 1e-6 * (1 + demand))
            << c.id << " month " << t;
      }
    }
  }

  static bool Within(double spent, double limit) {
    return spent <= limit + 1e-6 * std::max(1.0, std::abs(limit));
  }

  void CheckBudgets() {
    // The plan's own figures.
    double total_limit_seen = 0;
    for (const AreaSpend& a : p_.spend) {
      if (a.limit) {
        EXPECT_TRUE(Within(a.spent, *a.limit)) << a.area << ": " << a.spent << " > " << *a.limit;
      }
      if (a.area == "total") total_limit_seen = 1;
    }
    EXPECT_EQ(total_limit_seen, 1) << "no total in the spend";
    // Rebuilt from the rows: purchases and rentals by location, sales at the sale price,
    // and each site-month with an order at the site's order cost (the least the plan pays).
    std::map<std::string, double> cash;                        // by area
    std::map<std::pair<std::string, int>, bool> order_months;  // (site, month) with an order
    double orders = 0;
    double purchases = 0;
    double rentals = 0;
    double sales = 0;
    for (const PlanRow& r : p_.rows) {
      std::string area = "total";
      if (s_.home) area = CountryOf(r.location) == "CN" ? "home" : "abroad";
      double c = r.spend;
      (r.rental ? rentals : purchases) += r.spend;
      if (r.sold > 0) {
        EXPECT_TRUE(s_.sale_price.has_value()) << "sold without a sale option";
        c -= r.sold * s_.sale_price.value_or(0);
        sales += r.sold * s_.sale_price.value_or(0);
      }
      if (r.ordered > kTol && s_.order_cost.count(r.location) &&
          !order_months[{r.location, r.month}]) {
        order_months[{r.location, r.month}] = true;
        c += s_.order_cost.at(r.location);
        orders += s_.order_cost.at(r.location);
      }
      cash[area] += c;
    }
    EXPECT_NEAR(p_.purchase_spend, purchases, 1e-6 * (1 + purchases));
    EXPECT_NEAR(p_.rental_spend, rentals, 1e-6 * (1 + rentals));
    EXPECT_NEAR(p_.sale_revenue, sales, 1e-6 * (1 + sales));
    EXPECT_GE(p_.order_cost_spend, orders - kTol);
    EXPECT_DOUBLE_EQ(p_.revenue_share_spend, 0);
    double total = p_.purchase_spend + p_.order_cost_spend + p_.rental_spend - p_.sale_revenue;
    for (const AreaSpend& a : p_.spend) {
      if (a.area == "total") {
        EXPECT_NEAR(a.spent, total, 1e-6 * (1 + std::abs(total)));
      }
    }
    if (s_.total) {
      EXPECT_TRUE(Within(total, *s_.total)) << "total " << total << " > " << *s_.total;
    }
    if (s_.home) {
      EXPECT_TRUE(Within(cash["home"], *s_.home)) << cash["home"] << " > " << *s_.home;
      EXPECT_TRUE(Within(cash["abroad"], *s_.abroad)) << cash["abroad"] << " > " << *s_.abroad;
    }
  }

  void CheckDomesticShare() {
    double units = 0;
    double domestic = 0;
    double weight = 0;
    double domestic_weight = 0;
    for (const PlanRow& r : p_.rows) {
      if (r.ordered <= kTol) continue;
      const Spec::Option* o = OptionFor(r.model);
      ASSERT_NE(o, nullptr);
      const bool dom = kModels[o->model].domestic;
      units += r.ordered;
      domestic += dom ? r.ordered : 0;
      const double w = s_.spend_basis ? r.ordered * o->price : r.ordered;
      weight += w;
      domestic_weight += dom ? w : 0;
    }
    EXPECT_NEAR(p_.purchased_units, units, kTol);
    if (weight <= 0) return;
    EXPECT_NEAR(p_.domestic_share_pct, 100 * domestic_weight / weight, 1e-6);
    if (s_.domestic_min_pct) {
      EXPECT_GE(100 * domestic_weight / weight, *s_.domestic_min_pct - 1e-6)
          << "domestic share below the minimum";
    }
  }

  // Every rule note is the test rule blocking something in months it is in force.
  void CheckRuleNotes() {
    for (const RuleNote& n : p_.rule_notes) {
      EXPECT_EQ(n.effect, "blocked") << n.subject;
      EXPECT_EQ(n.rules, kRuleId) << n.subject;
      for (const std::string& m : n.months) {
        const auto it = std::find(p_.months.begin(), p_.months.end(), m);
        ASSERT_NE(it, p_.months.end()) << m;
        EXPECT_GE(static_cast<int>(it - p_.months.begin()), s_.blocked_from)
            << n.subject << " blocked in " << m << " before the rule";
      }
    }
  }

  // What an existing H20 is still worth when the horizon ends: the H20 option's price (the
  // catalog's when no option offers H20) x the share of its life left then.
  double ResidualValue() const {
    const Spec::Option* o = OptionFor(kModels[0].id);
    double price = o != nullptr ? o->price : 0;
    if (o == nullptr) {
      Result<catalog::Catalog> cat = catalog::Catalog::Load(fixtures::kCatalogPath);
      EXPECT_TRUE(cat.ok());
      if (cat.ok()) price = cat->Find(kModels[0].id)->price_usd.value_or(0);
    }
    const std::chrono::year_month_day end = MonthStart(s_, s_.months);
    const int age =
        (static_cast<int>(end.year()) - static_cast<int>(s_.existing_acquired.year())) * 12 +
        static_cast<int>(static_cast<unsigned>(end.month())) -
        static_cast<int>(static_cast<unsigned>(s_.existing_acquired.month()));
    return price * std::max(0, s_.life_months - age) / s_.life_months;
  }

  // unmet x penalty + purchases depreciated over the months they serve inside the horizon +
  // order costs + rentals - sales + the value after the horizon of what is sold.
  void CheckObjective() {
    double want = p_.order_cost_spend + p_.rental_spend - p_.sale_revenue;
    for (const PlanRow& r : p_.rows) want += r.sold * ResidualValue();
    for (size_t k = 0; k < s_.classes.size(); ++k) {
      for (int t = 0; t < s_.months; ++t) {
        const auto i = static_cast<size_t>(t);
        want += s_.classes[k].penalty * (s_.classes[k].demand[i] - p_.classes[k].served[i]);
      }
    }
    for (const PlanRow& r : p_.rows) {
      if (r.ordered <= kTol) continue;
      const Spec::Option* o = OptionFor(r.model);
      ASSERT_NE(o, nullptr);
      const int arrives = r.month + o->lead;
      want += r.ordered * o->price *
              std::min(1.0, static_cast<double>(s_.months - arrives) / s_.life_months);
    }
    EXPECT_NEAR(p_.objective, want, 1e-6 * (1 + std::abs(want)));
  }

  const Spec& s_;
  const Plan& p_;
  std::vector<double> hours_;
};

TEST(PlanPropertyTest, RandomScenariosKeepEveryLimit) {
  constexpr int kScenarios = 30;
  int with_purchases = 0;
  int with_blocked_rows = 0;
  int infeasible = 0;
  int with_sales = 0;
  int with_rentals = 0;
  int with_binding_budget = 0;
  int with_binding_share = 0;
  int rounded = 0;  // plans from the rounded relaxation, the limits checked all the same
  const fixtures::ScenarioDir dir("planner_property");  // rewritten for each scenario
  for (int i = 0; i < kScenarios; ++i) {
    const uint32_t seed = 20250101u + static_cast<uint32_t>(i);
    std::mt19937 rng(seed);
    const Spec spec = Generate(rng);
    const std::string yaml = ScenarioYaml(spec);
    SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + yaml + RulesYaml(spec));
    const Result<Scenario> s = dir.Load(yaml, FleetYaml(spec), RulesYaml(spec));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    const Result<Plan> plan = MakePlan(*s);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    if (!plan->has_plan()) {
      ++infeasible;
      ADD_FAILURE() << "no plan: " << plan->status;
      continue;
    }
    PlanProperties(spec, *plan).CheckAll();
    if (plan->purchased_units > 0) ++with_purchases;
    if (plan->found_by == "rounding") ++rounded;
    if (!plan->rule_notes.empty()) ++with_blocked_rows;
    if (plan->sale_revenue > 0) ++with_sales;
    if (plan->rental_spend > 0) ++with_rentals;
    for (const BindingConstraint& b : plan->binding) {
      if (b.kind == "budget") ++with_binding_budget;
      if (b.kind == "domestic_share") ++with_binding_share;
    }
  }
  // The generator should exercise what it is meant to.
  EXPECT_GE(with_purchases, kScenarios / 3);
  EXPECT_GE(with_blocked_rows, kScenarios / 5);
  EXPECT_GE(with_sales, 1);
  EXPECT_GE(with_rentals, 1);
  EXPECT_GE(with_binding_budget, 1);
  EXPECT_GE(with_binding_share, 1);
  EXPECT_GE(rounded, 1);
  EXPECT_EQ(infeasible, 0);
  std::printf(
      "%d scenarios: %d buy, %d blocked by the rule, %d sell, %d rent; %d budgets and "
      "%d domestic shares bind; %d plans from rounding\n",
      kScenarios, with_purchases, with_blocked_rows, with_sales, with_rentals, with_binding_budget,
      with_binding_share, rounded);
}

}  // namespace
}  // namespace gpufleet::planner
