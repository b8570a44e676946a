// MakePlan: rules -> program -> CBC -> plan, with the LP relaxation's duals for the limits
// that bind and, when nothing is feasible, the limits that conflict.

#include "gpufleet/planner/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "planner/formulation.h"
#include "planner/linear_program.h"
#include "planner/plan_explain.h"
#include "planner/round_down.h"
#include "planner/rule_calendar.h"

namespace gpufleet::planner {
namespace {

constexpr double kEpsilon = 1e-6;
// A limit binds when what is left is below this share of it, or below one more whole lot.
constexpr double kBindingShare = 0.005;

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string Amount(double v) { return fmt::format("{:.6g}", v); }

// How far row `r` is from its bound at `x` (>= 0 when it holds), and the smallest step an
// integer column can move it by (0 when only continuous columns touch it).
std::pair<double, double> Slack(const Formulation& f, size_t r, const std::vector<double>& x) {
  const LinearProgram::Row& row = f.lp.rows[r];
  const double activity = f.lp.Activity(static_cast<int>(r), x);
  const double slack = f.rows[r].upper ? row.ub - activity : activity - row.lb;
  double step = 0;
  for (const auto& [c, a] : row.entries) {
    if (!f.lp.columns[static_cast<size_t>(c)].integer) continue;
    if (step == 0 || std::abs(a) < step) step = std::abs(a);
  }
  return {slack, step};
}

// What a class's "accelerators short" counts, and how much demand one of its hours serves:
// accelerator-hours are in parts of relative throughput 1; TPP-hours in the class's fastest
// model (the fewest accelerators that would close the gap).
std::pair<std::string, double> ShortUnit(const Scenario& s, const DemandClass& c) {
  if (c.unit == DemandUnit::kAcceleratorHours) return {"throughput-1 accelerators", 1.0};
  std::string best;
  double per_hour = 0;
  for (const auto& [model, factor] : c.throughput) {
    const double v = factor * catalog::Tpp(*s.catalog->Find(model)).value_or(0);
    if (v > per_hour) {
      per_hour = v;
      best = model;
    }
  }
  return {best, per_hour > 0 ? per_hour : 1.0};
}

void Decode(const Scenario& s, const Formulation& f, const std::vector<double>& x, Plan& plan) {
  std::map<std::tuple<int, std::string, std::string, bool>, PlanRow> rows;
  auto row = [&](int t, const std::string& location, const std::string& model,
                 bool rental) -> PlanRow& {
    PlanRow& r = rows[{t, location, model, rental}];
    r.month = t;
    r.location = location;
    r.model = model;
    r.rental = rental;
    r.served_hours.resize(s.classes.size(), 0);
    return r;
  };
  double domestic = 0;
  double purchased_weight = 0;
  std::map<std::pair<std::string, std::string>, std::vector<double>> delta;  // in-service change
  for (size_t c = 0; c < f.columns.size(); ++c) {
    const double v = x[c];
    if (std::abs(v) < kEpsilon) continue;
    const ColumnMeaning& m = f.columns[c];
    switch (m.kind) {
      case ColumnMeaning::Kind::kBuyLots: {
        const PurchaseOption& o = s.purchases[static_cast<size_t>(m.option)];
        const PlanSite& plan_site = s.sites[static_cast<size_t>(m.site)];
        const std::string& site = plan_site.site->id;
        const double units = v * o.lot;
        // Lots are integer columns; CBC returns them within its integrality tolerance.
        const long long whole = std::llround(v) * o.lot;
        plan.orders.push_back(
            OrderLine{o.id, o.model->id, o.vendor, site, m.month, m.month + o.lead_months, whole,
                      m.cost / o.lot, m.cost / o.lot * static_cast<double>(whole), plan_site.area});
        row(m.month, site, o.model->id, false).ordered += units;
        row(m.month, site, o.model->id, false).spend += v * m.cost;
        row(m.month + o.lead_months, site, o.model->id, false).delivered += units;
        plan.purchase_spend += v * m.cost;
        plan.revenue_share_spend += v * m.share_cost;
        plan.purchased_units += units;
        const double weight = s.budget.domestic_basis == ShareBasis::kCount ? units : v * m.cost;
        purchased_weight += weight;
        if (o.domestic) domestic += weight;
        auto& d = delta[{site, o.model->id}];
        d.resize(static_cast<size_t>(s.months), 0);
        d[static_cast<size_t>(m.month + o.lead_months)] += units;
        break;
      }
      case ColumnMeaning::Kind::kOrderMonth:
        plan.order_cost_spend += v * m.cost;
        break;
      case ColumnMeaning::Kind::kSell: {
        const PlanSite& plan_site = s.sites[static_cast<size_t>(m.site)];
        const std::string& site = plan_site.site->id;
        const SaleOption& sale = s.sales[static_cast<size_t>(m.sale)];
        const long long whole = std::llround(v);
        plan.sales.push_back(SaleLine{sale.id, sale.buyer, m.model->id, site, m.month, whole,
                                      sale.unit_price, sale.unit_price * static_cast<double>(whole),
                                      plan_site.area});
        row(m.month, site, m.model->id, false).sold += v;
        plan.sale_revenue += -m.cost * v;
        auto& d = delta[{site, m.model->id}];
        d.resize(static_cast<size_t>(s.months), 0);
        d[static_cast<size_t>(m.month)] -= v;
        // Back in the count when the group retires: its units then leave the existing count.
        const int retires = s.existing[static_cast<size_t>(m.option)].retires;
        if (retires < s.months) d[static_cast<size_t>(retires)] += v;
        break;
      }
      case ColumnMeaning::Kind::kRent: {
        const RentalOption& o = s.rentals[static_cast<size_t>(m.option)];
        PlanRow& r = row(m.month, o.id, o.model->id, true);
        const double units = o.fractional_units ? v : static_cast<double>(std::llround(v));
        plan.rentals.push_back(RentalLine{o.id, o.provider, o.country, o.model->id, m.month, units,
                                          o.price_per_hour, units * m.cost, o.area});
        r.in_service += v;
        r.spend += v * m.cost;
        plan.rental_spend += v * m.cost;
        break;
      }
      case ColumnMeaning::Kind::kServe: {
        const std::string location = m.site >= 0 ? s.sites[static_cast<size_t>(m.site)].site->id
                                                 : s.rentals[static_cast<size_t>(m.option)].id;
        row(m.month, location, m.model->id, m.site < 0)
            .served_hours[static_cast<size_t>(m.demand)] += v;
        break;
      }
      case ColumnMeaning::Kind::kUnmet:
      case ColumnMeaning::Kind::kElastic:
        break;
    }
  }
  // Accelerators in service at sites: existing (less retirements) + deliveries - sales.
  const auto existing = s.ExistingUnits();
  for (const auto& [key, units] : existing) delta[key].resize(static_cast<size_t>(s.months), 0);
  for (const auto& [key, changes] : delta) {
    const auto it = existing.find(key);
    double added = 0;
    for (int t = 0; t < s.months; ++t) {
      added += changes[static_cast<size_t>(t)];
      const double units = (it == existing.end() ? 0 : it->second[static_cast<size_t>(t)]) + added;
      if (units > kEpsilon || rows.count({t, key.first, key.second, false})) {
        row(t, key.first, key.second, false).in_service = units;
      }
    }
  }
  for (auto& [key, r] : rows) plan.rows.push_back(std::move(r));
  // Lines in the order a buyer reads them: by month, then site or option.
  std::sort(plan.orders.begin(), plan.orders.end(), [](const OrderLine& a, const OrderLine& b) {
    return std::tie(a.order_month, a.site, a.option) < std::tie(b.order_month, b.site, b.option);
  });
  std::sort(plan.sales.begin(), plan.sales.end(), [](const SaleLine& a, const SaleLine& b) {
    return std::tie(a.month, a.site, a.option, a.model) <
           std::tie(b.month, b.site, b.option, b.model);
  });
  std::sort(plan.rentals.begin(), plan.rentals.end(), [](const RentalLine& a, const RentalLine& b) {
    return std::tie(a.month, a.option) < std::tie(b.month, b.option);
  });
  plan.domestic_share_pct = purchased_weight > 0 ? 100 * domestic / purchased_weight : 0;

  for (size_t k = 0; k < s.classes.size(); ++k) {
    const DemandClass& c = s.classes[k];
    ClassOutcome out{c.id,
                     c.unit,
                     c.demand,
                     std::vector<double>(c.demand.size(), 0),
                     0,
                     std::vector<double>(c.demand.size(), 0),
                     ShortUnit(s, c).first};
    const double per_accelerator_hour = ShortUnit(s, c).second;
    for (size_t col = 0; col < f.columns.size(); ++col) {
      const ColumnMeaning& m = f.columns[col];
      if (m.kind != ColumnMeaning::Kind::kUnmet || m.demand != static_cast<int>(k)) continue;
      const auto t = static_cast<size_t>(m.month);
      out.served[t] = std::max(0.0, c.demand[t] - x[col]);
      out.unmet_cost += x[col] * c.unmet_penalty;
      out.short_accelerators[t] =
          std::max(0.0, x[col]) / (s.MonthHours(m.month) * per_accelerator_hour);
    }
    plan.classes.push_back(std::move(out));
  }
  for (const auto& [area, r] : f.budget_rows) {
    plan.spend.push_back(
        AreaSpend{area, f.lp.Activity(r, x), f.rows[static_cast<size_t>(r)].limit});
  }
  if (!s.budget.total) {
    plan.spend.push_back(AreaSpend{
        "total",
        plan.purchase_spend + plan.order_cost_spend + plan.rental_spend - plan.sale_revenue,
        std::nullopt});
  }
}

void FindBinding(const Scenario& s, const Formulation& f, const std::vector<double>& x,
                 const LpSolution& relaxation, Plan& plan) {
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t r = 0; r < f.rows.size(); ++r) {
    const RowMeaning& m = f.rows[r];
    if (m.kind.empty()) continue;
    // A share of nothing bought holds nothing back.
    if (m.kind == "domestic_share" && plan.purchased_units <= 0) continue;
    const auto [slack, step] = Slack(f, r, x);
    // A limit with a shadow value holds the relaxation's optimum back even where the plan,
    // rounded from it to whole lots, leaves a little of it unused.
    const bool priced = relaxation.optimal && std::abs(relaxation.row_duals[r]) > 1e-9;
    const bool binds =
        priced || slack <= std::max({kBindingShare * std::abs(m.limit), step, kEpsilon});
    if (!binds) continue;
    auto [it, inserted] = index.emplace(std::make_pair(m.kind, m.name), plan.binding.size());
    if (inserted) plan.binding.push_back(BindingConstraint{m.kind, m.name, {}, 0, 0, {}, ""});
    BindingConstraint& b = plan.binding[it->second];
    if (m.month >= 0) b.months.push_back(s.MonthLabel(m.month));
    // What is used of the limit, existing units and sales included: the row's right-hand
    // side leaves out what is already there, its limit does not.
    const double used = m.upper ? m.limit - slack : m.limit + slack;
    if (m.kind == "domestic_share") {
      b.used = plan.domestic_share_pct;
      b.limit = m.limit;
    } else if (m.kind == "site_capacity" || m.kind == "rental_capacity") {
      if (used >= b.used) {  // the fullest month
        b.used = used;
        b.limit = m.limit;
      }
    } else {
      b.used += used;
      b.limit += m.limit;
    }
    if (relaxation.optimal) {
      const double value = -relaxation.row_duals[r];
      if (std::abs(value) > 1e-9 &&
          (!b.shadow_value || std::abs(value) > std::abs(*b.shadow_value))) {
        b.shadow_value = value;
      }
    }
  }
}

// Which limits cannot all hold: the elastic program's slacks (what must give) and, from its
// LP relaxation, the limits with a non-zero dual (what pushes against them).
std::vector<std::string> ExplainInfeasible(const Scenario& s, const RuleCalendar& rules,
                                           double time_limit_s) {
  if (time_limit_s <= 0) return {"no explanation found within the time limit"};
  const Formulation f = Formulate(s, rules, true);
  std::vector<double> x;
  std::vector<double> duals;
  const LpSolution lp = SolveLpRelaxation(f.lp, time_limit_s);
  bool violated = false;
  if (lp.optimal) {
    for (size_t c = 0; c < f.columns.size(); ++c) {
      if (f.columns[c].kind == ColumnMeaning::Kind::kElastic && lp.x[c] > kEpsilon) violated = true;
    }
  }
  if (violated) {
    x = lp.x;
    duals = lp.row_duals;
  } else {  // only whole lots make it infeasible: the elastic MIP says by how much
    const MipSolution mip = SolveMip(f.lp, time_limit_s, 0);
    if (!mip.x.empty()) x = mip.x;
  }
  if (x.empty()) return {"no explanation found within the time limit"};
  // Monthly rows of one limit are reported together: name -> (amount, limit, months).
  struct Finding {
    double amount = 0;
    double limit = 0;
    bool upper = true;
    std::vector<std::string> months;
    double existing = 0;  // site capacity: the most accelerators already there in a month
  };
  std::vector<std::pair<std::string, Finding>> gives;
  std::vector<std::pair<std::string, Finding>> holds;
  auto add = [&](std::vector<std::pair<std::string, Finding>>& list, const RowMeaning& row,
                 double amount) {
    auto it = std::find_if(list.begin(), list.end(),
                           [&](const auto& entry) { return entry.first == row.name; });
    if (it == list.end()) it = list.insert(list.end(), {row.name, Finding{0, 0, row.upper, {}}});
    it->second.amount += amount;
    it->second.limit += row.limit;
    if (row.month >= 0) it->second.months.push_back(s.MonthLabel(row.month));
  };
  std::vector<bool> gave(f.rows.size(), false);
  for (size_t c = 0; c < f.columns.size(); ++c) {
    const ColumnMeaning& m = f.columns[c];
    if (m.kind != ColumnMeaning::Kind::kElastic || x[c] <= kEpsilon) continue;
    const auto r = static_cast<size_t>(m.option);
    gave[r] = true;
    add(gives, f.rows[r], x[c]);
    if (f.rows[r].kind == "site_capacity") {  // the row's bound leaves out what is there
      double& existing = gives.back().second.existing;
      existing = std::max(existing, f.rows[r].limit - f.lp.rows[r].ub);
    }
  }
  for (size_t r = 0; r < duals.size(); ++r) {
    if (f.rows[r].kind.empty() || gave[r] || std::abs(duals[r]) < 1e-9) continue;
    add(holds, f.rows[r], 0);
  }
  auto when = [](const Finding& finding) {
    return finding.months.empty() ? std::string() : " in " + FormatMonthRuns(finding.months);
  };
  std::vector<std::string> out;
  for (const auto& [name, g] : gives) {
    std::string line = name + when(g) +
                       (g.upper ? " would be exceeded by " : " would fall short by ") +
                       Amount(g.amount) + " (limit " + Amount(g.limit) + ")";
    if (g.existing > kEpsilon) {
      line += fmt::format(": {} accelerators are already there", Amount(g.existing));
    }
    out.push_back(std::move(line));
  }
  if (!violated) {  // a plan in fractions of lots would do: name the lots that make it fail
    std::map<std::string, int> lots;
    for (size_t c = 0; c < f.columns.size(); ++c) {
      const ColumnMeaning& m = f.columns[c];
      if (m.kind != ColumnMeaning::Kind::kBuyLots || x[c] <= kEpsilon) continue;
      const PurchaseOption& o = s.purchases[static_cast<size_t>(m.option)];
      if (o.lot > 1) lots.emplace(o.id, o.lot);
    }
    std::string which;
    for (const auto& [id, lot] : lots) {
      which += fmt::format("{}'{}' comes in lots of {}", which.empty() ? "" : ", ", id, lot);
    }
    out.push_back("only whole lots make it infeasible (a plan in fractions of lots would fit)" +
                  (which.empty() ? std::string() : ": " + which));
  }
  for (const auto& [name, h] : holds) out.push_back(name + when(h) + " holds against it");
  if (out.empty()) out.push_back("the program is infeasible, but no limit explains it");
  return out;
}

struct Solved {
  MipSolution mip;
  LpSolution relaxation;  // its duals are the shadow values
};

// One time limit for every phase. The LP relaxation first: its duals are the shadow values and
// its optimum a bound. Then its optimum rounded down (RoundDown) and the continuous columns
// re-solved from its basis: when that plan is within the gap of the bound, it is proven good
// enough and CBC is not needed (the generated 24-month instances, docs/benchmarks.md
// "Planner"). Otherwise CBC, for the time left, starting from the rounded plan; whichever
// plan is better is kept, with the better of the two bounds. A plan the time limit stopped
// outside the gap is "feasible", never "optimal".
Solved Solve(const Formulation& f, double time_limit_s, double gap_pct) {
  const auto started = std::chrono::steady_clock::now();
  auto left = [&] { return time_limit_s - Since(started); };
  Solved out;
  MipSolution& mip = out.mip;
  auto finish = [&](SolveStatus status) {
    mip.status = status;
    mip.seconds = Since(started);
    return std::move(out);
  };
  if (time_limit_s <= 0) return finish(SolveStatus::kNoSolution);
  Relaxation relaxation(f.lp);
  out.relaxation = relaxation.Solve(time_limit_s);
  const double relaxation_seconds = Since(started);
  if (out.relaxation.infeasible) return finish(SolveStatus::kInfeasible);
  double bound = -std::numeric_limits<double>::infinity();
  std::vector<double> rounded;
  if (out.relaxation.optimal) {
    bound = out.relaxation.objective;
    rounded = RoundDown(f, out.relaxation.x);
    LpSolution fixed = relaxation.SolveFixed(rounded, std::max(left(), 1e-3));
    if (fixed.optimal) {
      mip.x = std::move(fixed.x);
      mip.objective = fixed.objective;
      mip.rounded = true;
      mip.bound = std::min(bound, mip.objective);
      mip.gap_pct = GapPct(mip.objective, mip.bound);
      if (mip.gap_pct <= gap_pct) return finish(SolveStatus::kOptimal);
    } else {
      rounded.clear();
    }
  }
  // CBC starts by solving the relaxation again and cannot stop inside that solve, so it is
  // only worth starting, and only stops in time, with at least twice that time left.
  if (left() < 2 * relaxation_seconds) {
    return finish(mip.x.empty() ? SolveStatus::kNoSolution : SolveStatus::kFeasible);
  }
  MipSolution cbc = SolveMip(f.lp, left(), gap_pct, rounded.empty() ? nullptr : &rounded);
  mip.nodes = cbc.nodes;
  if (cbc.status == SolveStatus::kInfeasible && mip.x.empty()) {
    return finish(SolveStatus::kInfeasible);
  }
  if (!cbc.x.empty() && (mip.x.empty() || cbc.objective < mip.objective)) {
    mip.x = std::move(cbc.x);
    mip.objective = cbc.objective;
    mip.rounded = false;
  }
  if (mip.x.empty()) return finish(cbc.status);
  if (cbc.status == SolveStatus::kOptimal || cbc.status == SolveStatus::kFeasible) {
    bound = std::max(bound, cbc.bound);
  }
  mip.bound = std::min(bound, mip.objective);
  mip.gap_pct = GapPct(mip.objective, mip.bound);
  // CBC proved its plan within the gap; the plan kept is no worse.
  const bool proven = cbc.status == SolveStatus::kOptimal || mip.gap_pct <= gap_pct;
  return finish(proven ? SolveStatus::kOptimal : SolveStatus::kFeasible);
}

}  // namespace

std::string FormatMonthRuns(const std::vector<std::string>& months) {
  auto index = [](const std::string& m) {
    return std::stoi(m.substr(0, 4)) * 12 + std::stoi(m.substr(5, 2));
  };
  std::string out;
  for (size_t i = 0; i < months.size();) {
    size_t j = i;
    while (j + 1 < months.size() && index(months[j + 1]) == index(months[j]) + 1) ++j;
    out += (out.empty() ? "" : ", ") + months[i] + (j > i ? ".." + months[j] : "");
    i = j + 1;
  }
  return out;
}

Result<Plan> MakePlan(const Scenario& s, const PlanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const double time_limit = options.time_limit_s.value_or(s.solver.time_limit_s);
  const double gap = options.gap_pct.value_or(s.solver.gap_pct);
  if (!(time_limit > 0)) return Status::InvalidArgument("time limit: expected > 0 seconds");
  if (!(gap >= 0)) return Status::InvalidArgument("gap: expected a percentage >= 0");

  const RuleCalendar rules(s);
  const Formulation f = Formulate(s, rules, false);
  Plan plan;
  plan.scenario = s.name;
  plan.currency = s.currency;
  for (int t = 0; t < s.months; ++t) plan.months.push_back(s.MonthLabel(t));
  plan.variables = static_cast<int>(f.lp.columns.size());
  for (const auto& c : f.lp.columns) plan.integer_variables += c.integer ? 1 : 0;
  plan.constraints = static_cast<int>(f.lp.rows.size());
  plan.rule_notes = f.rule_notes;
  plan.dropped = f.dropped;

  // The time limit counts from here: reading the rules and building the program take their
  // share of it too.
  const Solved solved = Solve(f, time_limit - Since(started), gap);
  const MipSolution& mip = solved.mip;
  plan.status = std::string(SolveStatusName(mip.status));
  plan.solve_seconds = mip.seconds;
  plan.nodes = mip.nodes;
  if (mip.status == SolveStatus::kInfeasible) {
    plan.conflicts = ExplainInfeasible(s, rules, time_limit - Since(started));
  } else if (!mip.x.empty()) {
    plan.objective = mip.objective;
    plan.bound = mip.bound;
    plan.gap_pct = mip.gap_pct;
    plan.found_by = mip.rounded ? "rounding" : "cbc";
    Decode(s, f, mip.x, plan);
    FindBinding(s, f, mip.x, solved.relaxation, plan);
    ExplainBinding(s, plan);
  }
  plan.total_seconds = Since(started);
  return plan;
}

}  // namespace gpufleet::planner
