#include "gpufleet/planner/what_if.h"

#include <chrono>
#include <filesystem>

#include "gpufleet/codec/text_file.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/model/utf8.h"
#include "planner/scenario_values.h"

namespace gpufleet::planner {
namespace {

using codec::YamlField;
using codec::YamlMap;

constexpr std::string_view kKeys[] = {"description", "rule_overlays", "supply",
                                      "prices",      "lead_times",    "budget"};
constexpr std::string_view kRuleChangeKeys[] = {"rules",         "quotas",         "licences",
                                                "groups",        "derived",        "remove_rules",
                                                "remove_quotas", "remove_licences"};

bool IsRuleChange(const YamlMap& doc) {
  for (std::string_view k : kRuleChangeKeys) {
    if (doc.Has(k)) return true;
  }
  return false;
}

Status LayerRules(Scenario& s, std::string_view change, const std::string& name) {
  const auto model_ids = s.catalog->IdsByName();
  auto merged = compliance::MergeChange(s.rules_yaml, s.rules_name, change, name, model_ids);
  if (!merged.ok()) return merged.status();
  std::string merged_name = s.rules_name + " + " + name;
  auto rules = compliance::RuleSet::Parse(*merged, merged_name, model_ids);
  if (!rules.ok()) return rules.status();
  s.rules = std::make_shared<const compliance::RuleSet>(std::move(rules).value());
  s.rules_yaml = std::move(merged).value();
  s.rules_name = std::move(merged_name);
  return Status::Ok();
}

// Whether month t of the horizon overlaps the window [from, to] (either end open).
bool InWindow(const Scenario& s, int t, std::optional<Date> from, std::optional<Date> to) {
  const Date first = s.MonthStart(t);
  const Date last = s.MonthStart(t + 1).AddDays(-1);
  return (!from || *from <= last) && (!to || first <= *to);
}

template <typename Fn>
Status ForEachEntry(const YamlMap& doc, const YamlField& f, std::string_view what,
                    std::initializer_list<std::string_view> keys,
                    std::initializer_list<std::string_view> required, Fn fn) {
  Result<std::vector<YamlField>> items = doc.ReadList(f);
  if (!items.ok()) return items.status();
  const std::vector<std::string_view> known(keys);
  for (const YamlField& item : *items) {
    Result<YamlMap> entry = doc.ReadMap(item);
    if (!entry.ok()) return entry.status();
    GPUFLEET_RETURN_IF_ERROR(entry->CheckKeys(known));
    GPUFLEET_RETURN_IF_ERROR(
        entry->RequireKeys(required, "every " + std::string(what) + " needs one"));
    GPUFLEET_RETURN_IF_ERROR(fn(*entry));
  }
  return Status::Ok();
}

Status ApplySupply(Scenario& s, const YamlMap& m) {
  Result<std::string> id = m.String("option");
  if (!id.ok()) return id.status();
  Result<double> factor = ReadNonNegative(m, *m.Find("factor"), kFactorLimit);
  if (!factor.ok()) return factor.status();
  Result<std::optional<Date>> from = m.OptionalDate("from");
  if (!from.ok()) return from.status();
  Result<std::optional<Date>> to = m.OptionalDate("to");
  if (!to.ok()) return to.status();
  std::vector<double>* series = nullptr;
  for (PurchaseOption& p : s.purchases) {
    if (p.id == *id) series = &p.supply;
  }
  for (RentalOption& r : s.rentals) {
    if (r.id == *id) series = &r.max_units;
  }
  if (series == nullptr) {
    return m.Error("option",
                   "'" + Excerpt(*id) + "' is not a purchase or rental option of the scenario");
  }
  for (int t = 0; t < s.months; ++t) {
    if (!InWindow(s, t, *from, *to)) continue;
    double& v = (*series)[static_cast<size_t>(t)];
    // The scenario's bounds hold after the change too, or the solver sees what the reader
    // refuses.
    if (v * *factor > kUnitsLimit.max)
      return AboveLimit(m, *m.Find("factor"), v * *factor, kUnitsLimit);
    v *= *factor;
  }
  return Status::Ok();
}

Status ApplyPrice(Scenario& s, const YamlMap& m) {
  Result<std::string> id = m.String("option");
  if (!id.ok()) return id.status();
  Result<double> factor = ReadNonNegative(m, *m.Find("factor"), kFactorLimit);
  if (!factor.ok()) return factor.status();
  for (PurchaseOption& p : s.purchases) {
    if (p.id == *id) {
      if (p.unit_price * *factor > kUnitPriceLimit.max) {
        return AboveLimit(m, *m.Find("factor"), p.unit_price * *factor, kUnitPriceLimit);
      }
      p.unit_price *= *factor;
      return Status::Ok();
    }
  }
  for (RentalOption& r : s.rentals) {
    if (r.id == *id) {
      if (r.price_per_hour * *factor > kHourlyPriceLimit.max) {
        return AboveLimit(m, *m.Find("factor"), r.price_per_hour * *factor, kHourlyPriceLimit);
      }
      r.price_per_hour *= *factor;
      return Status::Ok();
    }
  }
  return m.Error("option",
                 "'" + Excerpt(*id) + "' is not a purchase or rental option of the scenario");
}

Status ApplyLeadTime(Scenario& s, const YamlMap& m) {
  Result<std::string> id = m.String("option");
  if (!id.ok()) return id.status();
  Result<std::optional<int>> lead = m.OptionalInt("lead_months");
  if (!lead.ok()) return lead.status();
  if (**lead < 0 || **lead > kMaxLeadMonths) {
    return m.Error("lead_months", "expected 0 to " + std::to_string(kMaxLeadMonths) + " months");
  }
  for (PurchaseOption& p : s.purchases) {
    if (p.id == *id) {
      p.lead_months = **lead;
      return Status::Ok();
    }
  }
  return m.Error("option", "'" + Excerpt(*id) + "' is not a purchase option of the scenario");
}

Status ApplyBudget(Scenario& s, const YamlMap& doc, const YamlField& f) {
  Result<YamlMap> m = doc.ReadMap(f);
  if (!m.ok()) return m.status();
  ValueContext ctx;
  ctx.currency = s.currency;
  ctx.rates = s.exchange_rates;
  ctx.months = s.months;
  for (const YamlField& entry : m->fields()) {
    Result<double> amount = ReadMoney(*m, entry, ctx);
    if (!amount.ok()) return amount.status();
    if (entry.name == "total") {
      s.budget.total = *amount;
      continue;
    }
    bool found = false;
    for (BudgetArea& a : s.budget.areas) {
      if (a.id == entry.name) {
        a.amount = *amount;
        found = true;
      }
    }
    if (!found)
      return m->Error(entry, "'" + Excerpt(entry.name) + "' is not a budget area of the scenario");
  }
  return Status::Ok();
}

}  // namespace

Result<Scenario> ApplyWhatIf(const Scenario& base, std::string_view yaml, const std::string& name,
                             const std::string& base_dir) {
  Result<codec::YamlNode> root = codec::ParseYaml(yaml, name);
  if (!root.ok()) return root.status();
  Result<YamlMap> doc = YamlMap::Read(*root, codec::YamlErrors(name), "what-if");
  if (!doc.ok()) return doc.status();
  Scenario s = base;
  if (IsRuleChange(*doc)) {
    GPUFLEET_RETURN_IF_ERROR(LayerRules(s, yaml, name));
    return s;
  }
  GPUFLEET_RETURN_IF_ERROR(doc->CheckKeys(kKeys));
  for (const YamlField& f : doc->fields()) {
    if (f.name == "rule_overlays") {
      Result<std::vector<std::string>> paths = doc->ReadStrings(f);
      if (!paths.ok()) return paths.status();
      for (const std::string& p : *paths) {
        const std::string path = std::filesystem::path(p).is_absolute() || base_dir.empty()
                                     ? p
                                     : (std::filesystem::path(base_dir) / p).string();
        auto text = codec::ReadTextFile(path);
        if (!text.ok()) return text.status();
        GPUFLEET_RETURN_IF_ERROR(LayerRules(s, *text, path));
      }
    } else if (f.name == "supply") {
      GPUFLEET_RETURN_IF_ERROR(
          ForEachEntry(*doc, f, "supply change", {"option", "factor", "from", "to"},
                       {"option", "factor"}, [&](const YamlMap& m) { return ApplySupply(s, m); }));
    } else if (f.name == "prices") {
      GPUFLEET_RETURN_IF_ERROR(ForEachEntry(*doc, f, "price change", {"option", "factor"},
                                            {"option", "factor"},
                                            [&](const YamlMap& m) { return ApplyPrice(s, m); }));
    } else if (f.name == "lead_times") {
      GPUFLEET_RETURN_IF_ERROR(ForEachEntry(*doc, f, "lead-time change", {"option", "lead_months"},
                                            {"option", "lead_months"},
                                            [&](const YamlMap& m) { return ApplyLeadTime(s, m); }));
    } else if (f.name == "budget") {
      GPUFLEET_RETURN_IF_ERROR(ApplyBudget(s, *doc, f));
    }
  }
  return s;
}

Result<Scenario> LoadWhatIf(const Scenario& base, const std::string& path) {
  auto text = codec::ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ApplyWhatIf(base, *text, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace gpufleet::planner
