#pragma once
// The procurement plan for a scenario: what to buy, rent, sell and serve, month by month and
// site by site; what it costs per budget area; what demand is left unserved; which limits
// hold the plan back (with their shadow values); and which rules kept an option out
// (docs/planner.md has the formulation).
//
// Thread safety: MakePlan is reentrant; a Plan is a value.

#include <optional>
#include <string>
#include <vector>

#include "gpufleet/planner/scenario.h"
#include "gpufleet/status.h"

namespace gpufleet::planner {

// One month x location x model. A location is a plan site or a rental option.
struct PlanRow {
  int month = 0;
  std::string location;
  std::string model;  // catalog id
  bool rental = false;
  double ordered = 0;     // accelerators ordered this month (delivered lead_months later)
  double delivered = 0;   // accelerators arriving this month
  double sold = 0;        // existing accelerators sold this month
  double in_service = 0;  // accelerators usable this month (rented ones for a rental)
  std::vector<double> served_hours;  // accelerator-hours per demand class, in class order
  double spend = 0;  // purchases (with rule-imposed shares) and rentals this month; no order cost
};

// One purchase order, as a buyer sends it to a supplier: one purchase option, site and month.
struct OrderLine {
  std::string option;  // purchase option id
  std::string model;   // catalog id
  std::string vendor;
  std::string site;
  int order_month = 0;     // index into Plan::months
  int delivery_month = 0;  // order_month + lead_months
  long long units = 0;     // whole lots x lot size: exact
  double unit_price = 0;   // incl. any rule-imposed revenue share, in the plan's currency
  double line_cost = 0;    // units x unit_price
  std::string area;        // budget area it draws on; "" when the scenario has none
};

// Existing accelerators sold: one sale option, site, model and month.
struct SaleLine {
  std::string option;  // sale option id
  std::string buyer;   // organisation id
  std::string model;
  std::string site;
  int month = 0;
  long long units = 0;
  double unit_price = 0;
  double proceeds = 0;  // units x unit_price
  std::string area;
};

// Accelerators rented in one month from one rental option. Whole units unless the option
// allows fractions (fractional_units: true; docs/planner.md).
struct RentalLine {
  std::string option;
  std::string provider;
  std::string country;
  std::string model;
  int month = 0;
  double units = 0;
  double price_per_hour = 0;
  double cost = 0;  // units x hours of the month x price_per_hour
  std::string area;
};

// A purchase option (or some of its months) the program leaves out, and why.
struct DroppedOption {
  std::string option;
  std::string reason;  // "lead time 14 months: an order placed in the first month arrives after"
};

struct ClassOutcome {
  std::string id;
  DemandUnit unit = DemandUnit::kAcceleratorHours;
  std::vector<double> demand;  // per month, in `unit`
  std::vector<double> served;  // per month, in `unit`
  double unmet_cost = 0;       // penalty of what is unserved
  // Per month: accelerators short, i.e. the unserved demand over the month's hours, in
  // accelerators of relative throughput 1 (for tpp_hours: of the class's fastest model).
  std::vector<double> short_accelerators;
  std::string short_of;  // the part short_accelerators counts ("throughput-1 accelerators")
};

struct AreaSpend {
  std::string area;  // a budget area id, or "total"
  double spent = 0;  // net of sales
  std::optional<double> limit;
};

// A limit of the plan that holds it back. Monthly limits (supply, rental capacity, site
// capacity) are reported once per option or site, with the months they bind in.
struct BindingConstraint {
  std::string kind;  // budget, domestic_share, supply, rental_capacity, site_capacity, commitment
  std::string name;  // "budget 'home'", "supply 'h20'"
  std::vector<std::string> months;  // for monthly limits: where it binds
  // Supply and commitments: summed over the binding months. Capacities (site, rental): the
  // fullest binding month, existing units included, sales deducted. Domestic share: percent.
  double used = 0;
  double limit = 0;
  // Improvement of the objective for one more unit of the limit (currency per unit, per
  // accelerator...), from the LP relaxation; nullopt when the relaxation does not price it.
  std::optional<double> shadow_value;
  // The limit in words, for a person: what binds, where, and what one more unit of it is
  // worth ("The domestic share of 60% binds: each further nvidia-h20-96gb needs 1.5 ...").
  std::string explanation;
};

// Why an option is missing from (or costs more in) some months: the rule that decided.
struct RuleNote {
  std::string subject;  // "buy nvidia-h20-96gb at bj-1", "rent h100-my"
  std::string effect;   // "blocked", "revenue share 15%"
  std::vector<std::string> months;
  std::string rules;  // deciding rule ids, "; "-separated
};

struct Plan {
  std::string scenario;
  std::string currency;
  std::vector<std::string> months;  // "2025-01", ...
  std::string status;  // optimal, feasible (time limit), infeasible, no_solution, error
  double objective = 0;
  double bound = 0;
  double gap_pct = 0;
  double solve_seconds = 0;  // the relaxation, its rounding and CBC when it ran
  double total_seconds = 0;  // rules, program, solve, report: what the time limit bounds
  int nodes = 0;
  // How the plan was found: "rounding" (the LP relaxation rounded to whole lots, proven
  // within the gap by the relaxation's bound, no branch and bound) or "cbc"; "" without one.
  std::string found_by;
  int variables = 0;
  int integer_variables = 0;
  int constraints = 0;

  std::vector<PlanRow> rows;        // non-empty rows only
  std::vector<OrderLine> orders;    // by order month, site, option
  std::vector<SaleLine> sales;      // by month, site, option
  std::vector<RentalLine> rentals;  // by month, option
  std::vector<DroppedOption> dropped;
  std::vector<ClassOutcome> classes;
  std::vector<AreaSpend> spend;  // every area, then "total"
  double purchase_spend = 0;     // incl. revenue shares
  double revenue_share_spend = 0;
  double order_cost_spend = 0;
  double rental_spend = 0;
  double sale_revenue = 0;
  double purchased_units = 0;
  double domestic_share_pct = 0;  // of purchases, on the scenario's basis
  std::vector<BindingConstraint> binding;
  std::vector<RuleNote> rule_notes;
  // When infeasible: the constraints that cannot all hold, each with what it would take.
  std::vector<std::string> conflicts;

  bool has_plan() const { return status == "optimal" || status == "feasible"; }
};

struct PlanOptions {
  std::optional<double> time_limit_s;  // overrides the scenario's solver settings
  std::optional<double> gap_pct;
};

Result<Plan> MakePlan(const Scenario& scenario, const PlanOptions& options = {});

// "2025-01..2025-03, 2025-07": runs of consecutive month labels ("YYYY-MM", in order).
std::string FormatMonthRuns(const std::vector<std::string>& months);

}  // namespace gpufleet::planner
