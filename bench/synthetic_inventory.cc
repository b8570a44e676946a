// A synthetic inventory of 1,000,000 accelerators for the compliance and scheduler
// benchmarks: 5,000 purchases of 200 accelerators each, every catalog model, 24 sites in 7
// countries (owned Chinese sites, a state-funded project, a public hub, rented capacity
// abroad, a Singapore subsidiary), acquisition dates 2021-2026. It is written to a temporary
// YAML + CSV and loaded through the inventory reader, as a user's fleet would be.

#include "synthetic_inventory.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gpufleet/model/rng.h"

namespace gpufleet::bench {
namespace {

constexpr int kPurchases = 5000;
constexpr int kPerPurchase = 200;

struct Site {
  const char* id;
  const char* country;
  const char* extra;  // YAML lines
  bool rented;
};

constexpr Site kSites[] = {
    {"cn-01", "CN", "", false},
    {"cn-02", "CN", "", false},
    {"cn-03", "CN", "", false},
    {"cn-04", "CN", "", false},
    {"cn-05", "CN", "", false},
    {"cn-06", "CN", "", false},
    {"cn-07", "CN", "", false},
    {"cn-08", "CN", "", false},
    {"cn-09", "CN", "", false},
    {"cn-10", "CN", "", false},
    {"cn-state", "CN", "    state_funded: true\n    project_completion_pct: 20\n", false},
    {"cn-hub", "CN", "    public_hub: true\n", false},
    {"hk-01", "HK", "", false},
    {"hk-02", "HK", "", false},
    {"sg-01", "SG", "", false},
    {"sg-02", "SG", "", false},
    {"my-01", "MY", "", true},
    {"my-02", "MY", "", true},
    {"ae-01", "AE", "", true},
    {"ae-02", "AE", "", true},
    {"jp-01", "JP", "", true},
    {"jp-02", "JP", "", true},
    {"cn-11", "CN", "", false},
    {"cn-12", "CN", "", false},
};

std::string WriteFleet(const catalog::Catalog& catalog) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("gpufleet_bench_fleet_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream yaml(dir / "fleet.yaml");
  yaml << "organisations:\n"
          "  - {id: acme, name: Acme, kind: company, hq_country: CN}\n"
          "  - {id: acme-sg, name: Acme SG, kind: subsidiary, parent: acme, hq_country: SG}\n"
          "  - {id: provider, name: Provider, kind: counterparty, hq_country: US}\n"
          "  - {id: customer, name: Customer, kind: external_customer, hq_country: CN}\n"
          "sites:\n";
  for (const Site& s : kSites) {
    yaml << "  - id: " << s.id << "\n    name: " << s.id << "\n    country: " << s.country
         << "\n    provider: " << (s.rented ? "Provider" : "Acme")
         << "\n    ownership: " << (s.rented ? "rented" : "owned") << "\n"
         << s.extra;
  }
  yaml << "assets_csv: assets.csv\n";
  std::ofstream csv(dir / "assets.csv");
  csv << "serial,model,site,owner,operator,holding,acquired,arrival,from_country\n";
  Rng rng(7);
  const int32_t first = Date::Parse("2021-01-01")->days();
  const int32_t last = Date::Parse("2026-06-30")->days();
  int64_t serial = 0;
  for (int p = 0; p < kPurchases; ++p) {
    const catalog::AcceleratorSpec& m = catalog.models()[rng.Uniform(catalog.models().size())];
    const Site& site = kSites[rng.Uniform(std::size(kSites))];
    const Date when = Date::FromDays(first + static_cast<int32_t>(rng.Uniform(last - first)));
    const bool domestic_here =
        catalog::IsDomesticIn(m, site.country) ||
        (std::string(site.country) == "HK" && catalog::IsDomesticIn(m, "CN"));
    const std::string owner =
        site.rented ? "provider" : (std::string(site.country) == "SG" ? "acme-sg" : "acme");
    const std::string op = site.rented ? (rng.Uniform(4) == 0 ? "customer" : "acme") : owner;
    const std::string holding = site.rented ? "rented_remote" : "owned";
    const std::string arrival =
        domestic_here ? "in_country_transfer" : (rng.Uniform(3) ? "export" : "reexport");
    const std::string from = domestic_here ? site.country : (arrival == "export" ? "US" : "TW");
    const std::string row_tail = std::string(",") + site.id + "," + owner + "," + op + "," +
                                 holding + "," + when.ToString() + "," + arrival + "," + from +
                                 "\n";
    for (int i = 0; i < kPerPurchase; ++i) csv << "SN" << serial++ << "," << m.id << row_tail;
  }
  return (dir / "fleet.yaml").string();
}

}  // namespace

const Fixture& Get() {
  static const Fixture* f = [] {
    auto cat = catalog::Catalog::Load(std::string(GPUFLEET_SOURCE_DIR) +
                                      "/data/catalog/accelerators.yaml");
    if (!cat.ok()) std::abort();
    auto rules = compliance::RuleSet::Load(
        std::string(GPUFLEET_SOURCE_DIR) + "/data/rules/default.yaml", cat->IdsByName());
    if (!rules.ok()) std::abort();
    const std::string path = WriteFleet(*cat);
    auto fleet = inventory::Inventory::Load(path, *cat);
    if (!fleet.ok()) {
      std::fprintf(stderr, "%s\n", fleet.status().ToString().c_str());
      std::abort();
    }
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
    return new Fixture{std::move(cat).value(), std::move(rules).value(),
                       std::make_unique<inventory::Inventory>(std::move(fleet).value())};
  }();
  return *f;
}

}  // namespace gpufleet::bench
