#include "cli/plan_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "gpufleet/report/output_format.h"
#include "gpufleet/report/svg_chart.h"
#include "gpufleet/report/text_table.h"

namespace gpufleet::cli {
namespace {

using planner::Plan;
using planner::Scenario;

// 1234 -> "1.23k", 5.49e9 -> "5.49B": plans span units to billions.
std::string Compact(double v) {
  const double a = std::abs(v);
  if (a < 0.5) return "0";
  if (a < 1e3) return fmt::format("{:.0f}", v);
  if (a < 1e6) return fmt::format("{:.3g}k", v / 1e3);
  if (a < 1e9) return fmt::format("{:.3g}M", v / 1e6);
  return fmt::format("{:.3g}B", v / 1e9);
}

std::string Pct(double v) { return fmt::format("{:.1f}%", v); }

double Sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// Accelerators ordered per purchase option x site and month, from the plan rows.
std::map<std::string, std::vector<double>> Orders(const Scenario& s, const Plan& plan) {
  std::map<std::string, std::vector<double>> out;
  for (const planner::PlanRow& r : plan.rows) {
    if (r.rental || r.ordered <= 0) continue;
    auto& v = out[r.model + " @ " + r.location];
    v.resize(static_cast<size_t>(s.months), 0);
    v[static_cast<size_t>(r.month)] += r.ordered;
  }
  return out;
}

std::map<std::string, std::vector<double>> Rented(const Scenario& s, const Plan& plan) {
  std::map<std::string, std::vector<double>> out;
  for (const planner::PlanRow& r : plan.rows) {
    if (!r.rental || r.in_service <= 0) continue;
    auto& v = out[r.location];
    v.resize(static_cast<size_t>(s.months), 0);
    v[static_cast<size_t>(r.month)] += r.in_service;
  }
  return out;
}

void MonthTable(const Scenario& s, const std::string& first,
                const std::map<std::string, std::vector<double>>& series, std::ostream& out) {
  std::vector<std::string> header{first};
  for (int t = 0; t < s.months; ++t) header.push_back(s.MonthLabel(t).substr(2));
  header.push_back("total");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, v] : series) {
    std::vector<std::string> row{name};
    for (double x : v) row.push_back(Compact(x));
    row.push_back(Compact(Sum(v)));
    rows.push_back(std::move(row));
  }
  report::WriteTextTable(header, rows, out);
}

void WriteRuleNotes(const Plan& plan, std::ostream& out) {
  if (plan.rule_notes.empty()) return;
  out << "\nRules that shaped the plan\n";
  std::vector<std::vector<std::string>> notes;
  for (const planner::RuleNote& n : plan.rule_notes) {
    notes.push_back({n.subject, n.effect, planner::FormatMonthRuns(n.months), n.rules});
  }
  report::WriteTextTable({"option", "effect", "months", "rules"}, notes, out);
}

double ServedPct(const planner::ClassOutcome& c) {
  const double d = Sum(c.demand);
  return d > 0 ? 100 * Sum(c.served) / d : 100;
}

}  // namespace

void WritePlanText(const Scenario& s, const Plan& plan, std::ostream& out) {
  out << fmt::format(
      "Plan '{}': {} ({} months from {}), gap {:.2f}%, solved in {:.2f} s "
      "({} variables, {} integer, {} constraints, {} nodes)\n",
      plan.scenario, plan.status, s.months, plan.months.front(), plan.gap_pct, plan.solve_seconds,
      plan.variables, plan.integer_variables, plan.constraints, plan.nodes);
  if (!plan.has_plan()) {
    if (!plan.conflicts.empty()) {
      out << "\nNo plan meets every constraint. These cannot all hold:\n";
      for (const std::string& c : plan.conflicts) out << "  - " << c << "\n";
    } else {
      out << "\nNo plan found within the time limit.\n";
    }
    WriteRuleNotes(plan, out);
    return;
  }
  out << fmt::format("Objective {} {} (penalties for unmet demand + net spend; bound {})\n\n",
                     Compact(plan.objective), plan.currency, Compact(plan.bound));

  out << "Spend (" << plan.currency << ")\n";
  std::vector<std::vector<std::string>> spend;
  for (const planner::AreaSpend& a : plan.spend) {
    spend.push_back({a.area, Compact(a.spent), a.limit ? Compact(*a.limit) : "-",
                     a.limit && *a.limit > 0 ? Pct(100 * a.spent / *a.limit) : "-"});
  }
  report::WriteTextTable({"area", "spent", "limit", "used"}, spend, out);
  out << fmt::format("purchases {} (revenue shares {}), order costs {}, rentals {}, sales -{}\n",
                     Compact(plan.purchase_spend), Compact(plan.revenue_share_spend),
                     Compact(plan.order_cost_spend), Compact(plan.rental_spend),
                     Compact(plan.sale_revenue));
  if (s.budget.domestic_min_pct) {
    out << fmt::format("domestic share of purchases {} (minimum {}, by {})\n",
                       Pct(plan.domestic_share_pct), Pct(*s.budget.domestic_min_pct),
                       s.budget.domestic_basis == planner::ShareBasis::kCount ? "count" : "spend");
  }

  out << "\nAccelerators ordered (model @ site, by month ordered)\n";
  MonthTable(s, "order", Orders(s, plan), out);
  const auto rented = Rented(s, plan);
  if (!rented.empty()) {
    out << "\nAccelerators rented\n";
    MonthTable(s, "rental", rented, out);
  }
  out << "\nDemand served (% of each month's demand; unmet in the class's unit over the horizon)\n";
  std::vector<std::string> header{"class"};
  for (int t = 0; t < s.months; ++t) header.push_back(s.MonthLabel(t).substr(2));
  header.push_back("year");
  header.push_back("unmet");
  header.push_back("unmet cost");
  std::vector<std::vector<std::string>> served;
  for (const planner::ClassOutcome& c : plan.classes) {
    std::vector<std::string> row{c.id};
    for (size_t t = 0; t < c.demand.size(); ++t) {
      row.push_back(c.demand[t] > 0 ? fmt::format("{:.0f}", 100 * c.served[t] / c.demand[t]) : "-");
    }
    row.push_back(Pct(ServedPct(c)));
    row.push_back(Compact(Sum(c.demand) - Sum(c.served)));
    row.push_back(Compact(c.unmet_cost));
    served.push_back(std::move(row));
  }
  report::WriteTextTable(header, served, out);

  out << "\nBinding constraints (shadow value: objective gained per unit more, LP relaxation)\n";
  std::vector<std::vector<std::string>> binding;
  for (const planner::BindingConstraint& b : plan.binding) {
    binding.push_back({b.name, planner::FormatMonthRuns(b.months), Compact(b.used),
                       Compact(b.limit),
                       b.shadow_value ? fmt::format("{:.4g}", *b.shadow_value) : "-"});
  }
  if (binding.empty()) {
    out << "(none)\n";
  } else {
    report::WriteTextTable({"constraint", "months", "used", "limit", "shadow"}, binding, out);
  }
  WriteRuleNotes(plan, out);
}

nlohmann::json PlanJson(const Scenario& s, const Plan& plan) {
  using nlohmann::json;
  json j;
  j["scenario"] = plan.scenario;
  j["currency"] = plan.currency;
  j["months"] = plan.months;
  j["status"] = plan.status;
  j["objective"] = plan.objective;
  j["bound"] = plan.bound;
  j["gap_pct"] = plan.gap_pct;
  j["solve_seconds"] = plan.solve_seconds;
  j["total_seconds"] = plan.total_seconds;
  j["nodes"] = plan.nodes;
  j["variables"] = plan.variables;
  j["integer_variables"] = plan.integer_variables;
  j["constraints"] = plan.constraints;
  j["conflicts"] = plan.conflicts;
  j["spend"] = json::array();
  for (const planner::AreaSpend& a : plan.spend) {
    j["spend"].push_back({{"area", a.area},
                          {"spent", a.spent},
                          {"limit", a.limit ? json(*a.limit) : json(nullptr)}});
  }
  j["purchase_spend"] = plan.purchase_spend;
  j["revenue_share_spend"] = plan.revenue_share_spend;
  j["order_cost_spend"] = plan.order_cost_spend;
  j["rental_spend"] = plan.rental_spend;
  j["sale_revenue"] = plan.sale_revenue;
  j["purchased_units"] = plan.purchased_units;
  j["domestic_share_pct"] = plan.domestic_share_pct;
  j["classes"] = json::array();
  for (const planner::ClassOutcome& c : plan.classes) {
    j["classes"].push_back({{"id", c.id},
                            {"unit", std::string(planner::DemandUnitName(c.unit))},
                            {"demand", c.demand},
                            {"served", c.served},
                            {"unmet_cost", c.unmet_cost}});
  }
  j["rows"] = json::array();
  for (const planner::PlanRow& r : plan.rows) {
    json served = json::object();
    for (size_t k = 0; k < s.classes.size(); ++k) served[s.classes[k].id] = r.served_hours[k];
    j["rows"].push_back({{"month", plan.months[static_cast<size_t>(r.month)]},
                         {"location", r.location},
                         {"model", r.model},
                         {"rental", r.rental},
                         {"ordered", r.ordered},
                         {"delivered", r.delivered},
                         {"sold", r.sold},
                         {"in_service", r.in_service},
                         {"spend", r.spend},
                         {"served_hours", served}});
  }
  j["binding"] = json::array();
  for (const planner::BindingConstraint& b : plan.binding) {
    j["binding"].push_back(
        {{"kind", b.kind},
         {"name", b.name},
         {"months", b.months},
         {"used", b.used},
         {"limit", b.limit},
         {"shadow_value", b.shadow_value ? json(*b.shadow_value) : json(nullptr)}});
  }
  j["rule_notes"] = json::array();
  for (const planner::RuleNote& n : plan.rule_notes) {
    j["rule_notes"].push_back(
        {{"subject", n.subject}, {"effect", n.effect}, {"months", n.months}, {"rules", n.rules}});
  }
  return j;
}

void WritePlanCsv(const Scenario& s, const Plan& plan, std::ostream& out) {
  out << "month,location,model,rental,ordered,delivered,sold,in_service,spend";
  for (const planner::DemandClass& c : s.classes) out << ",served_" << report::CsvField(c.id);
  out << "\n";
  for (const planner::PlanRow& r : plan.rows) {
    out << plan.months[static_cast<size_t>(r.month)] << "," << report::CsvField(r.location) << ","
        << r.model << "," << (r.rental ? "true" : "false") << "," << report::FormatNumber(r.ordered)
        << "," << report::FormatNumber(r.delivered) << "," << report::FormatNumber(r.sold) << ","
        << report::FormatNumber(r.in_service) << "," << report::FormatNumber(r.spend);
    for (double h : r.served_hours) out << "," << report::FormatNumber(h);
    out << "\n";
  }
}

void WritePlanSvg(const Scenario& s, const Plan& plan, std::ostream& out) {
  report::LineChart chart;
  chart.title = "Plan '" + plan.scenario + "': capacity and demand";
  chart.x_label = "month of the horizon";
  chart.y_label = "accelerator-hours per month (millions)";
  chart.x_min = 1;
  chart.x_max = std::max(2, s.months);
  std::vector<double> x, demand(static_cast<size_t>(s.months), 0),
      served(static_cast<size_t>(s.months), 0), owned(static_cast<size_t>(s.months), 0),
      rented(static_cast<size_t>(s.months), 0);
  for (int t = 0; t < s.months; ++t) x.push_back(t + 1);
  for (const planner::ClassOutcome& c : plan.classes) {
    for (size_t t = 0; t < c.demand.size(); ++t) {
      demand[t] += c.demand[t] / 1e6;
      served[t] += c.served[t] / 1e6;
    }
  }
  for (const planner::PlanRow& r : plan.rows) {
    const auto t = static_cast<size_t>(r.month);
    (r.rental ? rented : owned)[t] += r.in_service * s.MonthHours(r.month) / 1e6;
  }
  std::vector<double> capacity(owned.size());
  for (size_t t = 0; t < owned.size(); ++t) capacity[t] = owned[t] + rented[t];
  chart.series = {{"demand", x, demand},
                  {"served", x, served},
                  {"capacity (owned + rented)", x, capacity},
                  {"owned", x, owned}};
  double top = 1;
  for (const auto& series : chart.series) {
    for (double y : series.y) top = std::max(top, y);
  }
  chart.y_min = 0;
  chart.y_max = top * 1.05;
  report::WriteSvgLineChart(chart, {}, out);
}

void WriteComparisonText(const Scenario& s, const Plan& base, const Plan& what_if,
                         std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  auto add = [&](std::string name, double a, double b) {
    const std::string change =
        a != 0 ? fmt::format("{:+.1f}%", 100 * (b - a) / std::abs(a)) : (b != 0 ? "new" : "");
    rows.push_back({std::move(name), Compact(a), Compact(b), change});
  };
  rows.push_back({"status", base.status, what_if.status, ""});
  add("objective", base.objective, what_if.objective);
  for (const planner::AreaSpend& a : base.spend) {
    double other = 0;
    for (const planner::AreaSpend& b : what_if.spend) {
      if (b.area == a.area) other = b.spent;
    }
    add("spend " + a.area, a.spent, other);
  }
  add("revenue shares", base.revenue_share_spend, what_if.revenue_share_spend);
  add("accelerators bought", base.purchased_units, what_if.purchased_units);
  std::set<std::string> models;
  auto bought = [](const Plan& p) {
    std::map<std::string, double> by_model;
    for (const planner::PlanRow& r : p.rows) {
      if (!r.rental) by_model[r.model] += r.ordered;
    }
    return by_model;
  };
  const auto bought_a = bought(base);
  const auto bought_b = bought(what_if);
  for (const auto& [m, v] : bought_a) models.insert(m);
  for (const auto& [m, v] : bought_b) models.insert(m);
  for (const std::string& m : models) {
    const double a = bought_a.count(m) ? bought_a.at(m) : 0;
    const double b = bought_b.count(m) ? bought_b.at(m) : 0;
    if (a > 0 || b > 0) add("  bought " + m, a, b);
  }
  auto rented_months = [](const Plan& p) {
    double sum = 0;
    for (const planner::PlanRow& r : p.rows) {
      if (r.rental) sum += r.in_service;
    }
    return sum;
  };
  add("accelerator-months rented", rented_months(base), rented_months(what_if));
  for (size_t k = 0; k < base.classes.size() && k < what_if.classes.size(); ++k) {
    rows.push_back(
        {"served " + base.classes[k].id, Pct(ServedPct(base.classes[k])),
         Pct(ServedPct(what_if.classes[k])),
         fmt::format("{:+.1f} pt", ServedPct(what_if.classes[k]) - ServedPct(base.classes[k]))});
  }
  if (s.budget.domestic_min_pct) {
    rows.push_back(
        {"domestic share", Pct(base.domestic_share_pct), Pct(what_if.domestic_share_pct),
         fmt::format("{:+.1f} pt", what_if.domestic_share_pct - base.domestic_share_pct)});
  }
  report::WriteTextTable({"", "base", "what-if", "change"}, rows, out);
  out << "\nBinding in the what-if plan:\n";
  for (const planner::BindingConstraint& b : what_if.binding) {
    out << "  " << b.name
        << (b.months.empty() ? "" : " (" + planner::FormatMonthRuns(b.months) + ")")
        << (b.shadow_value ? fmt::format(", shadow {:.4g}", *b.shadow_value) : "") << "\n";
  }
  for (const std::string& c : what_if.conflicts) out << "  conflict: " << c << "\n";
}

}  // namespace gpufleet::cli
