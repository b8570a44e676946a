#include "cli/plan_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "cli/plan_text_layout.h"
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

// Exact figures for order lines, as a purchase order writes them: 29976 -> "29,976",
// 24840.5 -> "24,840.50". Whole numbers keep no decimals.
std::string Grouped(double v) {
  const bool whole = std::abs(v - std::round(v)) < 0.005;
  std::string text =
      whole ? fmt::format("{:.0f}", std::abs(v)) : fmt::format("{:.2f}", std::abs(v));
  const size_t point = text.find('.');
  for (int i = static_cast<int>(point == std::string::npos ? text.size() : point) - 3; i > 0;
       i -= 3) {
    text.insert(static_cast<size_t>(i), ",");
  }
  return (v < 0 && text != "0" ? "-" : "") + text;
}

std::string Month(const Plan& plan, int t) {
  return t >= 0 && t < static_cast<int>(plan.months.size()) ? plan.months[static_cast<size_t>(t)]
                                                            : "after the horizon";
}

void WriteOrderLines(const Plan& plan, size_t width, std::ostream& out) {
  out << "\nOrder lines (" << plan.currency
      << "; one per purchase option, site and month ordered)\n";
  if (plan.orders.empty()) {
    out << "(none)\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  long long units = 0;
  double cost = 0;
  for (const planner::OrderLine& o : plan.orders) {
    rows.push_back({o.model, o.vendor, o.site, Month(plan, o.order_month),
                    Month(plan, o.delivery_month), Grouped(static_cast<double>(o.units)),
                    Grouped(o.unit_price), Grouped(o.line_cost), o.area.empty() ? "-" : o.area});
    units += o.units;
    cost += o.line_cost;
  }
  rows.push_back(
      {"total", "", "", "", "", Grouped(static_cast<double>(units)), "", Grouped(cost), ""});
  WriteFittedTable({"model", "vendor", "site", "ordered", "delivery", "units", "unit price",
                    "line cost", "area"},
                   rows, width, out);
}

void WriteSaleLines(const Plan& plan, size_t width, std::ostream& out) {
  if (plan.sales.empty()) return;
  out << "\nSales (" << plan.currency << "; existing accelerators sold)\n";
  std::vector<std::vector<std::string>> rows;
  for (const planner::SaleLine& l : plan.sales) {
    rows.push_back({l.model, l.buyer, l.site, Month(plan, l.month),
                    Grouped(static_cast<double>(l.units)), Grouped(l.unit_price),
                    Grouped(l.proceeds), l.area.empty() ? "-" : l.area});
  }
  WriteFittedTable({"model", "buyer", "site", "month", "units", "unit price", "proceeds", "area"},
                   rows, width, out);
}

void WriteRentalLines(const Plan& plan, size_t width, std::ostream& out) {
  if (plan.rentals.empty()) return;
  out << "\nRentals (" << plan.currency
      << "; accelerators rented per month, charged by the hour)\n";
  std::vector<std::vector<std::string>> rows;
  for (const planner::RentalLine& l : plan.rentals) {
    rows.push_back({l.option, l.provider, l.country, l.model, Month(plan, l.month),
                    Grouped(l.units), fmt::format("{:g}", l.price_per_hour), Grouped(l.cost),
                    l.area.empty() ? "-" : l.area});
  }
  WriteFittedTable(
      {"rental", "provider", "country", "model", "month", "units", "per hour", "cost", "area"},
      rows, width, out);
}

double Sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

void WriteRuleNotes(const Plan& plan, size_t width, std::ostream& out) {
  if (plan.rule_notes.empty()) return;
  out << "\nRules that shaped the plan\n";
  std::vector<std::vector<std::string>> notes;
  for (const planner::RuleNote& n : plan.rule_notes) {
    notes.push_back({n.subject, n.effect, planner::FormatMonthRuns(n.months), n.rules});
  }
  WriteFittedTable({"option", "effect", "months", "rules"}, notes, width, out);
}

void WriteDropped(const Plan& plan, size_t width, std::ostream& out) {
  if (plan.dropped.empty()) return;
  out << "\nOptions left out\n";
  for (const planner::DroppedOption& d : plan.dropped) {
    WriteWrapped("  - '" + d.option + "':", "    ", d.reason, width, out);
  }
}

// Accelerators short per class and month (whole accelerators, rounded up: what it would take).
void WriteShort(const Scenario& s, const Plan& plan, size_t width, std::ostream& out) {
  bool any = false;
  for (const planner::ClassOutcome& c : plan.classes) {
    for (double v : c.short_accelerators) any = any || v > 1e-6;
  }
  if (!any) return;
  out << "\nAccelerators short (unmet demand over the month's hours, rounded up)\n";
  std::vector<std::string> header{"class"};
  for (int t = 0; t < s.months; ++t) header.push_back(s.MonthLabel(t).substr(2));
  header.push_back("peak");
  header.push_back("counted in");
  std::vector<std::vector<std::string>> rows;
  for (const planner::ClassOutcome& c : plan.classes) {
    std::vector<std::string> row{c.id};
    double peak = 0;
    for (double v : c.short_accelerators) {
      // Within a millionth of a whole accelerator counts as that whole one.
      const double whole = std::ceil(v - 1e-6);
      row.push_back(Grouped(std::max(0.0, whole)));
      peak = std::max(peak, whole);
    }
    row.push_back(Grouped(peak));
    row.push_back(c.short_of);
    rows.push_back(std::move(row));
  }
  WriteMonthTable(header, rows, static_cast<size_t>(s.months), width, out);
}

double ServedPct(const planner::ClassOutcome& c) {
  const double d = Sum(c.demand);
  return d > 0 ? 100 * Sum(c.served) / d : 100;
}

}  // namespace

void WritePlanText(const Scenario& s, const Plan& plan, std::ostream& out, size_t width) {
  WriteWrapped("", "  ",
               fmt::format("Plan '{}': {}, gap {:.2f}% ({} months from {}), solved in {:.2f} s "
                           "({} variables, {} integer, {} constraints, {} nodes)",
                           plan.scenario, plan.status, plan.gap_pct, s.months, plan.months.front(),
                           plan.solve_seconds, plan.variables, plan.integer_variables,
                           plan.constraints, plan.nodes),
               width, out);
  if (!plan.has_plan()) {
    if (!plan.conflicts.empty()) {
      out << "\nNo plan meets every constraint. These cannot all hold:\n";
      for (const std::string& c : plan.conflicts) WriteWrapped("  -", "    ", c, width, out);
    } else {
      out << "\nNo plan found within the time limit.\n";
    }
    WriteDropped(plan, width, out);
    WriteRuleNotes(plan, width, out);
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
  WriteFittedTable({"area", "spent", "limit", "used"}, spend, width, out);
  WriteWrapped("", "  ",
               fmt::format("purchases {} (revenue shares {}), order costs {}, rentals {}, "
                           "sales -{}",
                           Compact(plan.purchase_spend), Compact(plan.revenue_share_spend),
                           Compact(plan.order_cost_spend), Compact(plan.rental_spend),
                           Compact(plan.sale_revenue)),
               width, out);
  if (s.budget.domestic_min_pct) {
    out << fmt::format("domestic share of purchases {} (minimum {}, by {})\n",
                       Pct(plan.domestic_share_pct), Pct(*s.budget.domestic_min_pct),
                       s.budget.domestic_basis == planner::ShareBasis::kCount ? "count" : "spend");
  }

  WriteOrderLines(plan, width, out);
  WriteSaleLines(plan, width, out);
  WriteRentalLines(plan, width, out);
  WriteDropped(plan, width, out);
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
  WriteMonthTable(header, served, static_cast<size_t>(s.months), width, out);
  WriteShort(s, plan, width, out);

  out << "\n";
  WriteWrapped("", "",
               "Binding constraints (shadow: objective gained per unit more, LP relaxation; "
               "capacities: the fullest month, units already there included)",
               width, out);
  std::vector<std::vector<std::string>> binding;
  for (const planner::BindingConstraint& b : plan.binding) {
    binding.push_back({b.name, planner::FormatMonthRuns(b.months), Compact(b.used),
                       Compact(b.limit),
                       b.shadow_value ? fmt::format("{:.4g}", *b.shadow_value) : "-"});
  }
  if (binding.empty()) {
    out << "(none)\n";
  } else {
    WriteFittedTable({"constraint", "months", "used", "limit", "shadow"}, binding, width, out);
    out << "\nWhy, in words\n";
    for (const planner::BindingConstraint& b : plan.binding) {
      WriteWrapped("  -", "    ", b.explanation, width, out);
    }
  }
  WriteRuleNotes(plan, width, out);
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
  j["found_by"] = plan.found_by;
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
                            {"unmet_cost", c.unmet_cost},
                            {"short_accelerators", c.short_accelerators},
                            {"short_of", c.short_of}});
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
         {"shadow_value", b.shadow_value ? json(*b.shadow_value) : json(nullptr)},
         {"explanation", b.explanation}});
  }
  j["orders"] = json::array();
  for (const planner::OrderLine& o : plan.orders) {
    j["orders"].push_back({{"option", o.option},
                           {"model", o.model},
                           {"vendor", o.vendor},
                           {"site", o.site},
                           {"order_month", Month(plan, o.order_month)},
                           {"delivery_month", Month(plan, o.delivery_month)},
                           {"units", o.units},
                           {"unit_price", o.unit_price},
                           {"line_cost", o.line_cost},
                           {"currency", plan.currency},
                           {"area", o.area}});
  }
  j["sales"] = json::array();
  for (const planner::SaleLine& l : plan.sales) {
    j["sales"].push_back({{"option", l.option},
                          {"buyer", l.buyer},
                          {"model", l.model},
                          {"site", l.site},
                          {"month", Month(plan, l.month)},
                          {"units", l.units},
                          {"unit_price", l.unit_price},
                          {"proceeds", l.proceeds},
                          {"currency", plan.currency},
                          {"area", l.area}});
  }
  j["rentals"] = json::array();
  for (const planner::RentalLine& l : plan.rentals) {
    j["rentals"].push_back({{"option", l.option},
                            {"provider", l.provider},
                            {"country", l.country},
                            {"model", l.model},
                            {"month", Month(plan, l.month)},
                            {"units", l.units},
                            {"price_per_hour", l.price_per_hour},
                            {"cost", l.cost},
                            {"currency", plan.currency},
                            {"area", l.area}});
  }
  j["dropped"] = json::array();
  for (const planner::DroppedOption& d : plan.dropped) {
    j["dropped"].push_back({{"option", d.option}, {"reason", d.reason}});
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

void WritePlanLinesCsv(const Plan& plan, std::ostream& out) {
  out << "kind,option,model,vendor_or_buyer,site_or_provider,month,delivery_month,units,"
         "unit_price,amount,currency,area\n";
  auto line = [&](std::string_view kind, const std::string& option, const std::string& model,
                  const std::string& party, const std::string& place, int month, int delivery,
                  double units, double price, double amount, const std::string& area) {
    out << kind << "," << report::CsvField(option) << "," << model << "," << report::CsvField(party)
        << "," << report::CsvField(place) << "," << Month(plan, month) << ","
        << (delivery >= 0 ? Month(plan, delivery) : "") << "," << report::FormatNumber(units) << ","
        << report::FormatNumber(price) << "," << report::FormatNumber(amount) << ","
        << plan.currency << "," << report::CsvField(area) << "\n";
  };
  for (const planner::OrderLine& o : plan.orders) {
    line("order", o.option, o.model, o.vendor, o.site, o.order_month, o.delivery_month,
         static_cast<double>(o.units), o.unit_price, o.line_cost, o.area);
  }
  for (const planner::SaleLine& l : plan.sales) {
    line("sale", l.option, l.model, l.buyer, l.site, l.month, -1, static_cast<double>(l.units),
         l.unit_price, l.proceeds, l.area);
  }
  for (const planner::RentalLine& l : plan.rentals) {
    line("rental", l.option, l.model, l.provider, l.country, l.month, -1, l.units, l.price_per_hour,
         l.cost, l.area);
  }
}

namespace {

// A chart over the plan's months, its y axis from 0 to just above the largest value.
report::LineChart MonthChart(const Plan& plan, std::string title, std::string y_label,
                             std::vector<report::ChartSeries> series) {
  report::LineChart chart;
  chart.title = std::move(title);
  chart.x_label = "month";
  chart.x_tick_labels = plan.months;
  chart.y_label = std::move(y_label);
  chart.x_min = 1;
  chart.x_max = std::max<double>(2, static_cast<double>(plan.months.size()));
  double top = 1;
  for (const auto& one : series) {
    for (double y : one.y) top = std::max(top, y);
  }
  chart.y_min = 0;
  chart.y_max = top * 1.05;
  chart.series = std::move(series);
  return chart;
}

// The months where a rule started or stopped deciding an option: each run of months in a
// rule note starts one and ends before another (the first month of the horizon is not a
// change), as chart x positions (month index + 1).
std::vector<double> RuleChangeMarkers(const Plan& plan) {
  std::map<std::string, int> index;
  for (size_t t = 0; t < plan.months.size(); ++t) index[plan.months[t]] = static_cast<int>(t);
  std::set<int> changes;
  for (const planner::RuleNote& note : plan.rule_notes) {
    for (size_t i = 0; i < note.months.size(); ++i) {
      const auto it = index.find(note.months[i]);
      if (it == index.end()) continue;
      const int t = it->second;
      const bool starts = i == 0 || index[note.months[i - 1]] != t - 1;
      const bool ends = i + 1 == note.months.size() || index[note.months[i + 1]] != t + 1;
      if (starts && t > 0) changes.insert(t);
      if (ends && t + 1 < static_cast<int>(plan.months.size())) changes.insert(t + 1);
    }
  }
  std::vector<double> out;
  for (int t : changes) out.push_back(t + 1);
  return out;
}

}  // namespace

void WritePlanSvg(const Scenario& s, const Plan& plan, std::ostream& out) {
  const auto months = static_cast<size_t>(s.months);
  std::vector<double> x;
  for (size_t t = 0; t < months; ++t) x.push_back(static_cast<double>(t + 1));
  auto zeros = [&] { return std::vector<double>(months, 0); };

  std::vector<double> demand = zeros(), served = zeros(), owned = zeros(), rented = zeros();
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
  std::vector<double> capacity(months);
  for (size_t t = 0; t < months; ++t) capacity[t] = owned[t] + rented[t];
  report::LineChart hours =
      MonthChart(plan, "Plan '" + plan.scenario + "': capacity and demand (dashed: rules change)",
                 "accelerator-hours per month (millions)",
                 {{"demand", x, demand},
                  {"served", x, served},
                  {"capacity (owned + rented)", x, capacity},
                  {"owned", x, owned}});
  hours.x_markers = RuleChangeMarkers(plan);

  // Money by the month it is spent (an order when placed, a rental when used, a sale when
  // made) and accelerators bought by order and by delivery month.
  std::vector<double> purchases = zeros(), rentals = zeros(), sales = zeros();
  std::vector<double> ordered = zeros(), delivered = zeros(), sold = zeros();
  for (const planner::OrderLine& o : plan.orders) {
    purchases[static_cast<size_t>(o.order_month)] += o.line_cost / 1e6;
    ordered[static_cast<size_t>(o.order_month)] += static_cast<double>(o.units);
    if (static_cast<size_t>(o.delivery_month) < months) {
      delivered[static_cast<size_t>(o.delivery_month)] += static_cast<double>(o.units);
    }
  }
  for (const planner::RentalLine& l : plan.rentals) {
    rentals[static_cast<size_t>(l.month)] += l.cost / 1e6;
  }
  for (const planner::SaleLine& l : plan.sales) {
    sales[static_cast<size_t>(l.month)] += l.proceeds / 1e6;
    sold[static_cast<size_t>(l.month)] += static_cast<double>(l.units);
  }
  report::LineChart spend = MonthChart(
      plan, "Spend per month", "millions of " + plan.currency,
      {{"purchases", x, purchases}, {"rentals", x, rentals}, {"sales (proceeds)", x, sales}});
  spend.x_markers = hours.x_markers;
  report::LineChart units =
      MonthChart(plan, "Accelerators bought and sold per month", "accelerators",
                 {{"ordered", x, ordered}, {"delivered", x, delivered}, {"sold", x, sold}});
  units.x_markers = hours.x_markers;
  report::WriteSvgCharts({hours, spend, units}, report::SvgOptions{}, out);
}

void WriteComparisonText(const Scenario& s, const Plan& base, const Plan& what_if,
                         std::ostream& out, size_t width) {
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
  WriteFittedTable({"", "base", "what-if", "change"}, rows, width, out);
  out << "\nBinding in the what-if plan:\n";
  for (const planner::BindingConstraint& b : what_if.binding) {
    WriteWrapped("", "    ",
                 "  " + b.name +
                     (b.months.empty() ? "" : " (" + planner::FormatMonthRuns(b.months) + ")") +
                     (b.shadow_value ? fmt::format(", shadow {:.4g}", *b.shadow_value) : ""),
                 width, out);
  }
  for (const std::string& c : what_if.conflicts) WriteWrapped("  conflict:", "    ", c, width, out);
}

}  // namespace gpufleet::cli
