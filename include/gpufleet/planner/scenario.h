#pragma once
// A procurement scenario: a horizon of months, demand per workload class, what can be bought
// (per model, with lots, lead times, supply limits and order costs) and rented abroad, the
// fleet already owned (from the inventory) and what of it may be sold, the budgets and the
// domestic-purchase share, and the rule file whose rules decide, month by month, what may be
// planned where (docs/planner.md).
//
// File format: one YAML document, described key by key in docs/planner.md; examples/plan-2025.yaml
// is a worked example. Reading is strict like every other input: unknown keys, unknown models,
// sites, organisations or currencies, a monthly series of the wrong length, negative prices or
// limits are InvalidArgument errors "file:line:column: context: key: what". Money is written
// as a number in the scenario's currency or as "<number> <CUR>" ("5.5e9 USD", "39e9 CNY") with
// the currency's rate given under exchange_rates; everything is converted to the scenario's
// currency on reading.
//
// Thread safety: values; const methods are safe to call concurrently.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::planner {

// What demand is counted in: hours of one accelerator (scaled by the class's relative
// throughput per model) or TPP-hours (an accelerator-hour of model m is TPP(m) x relative
// throughput TPP-hours).
enum class DemandUnit { kAcceleratorHours, kTppHours };
std::string_view DemandUnitName(DemandUnit unit);

struct DemandClass {
  std::string id;  // "training", "inference", ...
  DemandUnit unit = DemandUnit::kAcceleratorHours;
  std::vector<double> demand;  // per month of the horizon, in `unit`
  // Cost of one unit of demand left unserved, in the scenario currency: the class's priority.
  double unmet_penalty = 0;
  // Countries (ISO alpha-2) where the class may run; empty = anywhere (data residency by
  // policy; data-residency rules in the rule file apply through data_class as well).
  std::vector<std::string> countries;
  std::string data_class;  // "" = none
  // Catalog id -> relative throughput (> 0). Models not listed cannot serve the class.
  std::map<std::string, double> throughput;
  int line = 0;
};

// A site of the inventory the plan may put accelerators in.
struct PlanSite {
  const inventory::Site* site = nullptr;  // into Scenario::fleet
  std::optional<double> capacity;  // accelerators it can host (power, space); none = no limit
  double order_cost = 0;           // fixed cost of each month with an order here
  std::string area;                // budget area (resolved at load)
};

struct PurchaseOption {
  std::string id;
  const catalog::AcceleratorSpec* model = nullptr;  // into Scenario::catalog
  std::string vendor;
  double unit_price = 0;           // scenario currency, before rule-imposed costs
  int lot = 1;                     // accelerators per orderable server
  int lead_months = 0;             // ordered in month t, usable from month t + lead_months
  std::vector<double> supply;      // accelerators that can be ordered per month; size = months
  std::vector<std::string> sites;  // site ids that may host it; all plan sites when empty
  std::string ships_from;          // ISO country; the model's designer country when not given
  double committed_units = 0;      // take-or-pay: at least this many over the horizon
  bool domestic = false;           // domestic to the budget's domestic_jurisdiction (catalog)
  // Straight-line life of what it buys: the months of life left when the horizon ends keep
  // their share of the price (1 to 240; default: the scenario's life_months, itself 60 by
  // default).
  int useful_life_months = 60;
  bool useful_life_given = false;  // whether the file gave useful_life_months
  int line = 0;
};

struct RentalOption {
  std::string id;
  std::string provider;
  std::string country;  // where the chips are
  const catalog::AcceleratorSpec* model = nullptr;
  double price_per_hour = 0;      // per accelerator-hour
  std::vector<double> max_units;  // accelerators available per month
  double committed_units = 0;     // minimum rented in every month
  std::string area;               // budget area (resolved at load)
  // Whether a fraction of an accelerator may be rented (capacity sold by the hour); whole
  // accelerators otherwise.
  bool fractional_units = false;
  int line = 0;
};

// Existing accelerators of one model at one site that retire in the same month, from the
// inventory (retirement: life_months after `acquired`).
struct ExistingGroup {
  std::string site;
  const catalog::AcceleratorSpec* model = nullptr;
  Date acquired;    // of the oldest unit in the group
  int retires = 0;  // first month of the horizon they are out of service; `months` if none
  // Units in service in each month of the horizon: the group's size before `retires`, 0 after.
  std::vector<double> units;
};

struct SaleOption {
  std::string id;
  std::string buyer;                // organisation id of the inventory
  std::vector<std::string> models;  // catalog ids; empty = any
  double unit_price = 0;
  int line = 0;
};

struct BudgetArea {
  std::string id;
  std::vector<std::string> countries;  // empty = every country no other area lists
  double amount = 0;
  int line = 0;
};

enum class ShareBasis { kCount, kSpend };

struct Budget {
  std::optional<double> total;
  std::vector<BudgetArea> areas;
  std::optional<double> domestic_min_pct;  // of purchases
  ShareBasis domestic_basis = ShareBasis::kCount;
  std::string domestic_jurisdiction = "CN";
};

struct SolverSettings {
  double time_limit_s = 10;
  double gap_pct = 0.5;  // stop when the proven gap is below this
};

struct Scenario {
  std::string name;
  std::string file;  // where it was read from ("" when generated)
  std::string currency = "USD";
  // Currency code -> units of `currency` per unit of it, as the file gave them.
  std::map<std::string, double, std::less<>> exchange_rates;
  Date start;  // first day of the first month
  int months = 0;
  std::string organisation;  // the planning organisation (an inventory id)
  // Lifetimes of existing accelerators, for their retirement; default 60 months.
  int life_months = 60;

  std::shared_ptr<const catalog::Catalog> catalog;
  std::shared_ptr<const inventory::Inventory> fleet;
  std::shared_ptr<const compliance::RuleSet> rules;
  std::string rules_yaml;  // the merged rule document, kept so a what-if can layer a change
  std::string rules_name;

  std::vector<DemandClass> classes;
  std::vector<PlanSite> sites;
  std::vector<PurchaseOption> purchases;
  std::vector<RentalOption> rentals;
  std::vector<ExistingGroup> existing;
  std::vector<SaleOption> sales;
  Budget budget;
  SolverSettings solver;

  // First day of month `t` (0-based) of the horizon, and its hours.
  Date MonthStart(int t) const;
  double MonthHours(int t) const;
  // "2025-04" for month t.
  std::string MonthLabel(int t) const;
  // The area a country's spending counts against; "" when no area takes it.
  std::string AreaOf(std::string_view country) const;
  // Existing units in service per (site id, model id), per month: the groups summed.
  std::map<std::pair<std::string, std::string>, std::vector<double>> ExistingUnits() const;
};

// Reads the scenario at `path`; relative paths in it (fleet, rules, rule_changes) are resolved
// against its directory.
Result<Scenario> LoadScenario(const std::string& path);
// Parses `yaml` as if read from `name_for_errors`, relative paths against `base_dir`.
Result<Scenario> ParseScenario(std::string_view yaml, const std::string& name_for_errors,
                               const std::string& base_dir);

}  // namespace gpufleet::planner
