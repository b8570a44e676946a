// The seeded scenario generator (scenario_generator.h): two YAML documents built from integer
// draws, then read by ParseScenario like any scenario file.

#include "gpufleet/planner/scenario_generator.h"

#include <fmt/format.h>
#include <stdlib.h>  // mkdtemp (POSIX)

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>
#include <vector>

#include "gpufleet/model/country_code.h"
#include "gpufleet/model/rng.h"

namespace gpufleet::planner {
namespace {

namespace fs = std::filesystem;

// Hours in a month for sizing demand (the program itself uses each month's real hours).
constexpr int64_t kHoursPerMonth = 730;
constexpr int kMaxMonths = 120;
constexpr int kMaxSites = 200;
constexpr int kMaxClasses = 16;
constexpr int kMaxPct = 10'000;  // demand_pct and budget_pct
constexpr int kLifeMonths = 60;
constexpr int kDomesticMinPct = 40;
// Shares of the total budget given to each area; together more than the total, so both the
// areas and the total can bind.
constexpr int kHomeBudgetPct = 65;
constexpr int kAbroadBudgetPct = 50;

// Streams of draws: one per site, model, class and rental, so each is independent of how many
// of the others there are.
enum class Stream : uint64_t { kSite = 1, kModel = 2, kClass = 3, kRental = 4, kDemand = 5 };

Rng StreamRng(uint64_t seed, Stream stream, int index) {
  // Rng seeds its state through SplitMix64, which spreads nearby seeds apart.
  return Rng(seed * 0x9e3779b97f4a7c15ULL + (static_cast<uint64_t>(stream) << 32) +
             static_cast<uint64_t>(index));
}

// Uniform integer in [lo, hi].
int64_t Between(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(hi - lo + 1)));
}

// A value in hundredths ("2.60"), so that no floating-point formatting is involved.
std::string Hundredths(int64_t v) { return fmt::format("{}.{:02}", v / 100, v % 100); }

// Throughputs are hundredths of what an hour of an H100 is worth to the class.
struct ModelSpec {
  std::string_view id;
  int64_t price_usd;  // list price before the per-seed jitter of +-10%
  int64_t train_pct;
  int64_t infer_pct;
  int lot;  // accelerators per server; a quarter of the 8s draw 16
};

// Foreign and domestic parts mostly alternate, so that the first few give a mixed instance. Prices
// for parts the catalog gives none for are in the range of the reference notes (the 910C at
// 180,000 CNY, the MLU590 at 90,000 CNY).
constexpr std::array<ModelSpec, kMaxGeneratedModels> kModels = {{
    {"nvidia-h20-96gb", 13000, 30, 80, 8},
    {"huawei-ascend-910b", 16500, 55, 60, 8},
    {"nvidia-h200-sxm-141gb", 32000, 130, 140, 8},
    {"cambricon-mlu590", 12500, 45, 50, 8},
    {"nvidia-l20-48gb", 5000, 15, 35, 8},
    {"huawei-ascend-910c", 25000, 80, 80, 8},
    {"nvidia-a800-sxm4-80gb", 15000, 60, 60, 8},
    {"kunlunxin-p800", 10000, 50, 55, 8},
    {"nvidia-h100-sxm5-80gb", 27500, 100, 100, 8},
    {"bytedance-broadcom-5nm-asic", 8000, 60, 70, 16},
    {"nvidia-l40s-48gb", 8000, 35, 45, 8},
    {"huawei-ascend-950pr", 20000, 90, 95, 8},
    {"nvidia-b200", 35000, 220, 230, 8},
    {"amd-instinct-mi300x-192gb", 15000, 110, 120, 8},
    {"nvidia-h800-sxm5-80gb", 27500, 95, 100, 8},
}};
constexpr std::string_view kRentalModel = "nvidia-h100-sxm5-80gb";
// The CN-designed parts the generated group classifies as made in CN (ClassificationsYaml);
// not the ByteDance ASIC, a 5 nm part from a foreign foundry.
constexpr std::array<std::string_view, 5> kMadeInCn = {"huawei-ascend-910b", "cambricon-mlu590",
                                                       "huawei-ascend-910c", "kunlunxin-p800",
                                                       "huawei-ascend-950pr"};

struct SitePattern {
  std::string_view code;
  std::string_view country;
  std::string_view region;
};
// Seven of every ten sites at home (CN, HK), three abroad.
constexpr std::array<SitePattern, 10> kSitePatterns = {{
    {"sh", "CN", "Shanghai"},
    {"bj", "CN", "Beijing"},
    {"sg", "SG", "Singapore"},
    {"gy", "CN", "Guizhou"},
    {"hh", "CN", "Inner Mongolia"},
    {"jb", "MY", "Johor"},
    {"gz", "CN", "Guangdong"},
    {"hk", "HK", "Hong Kong"},
    {"zw", "CN", "Ningxia"},
    {"ad", "AE", "Abu Dhabi"},
}};

// Models of the existing fleet, where they were shipped from, and whether the sale option
// takes them (the foreign parts may be sold to the buyer; the domestic ones are kept).
struct LegacyModel {
  std::string_view id;
  std::string_view from_country;
  bool sold;
};
constexpr std::array<LegacyModel, 3> kLegacyModels = {{
    {"nvidia-a800-sxm4-80gb", "TW", true},
    {"nvidia-a100-sxm4-80gb", "TW", true},
    {"huawei-ascend-910b", "CN", false},
}};

enum class Served { kTraining, kInference, kFlat };
struct ClassKind {
  std::string_view id;
  int64_t weight;                  // share of the demand
  bool home_only;                  // countries: [CN, HK]
  int64_t penalty_lo, penalty_hi;  // unmet penalty, hundredths of USD per hour
  Served served;
};
constexpr std::array<ClassKind, 4> kClassKinds = {{
    {"training", 40, false, 300, 400, Served::kTraining},
    {"inference", 30, true, 350, 450, Served::kInference},
    {"recommendation", 20, true, 330, 420, Served::kInference},
    {"external", 10, false, 200, 250, Served::kFlat},
}};

struct RentalKind {
  std::string_view id;
  std::string_view provider;
  std::string_view country;
  int64_t price_cents;  // per accelerator-hour
};
constexpr std::array<RentalKind, 3> kRentals = {{
    {"h100-johor", "Tanjung Data Centres", "MY", 260},
    {"h100-singapore", "Pacific Compute", "SG", 290},
    {"h100-abu-dhabi", "Falcon Cloud", "AE", 240},
}};

template <typename T>
std::string List(const std::vector<T>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

struct SiteDraw {
  std::string id;
  SitePattern pattern;
  int64_t capacity = 0;
  int64_t order_cost = 0;
  bool state_funded = false;
  int64_t completion_pct = 0;
  // Existing accelerators: none when `existing` is 0.
  const LegacyModel* legacy = nullptr;
  int64_t existing = 0;
  std::string acquired;
};

struct PurchaseDraw {
  const ModelSpec* model = nullptr;
  int lot = 8;
  int lead = 0;
  int64_t price = 0;
  std::vector<int64_t> supply;
};

struct RentalDraw {
  const RentalKind* kind = nullptr;
  int64_t price_cents = 0;
  std::vector<int64_t> max_units;
};

struct ClassDraw {
  std::string id;
  const ClassKind* kind = nullptr;
  int64_t penalty = 0;
  std::vector<std::pair<std::string_view, int64_t>> throughput;  // model, hundredths
  std::vector<int64_t> demand;
};

std::string ScenarioName(const GeneratorOptions& o) {
  return fmt::format("generated-m{}-s{}-k{}-c{}-seed{}", o.months, o.sites, o.models, o.classes,
                     o.seed);
}

Status Check(const GeneratorOptions& o) {
  auto out_of_range = [](std::string_view what, int v, int lo, int hi) {
    return Status::InvalidArgument(
        fmt::format("generator: {}: expected {} to {}, got {}", what, lo, hi, v));
  };
  if (o.months < 1 || o.months > kMaxMonths) return out_of_range("months", o.months, 1, kMaxMonths);
  if (o.sites < 1 || o.sites > kMaxSites) return out_of_range("sites", o.sites, 1, kMaxSites);
  if (o.models < 1 || o.models > kMaxGeneratedModels) {
    return out_of_range("models", o.models, 1, kMaxGeneratedModels);
  }
  if (o.classes < 1 || o.classes > kMaxClasses) {
    return out_of_range("classes", o.classes, 1, kMaxClasses);
  }
  if (o.demand_pct < 1 || o.demand_pct > kMaxPct) {
    return out_of_range("demand_pct", o.demand_pct, 1, kMaxPct);
  }
  if (o.budget_pct < 1 || o.budget_pct > kMaxPct) {
    return out_of_range("budget_pct", o.budget_pct, 1, kMaxPct);
  }
  if (std::optional<std::string> problem = CountryCodeProblem(o.hq_country)) {
    return Status::InvalidArgument("generator: hq_country: " + *problem);
  }
  if (!o.start.ok()) return Status::InvalidArgument("generator: start: not a valid month");
  return Status::Ok();
}

SiteDraw MakeSite(const GeneratorOptions& o, int i) {
  Rng rng = StreamRng(o.seed, Stream::kSite, i);
  const SitePattern& p = kSitePatterns[static_cast<size_t>(i) % kSitePatterns.size()];
  SiteDraw s;
  s.id = fmt::format("{}-{}", p.code, i / static_cast<int>(kSitePatterns.size()) + 1);
  s.pattern = p;
  s.capacity = Between(rng, 8, 30) * 1000;
  s.order_cost = Between(rng, 1, 5) * 1'000'000;
  // Beijing sites are state-funded projects; under 30% complete, foreign chips are out.
  s.state_funded = p.code == "bj";
  s.completion_pct = Between(rng, 0, 100);
  if (rng.Uniform(3) == 0) {
    s.legacy = &kLegacyModels[rng.Uniform(kLegacyModels.size())];
    s.existing = 8 * Between(rng, 2, 8);
    // 2020-2023: the older ones retire inside the horizon (life 60 months). Two statements:
    // the order in which function arguments are evaluated is unspecified.
    const int64_t year = Between(rng, 2020, 2023);
    const int64_t month = Between(rng, 1, 12);
    s.acquired = fmt::format("{}-{:02}-01", year, month);
  }
  return s;
}

PurchaseDraw MakePurchase(const GeneratorOptions& o, int j) {
  Rng rng = StreamRng(o.seed, Stream::kModel, j);
  PurchaseDraw p;
  p.model = &kModels[static_cast<size_t>(j)];
  const bool big_servers = rng.Uniform(4) == 0;  // 16 to a server instead of 8
  p.lot = p.model->lot == 8 && big_servers ? 16 : p.model->lot;
  // 0-3 months, but shorter than the horizon, so that something can arrive in it.
  p.lead = static_cast<int>(std::min<int64_t>(Between(rng, 0, 3), o.months - 1));
  p.price = p.model->price_usd * Between(rng, 90, 110) / 100 / 10 * 10;
  const int64_t base_lots = Between(rng, 50, 300);
  // A quarter of the options are new products with nothing on offer for the first months.
  const int64_t first = rng.Uniform(4) == 0 ? Between(rng, 1, 4) : 0;
  for (int t = 0; t < o.months; ++t) {
    const int64_t lots = base_lots * Between(rng, 80, 120) / 100;
    p.supply.push_back(t < first ? 0 : lots * p.lot);
  }
  return p;
}

RentalDraw MakeRental(const GeneratorOptions& o, int r) {
  Rng rng = StreamRng(o.seed, Stream::kRental, r);
  RentalDraw out;
  out.kind = &kRentals[static_cast<size_t>(r)];
  out.price_cents = out.kind->price_cents * Between(rng, 90, 110) / 100;
  const int64_t base = Between(rng, 20, 60);
  for (int t = 0; t < o.months; ++t) {
    out.max_units.push_back(base * Between(rng, 90, 110) / 100 * 100);
  }
  return out;
}

ClassDraw MakeClass(const GeneratorOptions& o, int k, const std::vector<PurchaseDraw>& purchases) {
  Rng rng = StreamRng(o.seed, Stream::kClass, k);
  ClassDraw c;
  c.kind = &kClassKinds[static_cast<size_t>(k) % kClassKinds.size()];
  const int round = k / static_cast<int>(kClassKinds.size());
  c.id = round == 0 ? std::string(c.kind->id) : fmt::format("{}-{}", c.kind->id, round + 1);
  c.penalty = Between(rng, c.kind->penalty_lo, c.kind->penalty_hi);
  auto value = [&](const ModelSpec& m) -> int64_t {
    switch (c.kind->served) {
      case Served::kTraining:
        return m.train_pct * Between(rng, 90, 110) / 100;
      case Served::kInference:
        return m.infer_pct * Between(rng, 90, 110) / 100;
      case Served::kFlat:
        return 100;
    }
    return 100;
  };
  bool rental_listed = false;
  for (size_t j = 0; j < purchases.size(); ++j) {
    // One model in six cannot serve the class (except the first, so every class has one).
    const bool serves = j == 0 || rng.Uniform(6) != 0;
    const int64_t v = value(*purchases[j].model);  // drawn either way: keeps the stream aligned
    if (!serves) continue;
    c.throughput.emplace_back(purchases[j].model->id, std::max<int64_t>(v, 1));
    rental_listed = rental_listed || purchases[j].model->id == kRentalModel;
  }
  if (!c.kind->home_only && !rental_listed) {  // rented H100s can serve it
    c.throughput.emplace_back(kRentalModel, 100);
  }
  return c;
}

std::string FleetYaml(const GeneratorOptions& o, const std::vector<SiteDraw>& sites) {
  std::string out;
  auto w = std::back_inserter(out);
  fmt::format_to(w,
                 "# Generated by gpufleet::planner::GenerateScenarioFiles (seed {}): the plan's "
                 "organisation, its sites and a few existing accelerators.\n",
                 o.seed);
  fmt::format_to(w,
                 "organisations:\n"
                 "  - {{id: gen-group, name: Generated Group, kind: company, hq_country: {}}}\n"
                 "  - {{id: gen-buyer, name: Generated Buyer, kind: counterparty, "
                 "hq_country: CN}}\n",
                 o.hq_country);
  out += "sites:\n";
  for (const SiteDraw& s : sites) {
    fmt::format_to(w,
                   "  - {{id: {}, name: Generated {} DC {}, country: {}, region: {}, "
                   "ownership: owned",
                   s.id, s.pattern.region, s.id, s.pattern.country, s.pattern.region);
    if (s.pattern.code == "gy") out += ", public_hub: true";
    if (s.state_funded) {
      fmt::format_to(w, ", state_funded: true, project_completion_pct: {}", s.completion_pct);
    }
    out += "}\n";
  }
  out += "assets:\n";
  bool any = false;
  for (const SiteDraw& s : sites) {
    if (s.existing == 0) continue;
    any = true;
    const bool same_country = s.legacy->from_country == s.pattern.country;
    for (int64_t n = 0; n < s.existing; ++n) {
      fmt::format_to(w,
                     "  - {{serial: GEN-{}-{:04}, model: {}, site: {}, owner: gen-group, "
                     "operator: gen-group, holding: owned, acquired: {}, arrival: {}, "
                     "from_country: {}}}\n",
                     s.id, n, s.legacy->id, s.id, s.acquired,
                     same_country ? "in_country_transfer" : "export", s.legacy->from_country);
    }
  }
  if (!any) out.resize(out.size() - std::string_view("assets:\n").size());
  return out;
}

// The planning organisation's classification of the domestic parts it is offered (a rule
// overlay, as examples/planner/classifications.yaml): the catalog never guesses a fab, so
// without one the US rules that read `us_subject` may apply to every CN-designed part and
// the planner keeps them closed as "needs classification", which would leave the generated
// instance with half its purchase columns.
std::string ClassificationsYaml(const std::vector<PurchaseDraw>& purchases) {
  std::vector<std::string_view> domestic;
  for (const PurchaseDraw& p : purchases) {
    if (std::find(kMadeInCn.begin(), kMadeInCn.end(), p.model->id) != kMadeInCn.end()) {
      domestic.push_back(p.model->id);
    }
  }
  std::string out =
      "# Generated by gpufleet::planner::GenerateScenarioFiles: the generated group's "
      "classification of its domestic parts as made in CN.\n"
      "description: \"generated classification: the CN-designed parts on offer are made in "
      "CN\"\n";
  if (domestic.empty()) return out + "derived: []\n";
  fmt::format_to(std::back_inserter(out),
                 "derived:\n  - name: us_subject\n"
                 "    predicate: \"NOT (designer_country == \\\"CN\\\" AND "
                 "(origin_country == \\\"CN\\\" OR model in {{{}}}))\"\n"
                 "    source: \"generated scenario (fictional): the group's supply contracts "
                 "name a CN foundry for these parts\"\n",
                 fmt::join(domestic, ", "));
  return out;
}

}  // namespace

Result<GeneratedFiles> GenerateScenarioFiles(const GeneratorOptions& o) {
  GPUFLEET_RETURN_IF_ERROR(Check(o));
  std::vector<SiteDraw> sites;
  for (int i = 0; i < o.sites; ++i) sites.push_back(MakeSite(o, i));
  std::vector<PurchaseDraw> purchases;
  for (int j = 0; j < o.models; ++j) purchases.push_back(MakePurchase(o, j));
  std::vector<RentalDraw> rentals;
  for (int r = 0; r < static_cast<int>(kRentals.size()); ++r) rentals.push_back(MakeRental(o, r));
  std::vector<ClassDraw> classes;
  for (int k = 0; k < o.classes; ++k) classes.push_back(MakeClass(o, k, purchases));

  // What could be in service each month if everything on offer were taken, and its cost.
  const auto months = static_cast<size_t>(o.months);
  std::vector<int64_t> units(months, 0);
  int64_t purchase_all = 0;
  int64_t rental_all = 0;
  for (const SiteDraw& s : sites) {
    for (int64_t& u : units) u += s.existing;
  }
  for (const PurchaseDraw& p : purchases) {
    for (size_t t = 0; t < months; ++t) {
      purchase_all += p.supply[t] * p.price;
      for (size_t u = t + static_cast<size_t>(p.lead); u < months; ++u) units[u] += p.supply[t];
    }
  }
  for (const RentalDraw& r : rentals) {
    for (size_t t = 0; t < months; ++t) {
      units[t] += r.max_units[t];
      rental_all += r.max_units[t] * kHoursPerMonth * r.price_cents / 100;
    }
  }
  int64_t weights = 0;
  for (const ClassDraw& c : classes) weights += c.kind->weight;
  for (size_t k = 0; k < classes.size(); ++k) {
    Rng rng = StreamRng(o.seed, Stream::kDemand, static_cast<int>(k));
    for (size_t t = 0; t < months; ++t) {
      const int64_t total = units[t] * kHoursPerMonth * o.demand_pct / 100;
      const int64_t share = total * classes[k].kind->weight / weights;
      classes[k].demand.push_back(share * Between(rng, 90, 110) / 100 / 1000 * 1000);
    }
  }
  const int64_t total_budget = (purchase_all + rental_all) / 100 * o.budget_pct / 1'000'000;

  std::string out;
  auto w = std::back_inserter(out);
  const std::string name = ScenarioName(o);
  fmt::format_to(w,
                 "# Generated by gpufleet::planner::GenerateScenarioFiles (seed {}): {} months x "
                 "{} sites x {} models x {} demand classes.\n",
                 o.seed, o.months, o.sites, o.models, o.classes);
  fmt::format_to(
      w,
      "name: {}\ncurrency: USD\nstart: {}-{:02}-01\nmonths: {}\n"
      "organisation: gen-group\nfleet: fleet.yaml\nrule_overlays: [classifications.yaml]\n"
      "life_months: {}\n",
      name, static_cast<int>(o.start.year()), static_cast<unsigned>(o.start.month()), o.months,
      kLifeMonths);
  out += "sites:\n";
  for (const SiteDraw& s : sites) {
    fmt::format_to(w, "  - {{id: {}, capacity: {}, order_cost: {}}}\n", s.id, s.capacity,
                   s.order_cost);
  }
  out += "demand:\n";
  for (const ClassDraw& c : classes) {
    fmt::format_to(w, "  - id: {}\n    per_month: {}\n    unmet_penalty: {}\n", c.id,
                   List(c.demand), Hundredths(c.penalty));
    if (c.kind->home_only) out += "    countries: [CN, HK]\n";
    std::vector<std::string> entries;
    for (const auto& [model, v] : c.throughput) {
      entries.push_back(fmt::format("{}: {}", model, Hundredths(v)));
    }
    fmt::format_to(w, "    throughput: {{{}}}\n", fmt::join(entries, ", "));
  }
  out += "purchases:\n";
  for (const PurchaseDraw& p : purchases) {
    fmt::format_to(w,
                   "  - {{id: buy-{}, model: {}, unit_price: {}, lot: {}, lead_months: {}, "
                   "supply_per_month: {}}}\n",
                   p.model->id, p.model->id, p.price, p.lot, p.lead, List(p.supply));
  }
  out += "rentals:\n";
  for (const RentalDraw& r : rentals) {
    fmt::format_to(w,
                   "  - {{id: {}, provider: {}, country: {}, model: {}, price_per_hour: {}, "
                   "max_units: {}}}\n",
                   r.kind->id, r.kind->provider, r.kind->country, kRentalModel,
                   Hundredths(r.price_cents), List(r.max_units));
  }
  std::vector<std::string_view> legacy;
  for (const LegacyModel& m : kLegacyModels) {
    if (m.sold) legacy.push_back(m.id);
  }
  fmt::format_to(w,
                 "sales:\n  - {{id: sell-legacy, buyer: gen-buyer, models: {}, "
                 "unit_price: 8000}}\n",
                 List(legacy));
  fmt::format_to(w,
                 "budget:\n  total: {}e6\n  areas:\n"
                 "    - {{id: home, countries: [CN, HK], amount: {}e6}}\n"
                 "    - {{id: abroad, amount: {}e6}}\n"
                 "  domestic_share: {{min_pct: {}, basis: count, jurisdiction: CN}}\n",
                 total_budget, total_budget * kHomeBudgetPct / 100,
                 total_budget * kAbroadBudgetPct / 100, kDomesticMinPct);
  out += "solver: {time_limit_s: 10, gap_pct: 0.5}\n";
  return GeneratedFiles{std::move(out), FleetYaml(o, sites), ClassificationsYaml(purchases)};
}

Result<Scenario> GenerateScenario(const GeneratorOptions& o) {
  Result<GeneratedFiles> files = GenerateScenarioFiles(o);
  if (!files.ok()) return files.status();
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  if (ec) return Status::IOError("generator: no temporary directory: " + ec.message());
  std::string dir_template = (tmp / "gpufleet-scenario-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    return Status::IOError("generator: cannot create a directory under " + tmp.string());
  }
  const fs::path dir = dir_template;
  Result<Scenario> scenario = [&]() -> Result<Scenario> {
    for (const auto& [name, text] :
         {std::pair{"fleet.yaml", &files->fleet_yaml},
          std::pair{"classifications.yaml", &files->classifications_yaml}}) {
      std::ofstream file(dir / name);
      file << *text;
      if (!file.good()) {
        return Status::IOError("generator: cannot write " + (dir / name).string());
      }
    }
    return ParseScenario(files->scenario_yaml, "generated:" + ScenarioName(o), dir.string());
  }();
  fs::remove_all(dir, ec);  // best effort: the scenario holds everything it read
  return scenario;
}

}  // namespace gpufleet::planner
