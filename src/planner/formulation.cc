// The planner's mixed-integer program (docs/planner.md, "Formulation").

#include "planner/formulation.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace gpufleet::planner {
namespace {

struct Builder {
  const Scenario& s;
  const RuleCalendar& rules;
  Formulation f;
  int months = 0;

  // Notes: (what, where, effect, rules) -> months.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::vector<std::string>>
      notes;

  std::vector<std::vector<int>> demand_rows;  // [class][month]
  std::map<std::string, int> area_rows;
  int total_row = -1;
  int domestic_row = -1;
  std::map<std::string, size_t> site_index;  // plan site id -> index into s.sites
  // (site, model id) -> capacity row per month.
  std::map<std::pair<size_t, std::string>, std::vector<int>> capacity_rows;
  std::vector<std::vector<int>> site_capacity_rows;  // [site][month], -1 without a capacity
  // [rental][month]: hours served on the rental <= hours of the accelerators rented.
  std::vector<std::vector<int>> rental_hours_rows;

  int Column(ColumnMeaning m, std::string name, double lb, double ub, double obj, bool integer) {
    f.columns.push_back(m);
    return f.lp.AddColumn(std::move(name), lb, ub, obj, integer);
  }
  int Row(RowMeaning m, double lb, double ub) {
    const std::string name = m.name + (m.month >= 0 ? " " + s.MonthLabel(m.month) : "");
    f.rows.push_back(std::move(m));
    return f.lp.AddRow(name, lb, ub);
  }
  void Note(const std::string& what, const std::string& where, const Permission& p, int t) {
    if (!p.allowed) {
      notes[{what, where, "blocked", p.rules}].push_back(s.MonthLabel(t));
    } else if (p.revenue_share_pct > 0) {
      notes[{what, where, fmt::format("revenue share {:g}%", p.revenue_share_pct), p.rules}]
          .push_back(s.MonthLabel(t));
    }
  }
  // Spending of `cost` per unit of `col` in `area` (and in the total).
  void Charge(int col, double cost, const std::string& area) {
    if (auto it = area_rows.find(area); it != area_rows.end()) f.lp.Add(it->second, col, cost);
    if (total_row >= 0) f.lp.Add(total_row, col, cost);
  }
  double Hours(int t) const { return s.MonthHours(t); }

  void DemandAndBudgetRows();
  void CapacityRows();
  void Purchases();
  void Sales();
  void Rentals();
  void Serving();
  void Elastic();
};

void Builder::DemandAndBudgetRows() {
  for (size_t k = 0; k < s.classes.size(); ++k) {
    const DemandClass& c = s.classes[k];
    demand_rows.emplace_back();
    for (int t = 0; t < months; ++t) {
      const double d = c.demand[static_cast<size_t>(t)];
      const int row = Row({"", "demand '" + c.id + "'", t, true, d}, d, d);
      demand_rows.back().push_back(row);
      ColumnMeaning unmet{ColumnMeaning::Kind::kUnmet, t};
      unmet.demand = static_cast<int>(k);
      const int col = Column(unmet, "unmet_" + c.id + "_" + std::to_string(t), 0, kInfinity,
                             c.unmet_penalty, false);
      f.lp.Add(row, col, 1);
    }
  }
  for (const BudgetArea& a : s.budget.areas) {
    area_rows[a.id] =
        Row({"budget", "budget '" + a.id + "'", -1, true, a.amount}, -kInfinity, a.amount);
    f.budget_rows.emplace_back(a.id, area_rows[a.id]);
  }
  if (s.budget.total) {
    total_row =
        Row({"budget", "budget 'total'", -1, true, *s.budget.total}, -kInfinity, *s.budget.total);
    f.budget_rows.emplace_back("total", total_row);
  }
  if (s.budget.domestic_min_pct.value_or(0) > 0 && !s.purchases.empty()) {
    domestic_row = Row({"domestic_share", "domestic share", -1, false, *s.budget.domestic_min_pct},
                       0, kInfinity);
  }
}

void Builder::CapacityRows() {
  // Existing units per (site, model) per month.
  std::map<std::pair<size_t, std::string>, std::vector<double>> existing;
  for (auto& [key, units] : s.ExistingUnits()) {
    existing[{site_index.at(key.first), key.second}] = std::move(units);
  }
  std::set<std::pair<size_t, std::string>> pairs;
  for (const auto& [key, units] : existing) pairs.insert(key);
  for (const PurchaseOption& p : s.purchases) {
    for (size_t i = 0; i < s.sites.size(); ++i) {
      const bool listed = p.sites.empty() || std::find(p.sites.begin(), p.sites.end(),
                                                       s.sites[i].site->id) != p.sites.end();
      if (listed) pairs.insert({i, p.model->id});
    }
  }
  for (const auto& key : pairs) {
    auto it = existing.find(key);
    std::vector<int>& rows = capacity_rows[key];
    for (int t = 0; t < months; ++t) {
      const double units = it == existing.end() ? 0 : it->second[static_cast<size_t>(t)];
      rows.push_back(
          Row({"", "capacity " + key.second + " at " + s.sites[key.first].site->id, t, true, units},
              -kInfinity, Hours(t) * units));
    }
  }
  site_capacity_rows.assign(s.sites.size(), std::vector<int>(static_cast<size_t>(months), -1));
  for (size_t i = 0; i < s.sites.size(); ++i) {
    if (!s.sites[i].capacity) continue;
    for (int t = 0; t < months; ++t) {
      double present = 0;
      for (const auto& [key, units] : existing) {
        if (key.first == i) present += units[static_cast<size_t>(t)];
      }
      const double cap = *s.sites[i].capacity;
      site_capacity_rows[i][static_cast<size_t>(t)] =
          Row({"site_capacity", "site capacity '" + s.sites[i].site->id + "'", t, true, cap},
              -kInfinity, cap - present);
    }
  }
}

void Builder::Purchases() {
  std::map<std::pair<size_t, int>, std::vector<std::pair<int, double>>> orders;  // (site, t)
  for (size_t p = 0; p < s.purchases.size(); ++p) {
    const PurchaseOption& o = s.purchases[p];
    int commitment_row = -1;
    if (o.committed_units > 0) {
      commitment_row =
          Row({"commitment", "commitment '" + o.id + "'", -1, false, o.committed_units},
              o.committed_units, kInfinity);
    }
    if (o.lead_months >= months) {
      f.dropped.push_back(DroppedOption{
          o.id, fmt::format("lead time of {} months: an order placed in {} arrives in {}, after "
                            "the {}-month horizon ends",
                            o.lead_months, s.MonthLabel(0), s.MonthLabel(o.lead_months), months)});
      continue;
    }
    std::vector<int> supply_rows(static_cast<size_t>(months), -1);
    for (size_t i = 0; i < s.sites.size(); ++i) {
      const PlanSite& site = s.sites[i];
      if (!o.sites.empty() &&
          std::find(o.sites.begin(), o.sites.end(), site.site->id) == o.sites.end()) {
        continue;
      }
      for (int t = 0; t + o.lead_months < months; ++t) {
        const double supply = o.supply[static_cast<size_t>(t)];
        const double max_lots = std::floor(supply / o.lot);
        if (max_lots < 1) continue;
        const int arrives = t + o.lead_months;
        const Permission perm = rules.Buy(p, i, arrives);
        Note("buy '" + o.id + "'", site.site->id, perm, arrives);
        if (!perm.allowed) continue;
        const double base = o.unit_price * o.lot;
        const double cost = base * (1 + perm.revenue_share_pct / 100);
        ColumnMeaning m{ColumnMeaning::Kind::kBuyLots, t, static_cast<int>(i), static_cast<int>(p)};
        m.model = o.model;
        m.cost = cost;
        m.share_cost = cost - base;
        // The objective charges the depreciation of the months in service inside the horizon
        // (straight line over the option's useful life), the budgets the cash: what outlives
        // the plan keeps its value, or a purchase late in the horizon would look worthless.
        const double in_horizon =
            std::min(1.0, static_cast<double>(months - arrives) / o.useful_life_months);
        const int col = Column(m, "buy_" + o.id + "_" + site.site->id + "_" + std::to_string(t), 0,
                               max_lots, cost * in_horizon, true);
        Charge(col, cost, site.area);
        int& supply_row = supply_rows[static_cast<size_t>(t)];
        if (supply_row < 0) {
          supply_row =
              Row({"supply", "supply '" + o.id + "'", t, true, supply}, -kInfinity, supply);
        }
        f.lp.Add(supply_row, col, o.lot);
        orders[{i, t}].emplace_back(col, max_lots);
        const std::vector<int>& cap = capacity_rows.at({i, o.model->id});
        for (int u = arrives; u < months; ++u) {
          f.lp.Add(cap[static_cast<size_t>(u)], col, -Hours(u) * o.lot);
          const int site_row = site_capacity_rows[i][static_cast<size_t>(u)];
          if (site_row >= 0) f.lp.Add(site_row, col, o.lot);
        }
        if (domestic_row >= 0) {
          const double share = *s.budget.domestic_min_pct / 100;
          const double weight = s.budget.domestic_basis == ShareBasis::kCount ? o.lot : cost;
          f.lp.Add(domestic_row, col, ((o.domestic ? 1.0 : 0.0) - share) * weight);
        }
        if (commitment_row >= 0) f.lp.Add(commitment_row, col, o.lot);
      }
    }
  }
  for (const auto& [key, cols] : orders) {
    const PlanSite& site = s.sites[key.first];
    if (site.order_cost <= 0) continue;
    ColumnMeaning m{ColumnMeaning::Kind::kOrderMonth, key.second, static_cast<int>(key.first)};
    m.cost = site.order_cost;
    const int z = Column(m, "order_" + site.site->id + "_" + std::to_string(key.second), 0, 1,
                         site.order_cost, true);
    Charge(z, site.order_cost, site.area);
    // One link per purchase column (lots <= max_lots x z), not one per site-month (sum of
    // lots <= sum of max_lots x z): with the sum, the LP relaxation opens a site-month for a
    // tiny fraction of its order cost, so neither its bound nor CBC's diving heuristics see
    // order costs, and CBC spends seconds at the root finding a plan within the gap.
    for (const auto& [col, max_lots] : cols) {
      const int link = Row({"", "order link " + site.site->id, key.second, true, 0}, -kInfinity, 0);
      f.lp.Add(link, col, 1);
      f.lp.Add(link, z, -max_lots);
    }
  }
}

void Builder::Sales() {
  for (size_t g = 0; g < s.existing.size(); ++g) {
    const ExistingGroup& group = s.existing[g];
    if (group.retires == 0 || s.sales.empty()) continue;
    const size_t i = site_index.at(group.site);
    const double units = group.units[0];
    const double residual = ResidualValue(s, group);
    // A unit sold in month t is out of service from t until the group retires anyway.
    int sold_row = -1;
    for (size_t q = 0; q < s.sales.size(); ++q) {
      const SaleOption& sale = s.sales[q];
      if (!sale.models.empty() &&
          std::find(sale.models.begin(), sale.models.end(), group.model->id) == sale.models.end()) {
        continue;
      }
      for (int t = 0; t < group.retires; ++t) {
        const Permission perm = rules.Sell(g, q, t);
        Note("sell " + group.model->id + " to " + sale.buyer, group.site, perm, t);
        if (!perm.allowed) continue;
        if (sold_row < 0) {
          sold_row = Row({"", "sold " + group.model->id + " at " + group.site, -1, true, units},
                         -kInfinity, units);
        }
        ColumnMeaning m{ColumnMeaning::Kind::kSell, t, static_cast<int>(i), static_cast<int>(g),
                        static_cast<int>(q)};
        m.model = group.model;
        m.cost = -sale.unit_price;
        // The objective gives up what the unit would still be worth after the horizon.
        const int col = Column(m, "sell_" + sale.id + "_" + group.site + "_" + std::to_string(t), 0,
                               units, -sale.unit_price + residual, true);
        Charge(col, -sale.unit_price, s.sites[i].area);
        f.lp.Add(sold_row, col, 1);
        const std::vector<int>& cap = capacity_rows.at({i, group.model->id});
        for (int u = t; u < group.retires; ++u) {
          f.lp.Add(cap[static_cast<size_t>(u)], col, Hours(u));
          const int site_row = site_capacity_rows[i][static_cast<size_t>(u)];
          if (site_row >= 0) f.lp.Add(site_row, col, -1);
        }
      }
    }
  }
}

void Builder::Rentals() {
  rental_hours_rows.assign(s.rentals.size(), {});
  for (size_t r = 0; r < s.rentals.size(); ++r) {
    const RentalOption& o = s.rentals[r];
    for (int t = 0; t < months; ++t) {
      const double max_units = o.max_units[static_cast<size_t>(t)];
      ColumnMeaning m{ColumnMeaning::Kind::kRent, t, -1, static_cast<int>(r)};
      m.model = o.model;
      m.cost = o.price_per_hour * Hours(t);
      const int col = Column(m, "rent_" + o.id + "_" + std::to_string(t), 0, kInfinity, m.cost,
                             !o.fractional_units);
      Charge(col, m.cost, o.area);
      const int cap = Row({"rental_capacity", "rental capacity '" + o.id + "'", t, true, max_units},
                          -kInfinity, max_units);
      f.lp.Add(cap, col, 1);
      const int hours = Row({"", "rented hours '" + o.id + "'", t, true, 0}, -kInfinity, 0);
      f.lp.Add(hours, col, -Hours(t));
      rental_hours_rows[r].push_back(hours);
      if (o.committed_units > 0) {
        const int commit = Row(
            {"rental_commitment", "rental commitment '" + o.id + "'", t, false, o.committed_units},
            o.committed_units, kInfinity);
        f.lp.Add(commit, col, 1);
      }
    }
  }
}

void Builder::Serving() {
  for (size_t k = 0; k < s.classes.size(); ++k) {
    const DemandClass& c = s.classes[k];
    auto may_run_in = [&](const std::string& country) {
      return c.countries.empty() ||
             std::find(c.countries.begin(), c.countries.end(), country) != c.countries.end();
    };
    auto efficiency = [&](const catalog::AcceleratorSpec& model) -> double {
      auto it = c.throughput.find(model.id);
      if (it == c.throughput.end()) return 0;
      return c.unit == DemandUnit::kTppHours ? it->second * catalog::Tpp(model).value_or(0)
                                             : it->second;
    };
    for (const auto& [key, cap_rows] : capacity_rows) {
      const PlanSite& site = s.sites[key.first];
      const catalog::AcceleratorSpec& model = *s.catalog->Find(key.second);
      const double eff = efficiency(model);
      if (eff <= 0 || !may_run_in(site.site->country)) continue;
      for (int t = 0; t < months; ++t) {
        const Permission perm = rules.Use(model, key.first, k, t);
        Note("run '" + c.id + "' on " + model.id, site.site->id, perm, t);
        if (!perm.allowed) continue;
        ColumnMeaning m{ColumnMeaning::Kind::kServe, t,     static_cast<int>(key.first), -1, -1,
                        static_cast<int>(k),         &model};
        const int col = Column(
            m, "serve_" + c.id + "_" + model.id + "_" + site.site->id + "_" + std::to_string(t), 0,
            kInfinity, 0, false);
        f.lp.Add(demand_rows[k][static_cast<size_t>(t)], col, eff);
        f.lp.Add(cap_rows[static_cast<size_t>(t)], col, 1);
      }
    }
    for (size_t r = 0; r < s.rentals.size(); ++r) {
      const RentalOption& o = s.rentals[r];
      const double eff = efficiency(*o.model);
      if (eff <= 0 || !may_run_in(o.country)) continue;
      for (int t = 0; t < months; ++t) {
        const Permission perm = rules.Rent(r, k, t);
        Note("run '" + c.id + "'", "rental '" + o.id + "'", perm, t);
        if (!perm.allowed) continue;
        ColumnMeaning m{ColumnMeaning::Kind::kServe, t,      -1, static_cast<int>(r), -1,
                        static_cast<int>(k),         o.model};
        const int col = Column(m, "serve_" + c.id + "_" + o.id + "_" + std::to_string(t), 0,
                               kInfinity, 0, false);
        f.lp.Add(demand_rows[k][static_cast<size_t>(t)], col, eff);
        f.lp.Add(rental_hours_rows[r][static_cast<size_t>(t)], col, 1);
      }
    }
  }
}

void Builder::Elastic() {
  for (size_t r = 0; r < f.rows.size(); ++r) {
    const RowMeaning& row = f.rows[r];
    if (row.kind.empty()) continue;
    ColumnMeaning m{ColumnMeaning::Kind::kElastic};
    m.option = static_cast<int>(r);
    const double scale = std::max(1.0, std::abs(row.limit));
    const int col = Column(m, "elastic_" + std::to_string(r), 0, kInfinity, 1 / scale, false);
    f.lp.Add(static_cast<int>(r), col, row.upper ? -1 : 1);
  }
}

}  // namespace

double ResidualValue(const Scenario& s, const ExistingGroup& group) {
  double price = 0;
  const auto usd = s.currency == "USD" ? std::optional<double>(1.0)
                   : s.exchange_rates.count("USD")
                       ? std::optional<double>(s.exchange_rates.at("USD"))
                       : std::nullopt;
  if (group.model->price_usd && usd) price = *group.model->price_usd * *usd;
  for (const PurchaseOption& p : s.purchases) {
    if (p.model == group.model) {
      price = p.unit_price;
      break;
    }
  }
  // Whole months from acquisition to the end of the horizon, as the retirement count does.
  const auto from =
      std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{group.acquired.days()}}};
  const auto to = std::chrono::year_month_day{
      std::chrono::sys_days{std::chrono::days{s.MonthStart(s.months).days()}}};
  const int age = (static_cast<int>(to.year()) - static_cast<int>(from.year())) * 12 +
                  static_cast<int>(static_cast<unsigned>(to.month())) -
                  static_cast<int>(static_cast<unsigned>(from.month()));
  const int left = std::max(0, s.life_months - age);
  return price * left / s.life_months;
}

Formulation Formulate(const Scenario& s, const RuleCalendar& rules, bool elastic) {
  Builder b{s, rules, {}, s.months, {}, {}, {}, -1, -1, {}, {}, {}, {}};
  for (size_t i = 0; i < s.sites.size(); ++i) b.site_index[s.sites[i].site->id] = i;
  b.DemandAndBudgetRows();
  b.CapacityRows();
  b.Purchases();
  b.Sales();
  b.Rentals();
  b.Serving();
  if (elastic) {
    for (auto& col : b.f.lp.columns) col.obj = 0;
    b.Elastic();
  }
  // One note per (what, effect, rules, months), its locations joined: "at sh-03, gz-hub".
  std::map<std::tuple<std::string, std::string, std::string, std::vector<std::string>>,
           std::vector<std::string>>
      merged;
  for (auto& [key, months] : b.notes) {
    merged[{std::get<0>(key), std::get<2>(key), std::get<3>(key), months}].push_back(
        std::get<1>(key));
  }
  for (auto& [key, wheres] : merged) {
    std::string subject = std::get<0>(key) + " at ";
    for (size_t i = 0; i < wheres.size(); ++i) subject += (i ? ", " : "") + wheres[i];
    b.f.rule_notes.push_back(
        RuleNote{std::move(subject), std::get<1>(key), std::get<3>(key), std::get<2>(key)});
  }
  return std::move(b.f);
}

}  // namespace gpufleet::planner
