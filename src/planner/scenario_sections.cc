#include "planner/scenario_sections.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "gpufleet/model/utf8.h"

namespace gpufleet::planner {
namespace {

using codec::YamlField;
using codec::YamlMap;

template <typename T>
Status Assign(Result<T> r, T& out) {
  if (!r.ok()) return r.status();
  out = std::move(r).value();
  return Status::Ok();
}

// Reads a list of maps, each with a unique `id`, through `read(entry, out)`; `what` names an
// entry in messages ("purchase").
template <typename T, typename ReadFn>
Result<std::vector<T>> ReadEntries(const YamlMap& doc, const YamlField& f, std::string_view what,
                                   ReadFn read) {
  Result<std::vector<YamlField>> items = doc.ReadList(f);
  if (!items.ok()) return items.status();
  std::vector<T> out;
  std::map<std::string, int> first_line;
  for (const YamlField& item : *items) {
    Result<YamlMap> entry = doc.ReadMap(item);
    if (!entry.ok()) return entry.status();
    GPUFLEET_RETURN_IF_ERROR(
        entry->RequireKeys({"id"}, "every " + std::string(what) + " needs one"));
    Result<std::string> id = ReadName(*entry, *entry->Find("id"));
    if (!id.ok()) return id.status();
    const auto [it, inserted] = first_line.emplace(*id, entry->line());
    if (!inserted) {
      return entry->Error("id", "'" + Excerpt(*id) + "' is already the id of the " +
                                    std::string(what) + " on line " + std::to_string(it->second));
    }
    const YamlMap m = entry->WithContext(std::string(what) + " '" + Excerpt(*id) + "'");
    T value;
    value.id = *id;
    value.line = m.line();
    GPUFLEET_RETURN_IF_ERROR(read(m, value));
    out.push_back(std::move(value));
  }
  return out;
}

// Whole lots of more than this many accelerators are not sold.
constexpr int kMaxLot = 10000;
constexpr Limit kPercentLimit{100, "percent"};
constexpr Limit kTimeLimit{86400, "seconds"};

Result<int> ReadIntIn(const YamlMap& m, const YamlField& f, int min, int max) {
  Result<int> v = m.ReadInt(f);
  if (!v.ok()) return v.status();
  if (*v < min || *v > max) {
    return m.Error(f, "expected an integer from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", got " + Excerpt(f.value->scalar()));
  }
  return *v;
}

Status ReadThroughput(const YamlMap& m, const YamlField& f, const ValueContext& ctx,
                      DemandClass& c) {
  Result<YamlMap> map = m.ReadMap(f);
  if (!map.ok()) return map.status();
  for (const YamlField& entry : map->fields()) {
    const catalog::AcceleratorSpec* spec = ctx.catalog->Find(entry.name);
    if (spec == nullptr) {
      return map->ErrorAt(*entry.key, "throughput",
                          "unknown model '" + Excerpt(entry.name) + "' (not in the catalog)");
    }
    Result<double> v = map->ReadNumber(entry);
    if (!v.ok()) return v.status();
    if (*v < kMinThroughput || *v > kThroughputLimit.max) {
      return map->Error(
          entry, fmt::format("expected a relative throughput from {:g} to {:g}, got {}",
                             kMinThroughput, kThroughputLimit.max, Excerpt(entry.value->scalar())));
    }
    if (!c.throughput.emplace(spec->id, *v).second) {
      return map->ErrorAt(*entry.key, "throughput",
                          "model '" + Excerpt(spec->id) + "' given twice");
    }
  }
  if (c.throughput.empty()) return m.Error(f, "lists no model, so nothing could serve the class");
  return Status::Ok();
}

Status ReadDemandClass(const YamlMap& m, const ValueContext& ctx, DemandClass& c) {
  static constexpr std::string_view kKeys[] = {
      "id", "unit", "per_month", "unmet_penalty", "countries", "data_class", "throughput"};
  GPUFLEET_RETURN_IF_ERROR(m.CheckKeys(kKeys));
  GPUFLEET_RETURN_IF_ERROR(
      m.RequireKeys({"per_month", "unmet_penalty", "throughput"}, "every demand class needs one"));
  // The unit first, wherever it is written: the bound on per_month depends on it.
  if (const YamlField* f = m.Find("unit")) {
    Result<std::string> unit = m.ReadText(*f);
    if (!unit.ok()) return unit.status();
    if (*unit == "accelerator_hours") {
      c.unit = DemandUnit::kAcceleratorHours;
    } else if (*unit == "tpp_hours") {
      c.unit = DemandUnit::kTppHours;
    } else {
      return m.Error(*f, "expected accelerator_hours or tpp_hours, got '" + Excerpt(*unit) + "'");
    }
  }
  for (const YamlField& f : m.fields()) {
    if (f.name == "per_month") {
      const Limit& limit = c.unit == DemandUnit::kTppHours ? kTppDemandLimit : kDemandLimit;
      GPUFLEET_RETURN_IF_ERROR(Assign(ReadSeries(m, f, ctx, limit), c.demand));
    } else if (f.name == "unmet_penalty") {
      GPUFLEET_RETURN_IF_ERROR(Assign(ReadMoney(m, f, ctx, kPenaltyLimit), c.unmet_penalty));
    } else if (f.name == "countries") {
      GPUFLEET_RETURN_IF_ERROR(Assign(ReadCountries(m, f), c.countries));
    } else if (f.name == "data_class") {
      GPUFLEET_RETURN_IF_ERROR(Assign(ReadName(m, f), c.data_class));
    } else if (f.name == "throughput") {
      GPUFLEET_RETURN_IF_ERROR(ReadThroughput(m, f, ctx, c));
    }
  }
  if (c.unit == DemandUnit::kTppHours) {
    for (const auto& [model, factor] : c.throughput) {
      if (!catalog::Tpp(*ctx.catalog->Find(model)).has_value()) {
        return m.Error("throughput", "demand in tpp_hours, but the catalog gives no TPP for '" +
                                         Excerpt(model) + "'");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<DemandClass>> ReadDemand(const YamlMap& doc, const YamlField& f,
                                            const ValueContext& ctx) {
  auto classes = ReadEntries<DemandClass>(
      doc, f, "demand class",
      [&](const YamlMap& m, DemandClass& c) { return ReadDemandClass(m, ctx, c); });
  if (classes.ok() && classes->empty()) return doc.Error(f, "lists no demand class");
  return classes;
}

Result<std::vector<PlanSite>> ReadSites(const YamlMap& doc, const YamlField& f,
                                        const ValueContext& ctx, const inventory::Inventory& fleet,
                                        double order_cost) {
  struct SiteEntry {
    std::string id;
    int line = 0;
    PlanSite site;
  };
  auto entries =
      ReadEntries<SiteEntry>(doc, f, "site", [&](const YamlMap& m, SiteEntry& e) -> Status {
        static constexpr std::string_view kKeys[] = {"id", "capacity", "order_cost"};
        GPUFLEET_RETURN_IF_ERROR(m.CheckKeys(kKeys));
        e.site.site = fleet.FindSite(e.id);
        if (e.site.site == nullptr) {
          return m.Error("id", "'" + Excerpt(e.id) + "' is not a site of the fleet file");
        }
        e.site.order_cost = order_cost;
        for (const YamlField& field : m.fields()) {
          if (field.name == "capacity") {
            Result<double> cap = ReadNonNegative(m, field, kFleetUnitsLimit);
            if (!cap.ok()) return cap.status();
            e.site.capacity = *cap;
          } else if (field.name == "order_cost") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadMoney(m, field, ctx), e.site.order_cost));
          }
        }
        return Status::Ok();
      });
  if (!entries.ok()) return entries.status();
  std::vector<PlanSite> sites;
  for (SiteEntry& e : *entries) sites.push_back(e.site);
  return sites;
}

Result<std::vector<PurchaseOption>> ReadPurchases(const YamlMap& doc, const YamlField& f,
                                                  const ValueContext& ctx) {
  return ReadEntries<PurchaseOption>(
      doc, f, "purchase", [&](const YamlMap& m, PurchaseOption& p) -> Status {
        static constexpr std::string_view kKeys[] = {"id",
                                                     "model",
                                                     "vendor",
                                                     "unit_price",
                                                     "lot",
                                                     "lead_months",
                                                     "supply_per_month",
                                                     "sites",
                                                     "ships_from",
                                                     "committed_units",
                                                     "useful_life_months"};
        GPUFLEET_RETURN_IF_ERROR(m.CheckKeys(kKeys));
        GPUFLEET_RETURN_IF_ERROR(
            m.RequireKeys({"model", "supply_per_month"}, "every purchase option needs one"));
        GPUFLEET_RETURN_IF_ERROR(Assign(ReadModel(m, *m.Find("model"), ctx), p.model));
        p.vendor = p.model->vendor;
        p.ships_from = p.model->designer_country;
        bool priced = false;
        for (const YamlField& field : m.fields()) {
          if (field.name == "vendor") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadName(m, field), p.vendor));
          } else if (field.name == "unit_price") {
            GPUFLEET_RETURN_IF_ERROR(
                Assign(ReadMoney(m, field, ctx, kUnitPriceLimit), p.unit_price));
            priced = true;
          } else if (field.name == "lot") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadIntIn(m, field, 1, kMaxLot), p.lot));
          } else if (field.name == "lead_months") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadIntIn(m, field, 0, kMaxLeadMonths), p.lead_months));
          } else if (field.name == "supply_per_month") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadSeries(m, field, ctx, kUnitsLimit), p.supply));
          } else if (field.name == "sites") {
            GPUFLEET_RETURN_IF_ERROR(Assign(m.ReadStrings(field), p.sites));
          } else if (field.name == "ships_from") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadCountry(m, field), p.ships_from));
          } else if (field.name == "committed_units") {
            GPUFLEET_RETURN_IF_ERROR(
                Assign(ReadNonNegative(m, field, kFleetUnitsLimit), p.committed_units));
          } else if (field.name == "useful_life_months") {
            GPUFLEET_RETURN_IF_ERROR(
                Assign(ReadIntIn(m, field, 1, kMaxLifeMonths), p.useful_life_months));
            p.useful_life_given = true;
          }
        }
        if (!priced) {
          if (!p.model->price_usd.has_value()) {
            return m.Missing("unit_price",
                             "the catalog gives no price for '" + Excerpt(p.model->id) + "'");
          }
          const auto usd = ctx.currency == "USD" ? 1.0 : 0.0;
          const auto rate = ctx.rates.find("USD");
          if (usd == 0 && rate == ctx.rates.end()) {
            return m.Missing("unit_price",
                             "the catalog price is in USD and exchange_rates has "
                             "no USD rate");
          }
          p.unit_price = *p.model->price_usd * (usd != 0 ? usd : rate->second);
          // The catalog's price at the scenario's USD rate is bounded like a given one.
          if (p.unit_price > kUnitPriceLimit.max) {
            return AboveLimit(m, *m.Find("model"), p.unit_price, kUnitPriceLimit);
          }
        }
        return Status::Ok();
      });
}

Result<std::vector<RentalOption>> ReadRentals(const YamlMap& doc, const YamlField& f,
                                              const ValueContext& ctx) {
  return ReadEntries<RentalOption>(
      doc, f, "rental", [&](const YamlMap& m, RentalOption& r) -> Status {
        static constexpr std::string_view kKeys[] = {
            "id",        "provider",        "country",         "model", "price_per_hour",
            "max_units", "committed_units", "fractional_units"};
        GPUFLEET_RETURN_IF_ERROR(m.CheckKeys(kKeys));
        GPUFLEET_RETURN_IF_ERROR(
            m.RequireKeys({"provider", "country", "model", "price_per_hour", "max_units"},
                          "every rental option needs one"));
        for (const YamlField& field : m.fields()) {
          if (field.name == "provider") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadName(m, field), r.provider));
          } else if (field.name == "country") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadCountry(m, field), r.country));
          } else if (field.name == "model") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadModel(m, field, ctx), r.model));
          } else if (field.name == "price_per_hour") {
            GPUFLEET_RETURN_IF_ERROR(
                Assign(ReadMoney(m, field, ctx, kHourlyPriceLimit), r.price_per_hour));
          } else if (field.name == "max_units") {
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadSeries(m, field, ctx, kUnitsLimit), r.max_units));
          } else if (field.name == "committed_units") {
            GPUFLEET_RETURN_IF_ERROR(
                Assign(ReadNonNegative(m, field, kUnitsLimit), r.committed_units));
          } else if (field.name == "fractional_units") {
            GPUFLEET_RETURN_IF_ERROR(Assign(m.ReadBool(field), r.fractional_units));
          }
        }
        return Status::Ok();
      });
}

Result<std::vector<SaleOption>> ReadSales(const YamlMap& doc, const YamlField& f,
                                          const ValueContext& ctx,
                                          const inventory::Inventory& fleet) {
  return ReadEntries<SaleOption>(doc, f, "sale", [&](const YamlMap& m, SaleOption& s) -> Status {
    static constexpr std::string_view kKeys[] = {"id", "buyer", "models", "unit_price"};
    GPUFLEET_RETURN_IF_ERROR(m.CheckKeys(kKeys));
    GPUFLEET_RETURN_IF_ERROR(m.RequireKeys({"buyer", "unit_price"}, "every sale needs one"));
    for (const YamlField& field : m.fields()) {
      if (field.name == "buyer") {
        GPUFLEET_RETURN_IF_ERROR(Assign(m.ReadText(field), s.buyer));
        if (fleet.FindOrg(s.buyer) == nullptr) {
          return m.Error(field,
                         "'" + Excerpt(s.buyer) + "' is not an organisation of the fleet file");
        }
      } else if (field.name == "models") {
        Result<std::vector<YamlField>> items = m.ReadList(field);
        if (!items.ok()) return items.status();
        for (const YamlField& item : *items) {
          Result<const catalog::AcceleratorSpec*> spec = ReadModel(m, item, ctx);
          if (!spec.ok()) return spec.status();
          s.models.push_back((*spec)->id);
        }
      } else if (field.name == "unit_price") {
        GPUFLEET_RETURN_IF_ERROR(Assign(ReadMoney(m, field, ctx, kUnitPriceLimit), s.unit_price));
      }
    }
    return Status::Ok();
  });
}

Result<Budget> ReadBudget(const YamlMap& doc, const YamlField& f, const ValueContext& ctx) {
  Result<YamlMap> m = doc.ReadMap(f);
  if (!m.ok()) return m.status();
  static constexpr std::string_view kKeys[] = {"total", "areas", "domestic_share"};
  GPUFLEET_RETURN_IF_ERROR(m->CheckKeys(kKeys));
  Budget budget;
  for (const YamlField& field : m->fields()) {
    if (field.name == "total") {
      Result<double> total = ReadMoney(*m, field, ctx);
      if (!total.ok()) return total.status();
      budget.total = *total;
    } else if (field.name == "areas") {
      auto areas = ReadEntries<BudgetArea>(
          *m, field, "budget area", [&](const YamlMap& a, BudgetArea& area) -> Status {
            static constexpr std::string_view kAreaKeys[] = {"id", "countries", "amount"};
            GPUFLEET_RETURN_IF_ERROR(a.CheckKeys(kAreaKeys));
            GPUFLEET_RETURN_IF_ERROR(a.RequireKeys({"amount"}, "every budget area needs one"));
            GPUFLEET_RETURN_IF_ERROR(Assign(ReadMoney(a, *a.Find("amount"), ctx), area.amount));
            if (const YamlField* c = a.Find("countries")) {
              GPUFLEET_RETURN_IF_ERROR(Assign(ReadCountries(a, *c), area.countries));
            }
            return Status::Ok();
          });
      if (!areas.ok()) return areas.status();
      int catch_all = 0;
      std::set<std::string> seen;
      for (const BudgetArea& area : *areas) {
        if (area.countries.empty() && ++catch_all > 1) {
          return m->Error(field, "two areas list no countries; only one may take the rest");
        }
        for (const std::string& c : area.countries) {
          if (!seen.insert(c).second) {
            return m->Error(field, "country " + c + " is in two budget areas");
          }
        }
      }
      budget.areas = std::move(areas).value();
    } else if (field.name == "domestic_share") {
      Result<YamlMap> share = m->ReadMap(field);
      if (!share.ok()) return share.status();
      static constexpr std::string_view kShareKeys[] = {"min_pct", "basis", "jurisdiction"};
      GPUFLEET_RETURN_IF_ERROR(share->CheckKeys(kShareKeys));
      GPUFLEET_RETURN_IF_ERROR(share->RequireKeys({"min_pct"}, "the share to keep"));
      for (const YamlField& s : share->fields()) {
        if (s.name == "min_pct") {
          Result<double> pct = ReadNonNegative(*share, s, kPercentLimit);
          if (!pct.ok()) return pct.status();
          budget.domestic_min_pct = *pct;
        } else if (s.name == "basis") {
          Result<std::string> basis = share->ReadText(s);
          if (!basis.ok()) return basis.status();
          if (*basis == "count") {
            budget.domestic_basis = ShareBasis::kCount;
          } else if (*basis == "spend") {
            budget.domestic_basis = ShareBasis::kSpend;
          } else {
            return share->Error(s, "expected count or spend, got '" + Excerpt(*basis) + "'");
          }
        } else if (s.name == "jurisdiction") {
          GPUFLEET_RETURN_IF_ERROR(Assign(ReadCountry(*share, s), budget.domestic_jurisdiction));
        }
      }
    }
  }
  return budget;
}

Result<SolverSettings> ReadSolver(const YamlMap& doc, const YamlField& f) {
  Result<YamlMap> m = doc.ReadMap(f);
  if (!m.ok()) return m.status();
  static constexpr std::string_view kKeys[] = {"time_limit_s", "gap_pct"};
  GPUFLEET_RETURN_IF_ERROR(m->CheckKeys(kKeys));
  SolverSettings s;
  for (const YamlField& field : m->fields()) {
    Result<double> v =
        ReadNonNegative(*m, field, field.name == "time_limit_s" ? kTimeLimit : kPercentLimit);
    if (!v.ok()) return v.status();
    if (field.name == "time_limit_s") {
      if (*v <= 0) return m->Error(field, "expected a time limit > 0 seconds");
      s.time_limit_s = *v;
    } else {
      s.gap_pct = *v;
    }
  }
  return s;
}

}  // namespace gpufleet::planner
