#pragma once
// The mixed-integer program of a scenario (docs/planner.md, "Formulation"), with the maps from
// its columns and rows back to what they mean, so a solution can be read as a plan and a row's
// dual as the shadow value of a named limit.

#include <string>
#include <vector>

#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario.h"
#include "planner/linear_program.h"
#include "planner/rule_calendar.h"

namespace gpufleet::planner {

// What a column stands for.
struct ColumnMeaning {
  enum class Kind { kBuyLots, kOrderMonth, kSell, kRent, kServe, kUnmet, kElastic };
  Kind kind = Kind::kServe;
  int month = 0;
  int site = -1;    // plan site index (buy, order, sell, serve at a site)
  int option = -1;  // purchase, rental or existing-group index
  int sale = -1;    // sale option (kSell)
  int demand = -1;  // class index (serve, unmet)
  const catalog::AcceleratorSpec* model = nullptr;  // serve
  double cost = 0;        // spend per unit (purchase incl. share, rental, order), - for sales
  double share_cost = 0;  // of `cost`: the rule-imposed revenue share
};

// What a row is, for binding-constraint reports and conflict explanations.
struct RowMeaning {
  std::string kind;  // budget, domestic_share, supply, rental_capacity, site_capacity,
                     // commitment, rental_commitment; "" for structural rows (demand, capacity,
                     // order links, sales)
  std::string name;  // "budget 'home'", "supply 'h20'"
  int month = -1;
  // Whether the limit is an upper bound (budget, supply, capacity) or a lower one
  // (commitments, the domestic share).
  bool upper = true;
  double limit = 0;  // right-hand side, in the limit's units
};

struct Formulation {
  LinearProgram lp;
  std::vector<ColumnMeaning> columns;  // parallel to lp.columns
  std::vector<RowMeaning> rows;        // parallel to lp.rows
  // Budget rows: (area id, row), every area in scenario order, then "total" when it is set.
  std::vector<std::pair<std::string, int>> budget_rows;
  std::vector<RuleNote> rule_notes;
  std::vector<DroppedOption> dropped;
  // Row activity is in the limit's units except for the domestic-share row (count or spend
  // difference): its used/limit are computed from the columns.
};

// Builds the program. With `elastic`, every limit row gets a penalised slack column (used to
// explain infeasibility: the slacks a solution needs name the limits that conflict).
Formulation Formulate(const Scenario& s, const RuleCalendar& rules, bool elastic);

// What one existing accelerator of `group` is still worth when the horizon ends: a price for
// its model (the first purchase option's, else the catalog's USD price converted; 0 when
// neither is known) times the share of its life (Scenario::life_months) left then. Selling
// it gives this up, so a short plan does not sell working hardware below its value.
double ResidualValue(const Scenario& s, const ExistingGroup& group);

}  // namespace gpufleet::planner
