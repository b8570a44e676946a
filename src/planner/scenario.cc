// The scenario document: its top-level keys, the files it names (catalog, fleet, rules and
// overlays), and the checks that need more than one section (sites of purchase options,
// budget areas of sites and rentals, the existing fleet).

#include "gpufleet/planner/scenario.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <tuple>

#include "gpufleet/codec/text_file.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/model/utf8.h"
#include "planner/scenario_sections.h"
#include "planner/scenario_values.h"

namespace gpufleet::planner {
namespace {

using codec::YamlField;
using codec::YamlMap;

constexpr std::string_view kKeys[] = {"name",   "currency",      "exchange_rates", "start",
                                      "months", "organisation",  "fleet",          "catalog",
                                      "rules",  "rule_overlays", "life_months",    "order_cost",
                                      "sites",  "demand",        "purchases",      "rentals",
                                      "sales",  "budget",        "solver"};
constexpr int kMaxMonths = 120;

std::chrono::year_month_day Ymd(Date d) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{d.days()}}};
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

// A named input must be a regular file (or a link to one): a directory opens and reads as
// empty on Linux, so it would otherwise load as an empty fleet or rule file and fail later,
// far from the key that named it.
Status CheckRegularFile(const YamlMap& doc, const YamlField& f, const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return Status::Ok();  // the reader says it is missing
  if (std::filesystem::is_regular_file(status)) return Status::Ok();
  const char* what = std::filesystem::is_directory(status) ? "a directory" : "not a regular file";
  return doc.Error(f, "'" + Excerpt(path) + "' is " + what + "; expected a file");
}

Result<std::string> DataFile(const YamlMap& doc, std::string_view key, const std::string& base_dir,
                             std::string_view shipped) {
  Result<std::optional<std::string>> given = doc.OptionalString(key);
  if (!given.ok()) return given.status();
  if (given->has_value()) {
    std::string path = Resolve(base_dir, **given);
    GPUFLEET_RETURN_IF_ERROR(CheckRegularFile(doc, *doc.Find(key), path));
    return path;
  }
  std::string path = catalog::DefaultDataPath(shipped);
  if (path.empty()) {
    return doc.Missing(key, "cannot find the shipped data/" + std::string(shipped) +
                                "; name the file or set GPUFLEET_DATA_DIR");
  }
  return path;
}

Result<ValueContext> ReadCurrency(const YamlMap& doc) {
  ValueContext ctx;
  Result<std::optional<std::string>> currency = doc.OptionalString("currency");
  if (!currency.ok()) return currency.status();
  if (currency->has_value()) ctx.currency = **currency;
  if (const YamlField* f = doc.Find("exchange_rates")) {
    Result<YamlMap> rates = doc.ReadMap(*f);
    if (!rates.ok()) return rates.status();
    for (const YamlField& r : rates->fields()) {
      Result<double> rate = rates->ReadNumber(r);
      if (!rate.ok()) return rate.status();
      if (*rate < kMinRate || *rate > kRateLimit.max) {
        return rates->Error(r, fmt::format("expected a rate from {:g} to {:g} {}, got {:g}",
                                           kMinRate, kRateLimit.max, kRateLimit.unit, *rate));
      }
      ctx.rates.emplace(r.name, *rate);
    }
  }
  return ctx;
}

Status ReadHorizon(const YamlMap& doc, Scenario& s) {
  GPUFLEET_RETURN_IF_ERROR(doc.RequireKeys({"start", "months", "organisation", "fleet", "demand"},
                                           "a scenario needs one"));
  Result<std::optional<Date>> start = doc.OptionalDate("start");
  if (!start.ok()) return start.status();
  if (static_cast<unsigned>(Ymd(**start).day()) != 1) {
    return doc.Error("start", "expected the first day of a month, got " + (*start)->ToString());
  }
  s.start = **start;
  Result<std::optional<int>> months = doc.OptionalInt("months");
  if (!months.ok()) return months.status();
  if (**months < 1 || **months > kMaxMonths) {
    return doc.Error("months", "expected 1 to " + std::to_string(kMaxMonths) + " months");
  }
  s.months = **months;
  Result<std::optional<int>> life = doc.OptionalInt("life_months");
  if (!life.ok()) return life.status();
  if (life->has_value()) {
    if (**life < 1 || **life > kMaxLifeMonths) {
      return doc.Error("life_months",
                       "expected 1 to " + std::to_string(kMaxLifeMonths) + " months");
    }
    s.life_months = **life;
  }
  return Status::Ok();
}

// Existing accelerators the organisation owns or operates at plan sites, grouped by site,
// model and the month they retire in (so a group's units are all in service until then).
void GroupExisting(Scenario& s) {
  std::set<std::string> plan_sites;
  for (const PlanSite& ps : s.sites) plan_sites.insert(ps.site->id);
  std::map<std::tuple<std::string, std::string, int>, size_t> index;
  for (const inventory::Asset& a : s.fleet->assets()) {
    if (a.holding == inventory::Holding::kRentedRemote) continue;
    if (a.owner != s.organisation && a.operator_org != s.organisation) continue;
    if (!plan_sites.count(a.site)) continue;
    // In service while the month starts before acquired + life_months.
    const std::chrono::year_month_day end = Ymd(a.acquired) + std::chrono::months{s.life_months};
    int retires = 0;
    while (retires < s.months && Ymd(s.MonthStart(retires)) < end) ++retires;
    auto [it, inserted] =
        index.emplace(std::make_tuple(a.site, a.model, retires), s.existing.size());
    if (inserted) {
      s.existing.push_back(ExistingGroup{a.site, s.catalog->Find(a.model), a.acquired, retires,
                                         std::vector<double>(static_cast<size_t>(s.months), 0)});
    }
    ExistingGroup& g = s.existing[it->second];
    g.acquired = std::min(g.acquired, a.acquired);
    for (int t = 0; t < retires; ++t) g.units[static_cast<size_t>(t)] += 1;
  }
}

Status CheckReferences(const YamlMap& doc, Scenario& s) {
  std::set<std::string> site_ids;
  for (PlanSite& ps : s.sites) {
    site_ids.insert(ps.site->id);
    ps.area = s.AreaOf(ps.site->country);
    if (!s.budget.areas.empty() && ps.area.empty()) {
      return doc.Error("budget", "site '" + Excerpt(ps.site->id) + "' (" + ps.site->country +
                                     ") is in no budget area; add its country to an area or "
                                     "an area without countries");
    }
  }
  for (const PurchaseOption& p : s.purchases) {
    for (const std::string& site : p.sites) {
      if (!site_ids.count(site)) {
        return doc.Error("purchases", "purchase '" + Excerpt(p.id) + "' (line " +
                                          std::to_string(p.line) + "): '" + Excerpt(site) +
                                          "' is not a site of the plan");
      }
    }
  }
  for (RentalOption& r : s.rentals) {
    r.area = s.AreaOf(r.country);
    if (!s.budget.areas.empty() && r.area.empty()) {
      return doc.Error("budget",
                       "rental '" + Excerpt(r.id) + "' (" + r.country + ") is in no budget area");
    }
  }
  if (s.fleet->FindOrg(s.organisation) == nullptr) {
    return doc.Error("organisation",
                     "'" + Excerpt(s.organisation) + "' is not an organisation of the fleet file");
  }
  return Status::Ok();
}

}  // namespace

std::string_view DemandUnitName(DemandUnit unit) {
  return unit == DemandUnit::kTppHours ? "tpp_hours" : "accelerator_hours";
}

Date Scenario::MonthStart(int t) const {
  const auto ymd = Ymd(start) + std::chrono::months{t};
  return Date::FromDays(
      static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count()));
}

double Scenario::MonthHours(int t) const {
  return 24.0 * (MonthStart(t + 1).days() - MonthStart(t).days());
}

std::string Scenario::MonthLabel(int t) const { return MonthStart(t).ToString().substr(0, 7); }

std::string Scenario::AreaOf(std::string_view country) const {
  const BudgetArea* rest = nullptr;
  for (const BudgetArea& a : budget.areas) {
    if (a.countries.empty()) rest = &a;
    for (const std::string& c : a.countries) {
      if (c == country) return a.id;
    }
  }
  return rest != nullptr ? rest->id : "";
}

std::map<std::pair<std::string, std::string>, std::vector<double>> Scenario::ExistingUnits() const {
  std::map<std::pair<std::string, std::string>, std::vector<double>> out;
  for (const ExistingGroup& g : existing) {
    auto& units = out[{g.site, g.model->id}];
    units.resize(static_cast<size_t>(months), 0);
    for (size_t t = 0; t < units.size(); ++t) units[t] += g.units[t];
  }
  return out;
}

Result<Scenario> ParseScenario(std::string_view yaml, const std::string& name_for_errors,
                               const std::string& base_dir) {
  Result<codec::YamlNode> root = codec::ParseYaml(yaml, name_for_errors);
  if (!root.ok()) return root.status();
  Result<YamlMap> doc = YamlMap::Read(*root, codec::YamlErrors(name_for_errors), "scenario");
  if (!doc.ok()) return doc.status();
  GPUFLEET_RETURN_IF_ERROR(doc->CheckKeys(kKeys));

  Scenario s;
  s.file = name_for_errors;
  if (const YamlField* f = doc->Find("name")) {
    Result<std::string> name = ReadName(*doc, *f);
    if (!name.ok()) return name.status();
    s.name = *name;
  } else {
    // The file name stands in; it comes from the command line, unchecked, and every output
    // quotes it.
    const std::string reason = UnprintableReason(name_for_errors);
    if (!reason.empty()) {
      return Status::InvalidArgument(Excerpt(name_for_errors) + ": the file name " + reason +
                                     ", so it cannot name the scenario; add a name: key");
    }
    s.name = name_for_errors;
  }
  GPUFLEET_RETURN_IF_ERROR(ReadHorizon(*doc, s));
  Result<ValueContext> ctx = ReadCurrency(*doc);
  if (!ctx.ok()) return ctx.status();
  s.currency = ctx->currency;
  s.exchange_rates = ctx->rates;
  ctx->months = s.months;
  Result<std::string> org = doc->String("organisation");
  if (!org.ok()) return org.status();
  s.organisation = *org;

  // Files: the catalog first (everything else names models), then fleet and rules.
  Result<std::string> catalog_path =
      DataFile(*doc, "catalog", base_dir, "catalog/accelerators.yaml");
  if (!catalog_path.ok()) return catalog_path.status();
  auto cat = catalog::Catalog::Load(*catalog_path);
  if (!cat.ok()) return cat.status();
  s.catalog = std::make_shared<const catalog::Catalog>(std::move(cat).value());
  ctx->catalog = s.catalog.get();
  Result<std::string> fleet_path = DataFile(*doc, "fleet", base_dir, "");
  if (!fleet_path.ok()) return fleet_path.status();
  auto fleet = inventory::Inventory::Load(*fleet_path, *s.catalog);
  if (!fleet.ok()) return fleet.status();
  s.fleet = std::make_shared<const inventory::Inventory>(std::move(fleet).value());
  Result<std::string> rules_path = DataFile(*doc, "rules", base_dir, "rules/default.yaml");
  if (!rules_path.ok()) return rules_path.status();
  std::vector<std::string> overlays;
  if (const YamlField* f = doc->Find("rule_overlays")) {
    Result<std::vector<std::string>> list = doc->ReadStrings(*f);
    if (!list.ok()) return list.status();
    for (const std::string& o : *list) {
      overlays.push_back(Resolve(base_dir, o));
      GPUFLEET_RETURN_IF_ERROR(CheckRegularFile(*doc, *f, overlays.back()));
    }
  }
  auto rules_text = codec::ReadTextFile(*rules_path);
  if (!rules_text.ok()) return rules_text.status();
  auto layered = compliance::LayerOverlays(std::move(rules_text).value(), *rules_path, overlays,
                                           s.catalog->IdsByName());
  if (!layered.ok()) return layered.status();
  s.rules = std::make_shared<const compliance::RuleSet>(std::move(layered->rules));
  s.rules_yaml = std::move(layered->text);
  s.rules_name = std::move(layered->name);

  double order_cost = 0;
  if (const YamlField* f = doc->Find("order_cost")) {
    Result<double> cost = ReadMoney(*doc, *f, *ctx);
    if (!cost.ok()) return cost.status();
    order_cost = *cost;
  }
  for (const YamlField& f : doc->fields()) {
    if (f.name == "demand") {
      auto classes = ReadDemand(*doc, f, *ctx);
      if (!classes.ok()) return classes.status();
      s.classes = std::move(classes).value();
    } else if (f.name == "sites") {
      auto sites = ReadSites(*doc, f, *ctx, *s.fleet, order_cost);
      if (!sites.ok()) return sites.status();
      s.sites = std::move(sites).value();
    } else if (f.name == "purchases") {
      auto purchases = ReadPurchases(*doc, f, *ctx);
      if (!purchases.ok()) return purchases.status();
      s.purchases = std::move(purchases).value();
    } else if (f.name == "rentals") {
      auto rentals = ReadRentals(*doc, f, *ctx);
      if (!rentals.ok()) return rentals.status();
      s.rentals = std::move(rentals).value();
    } else if (f.name == "sales") {
      auto sales = ReadSales(*doc, f, *ctx, *s.fleet);
      if (!sales.ok()) return sales.status();
      s.sales = std::move(sales).value();
    } else if (f.name == "budget") {
      auto budget = ReadBudget(*doc, f, *ctx);
      if (!budget.ok()) return budget.status();
      s.budget = std::move(budget).value();
    } else if (f.name == "solver") {
      auto solver = ReadSolver(*doc, f);
      if (!solver.ok()) return solver.status();
      s.solver = *solver;
    }
  }
  if (!doc->Has("sites")) {  // every site of the fleet, at the default order cost
    for (const inventory::Site& site : s.fleet->sites()) {
      s.sites.push_back(PlanSite{&site, std::nullopt, order_cost, ""});
    }
  }
  for (PurchaseOption& p : s.purchases) {
    p.domestic = catalog::IsDomesticIn(*p.model, s.budget.domestic_jurisdiction);
    if (!p.useful_life_given) p.useful_life_months = s.life_months;
  }
  GPUFLEET_RETURN_IF_ERROR(CheckReferences(*doc, s));
  GroupExisting(s);
  return s;
}

Result<Scenario> LoadScenario(const std::string& path) {
  auto text = codec::ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseScenario(*text, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace gpufleet::planner
