// RoundDown (round_down.h).

#include "planner/round_down.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace gpufleet::planner {
namespace {

// What the relaxation's solver leaves of an integer value (its primal tolerance is 1e-7).
constexpr double kTolerance = 1e-6;

// Drops whole lots until row `r` holds, latest order month first (they serve the fewest
// months), the lot that moves the row most among those; a site-month left without lots closes
// its order month. The row must be one a lot moves the wrong way for (a budget from above, the
// domestic share from below); stops when no lot is left to drop.
void DropLots(const Formulation& f, size_t r, std::vector<double>& v,
              std::map<std::pair<int, int>, double>& lots,
              const std::map<std::pair<int, int>, size_t>& order_columns) {
  const LinearProgram::Row& row = f.lp.rows[r];
  const bool upper = f.rows[r].upper;
  auto violated = [&] {
    const double activity = f.lp.Activity(static_cast<int>(r), v);
    return upper ? activity > row.ub + kTolerance * std::max(1.0, std::abs(row.ub))
                 : activity < row.lb - kTolerance * std::max(1.0, std::abs(row.lb));
  };
  while (violated()) {
    int best = -1;
    double best_coefficient = 0;
    for (const auto& [c, a] : row.entries) {
      const ColumnMeaning& m = f.columns[static_cast<size_t>(c)];
      if (m.kind != ColumnMeaning::Kind::kBuyLots || v[static_cast<size_t>(c)] < 1) continue;
      if (upper ? a <= 0 : a >= 0) continue;
      const int best_month = best < 0 ? -1 : f.columns[static_cast<size_t>(best)].month;
      if (m.month > best_month || (m.month == best_month && std::abs(a) > best_coefficient)) {
        best = c;
        best_coefficient = std::abs(a);
      }
    }
    if (best < 0) return;
    const ColumnMeaning& m = f.columns[static_cast<size_t>(best)];
    v[static_cast<size_t>(best)] -= 1;
    double& left = lots[{m.site, m.month}];
    left -= 1;
    if (left < 0.5) {
      if (auto it = order_columns.find({m.site, m.month}); it != order_columns.end()) {
        v[it->second] = 0;
      }
    }
  }
}

}  // namespace

std::vector<double> RoundDown(const Formulation& f, const std::vector<double>& x) {
  std::vector<double> out = x;
  std::map<std::pair<int, int>, double> lots;  // (site, month) -> lots ordered
  std::map<std::pair<int, int>, size_t> order_columns;
  for (size_t c = 0; c < f.columns.size(); ++c) {
    if (!f.lp.columns[c].integer) continue;
    out[c] = std::floor(x[c] + kTolerance);
    const ColumnMeaning& m = f.columns[c];
    if (m.kind == ColumnMeaning::Kind::kBuyLots) lots[{m.site, m.month}] += out[c];
    if (m.kind == ColumnMeaning::Kind::kOrderMonth) order_columns[{m.site, m.month}] = c;
  }
  for (const auto& [key, c] : order_columns) out[c] = lots[key] > 0.5 ? 1 : 0;
  // An order month the relaxation opened for a fraction of its cost now costs all of it, which
  // can take a budget past its limit; dropping lots for the budgets can then leave the
  // domestic share short, which dropping foreign lots mends without touching a budget.
  for (const char* kind : {"budget", "domestic_share"}) {
    for (size_t r = 0; r < f.rows.size(); ++r) {
      if (f.rows[r].kind == kind) DropLots(f, r, out, lots, order_columns);
    }
  }
  return out;
}

}  // namespace gpufleet::planner
