#include "gpufleet/inventory/demo_fleet.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gpufleet/model/date.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::inventory {
namespace {

struct DemoSite {
  const char* id;
  const char* country;
  const char* extra;  // YAML lines
  bool rented;
};

constexpr DemoSite kSites[] = {
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

void WriteYaml(std::ostream& yaml) {
  yaml << "organisations:\n"
          "  - {id: acme, name: Acme, kind: company, hq_country: CN}\n"
          "  - {id: acme-sg, name: Acme SG, kind: subsidiary, parent: acme, hq_country: SG}\n"
          "  - {id: provider, name: Provider, kind: counterparty, hq_country: US}\n"
          "  - {id: customer, name: Customer, kind: external_customer, hq_country: CN}\n"
          "sites:\n";
  for (const DemoSite& s : kSites) {
    yaml << "  - id: " << s.id << "\n    name: " << s.id << "\n    country: " << s.country
         << "\n    provider: " << (s.rented ? "Provider" : "Acme")
         << "\n    ownership: " << (s.rented ? "rented" : "owned") << "\n"
         << s.extra;
  }
  yaml << "assets_csv: assets.csv\n";
}

}  // namespace

Result<std::string> WriteDemoFleet(const catalog::Catalog& catalog, const DemoFleetOptions& options,
                                   const std::string& dir) {
  if (options.accelerators < 1 || options.per_purchase < 1) {
    return Status::InvalidArgument("demo fleet: accelerators and per_purchase must be positive");
  }
  std::vector<const catalog::AcceleratorSpec*> models;
  for (const std::string& id : options.models) {
    const catalog::AcceleratorSpec* m = catalog.Find(id);
    if (m == nullptr)
      return Status::InvalidArgument("demo fleet: unknown model '" + Excerpt(id) + "'");
    models.push_back(m);
  }
  if (models.empty()) {
    for (const catalog::AcceleratorSpec& m : catalog.models()) models.push_back(&m);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status::IOError("demo fleet: cannot create '" + Excerpt(dir) + "': " + ec.message());
  const std::filesystem::path root(dir);
  std::ofstream yaml(root / "fleet.yaml");
  WriteYaml(yaml);
  std::ofstream csv(root / "assets.csv");
  csv << "serial,model,site,owner,operator,holding,acquired,arrival,from_country\n";
  Rng rng(options.seed);
  const int32_t first = Date::Parse("2021-01-01")->days();
  const int32_t last = Date::Parse("2026-06-30")->days();
  const int64_t purchases =
      (options.accelerators + options.per_purchase - 1) / options.per_purchase;
  int64_t serial = 0;
  for (int64_t p = 0; p < purchases; ++p) {
    const catalog::AcceleratorSpec& m = *models[rng.Uniform(models.size())];
    const DemoSite& site = kSites[rng.Uniform(std::size(kSites))];
    const Date when = Date::FromDays(first + static_cast<int32_t>(rng.Uniform(last - first)));
    const std::string country = site.country;
    // Hong Kong counts as Chinese for where a domestic chip came from.
    const bool domestic_here =
        catalog::IsDomesticIn(m, country) || (country == "HK" && catalog::IsDomesticIn(m, "CN"));
    const std::string owner = site.rented ? "provider" : (country == "SG" ? "acme-sg" : "acme");
    const std::string op = site.rented ? (rng.Uniform(4) == 0 ? "customer" : "acme") : owner;
    const std::string holding = site.rented ? "rented_remote" : "owned";
    const std::string arrival =
        domestic_here ? "in_country_transfer" : (rng.Uniform(3) ? "export" : "reexport");
    const std::string from = domestic_here ? country : (arrival == "export" ? "US" : "TW");
    const std::string row_tail = std::string(",") + site.id + "," + owner + "," + op + "," +
                                 holding + "," + when.ToString() + "," + arrival + "," + from +
                                 "\n";
    for (int32_t i = 0; i < options.per_purchase; ++i) {
      csv << "SN" << serial++ << "," << m.id << row_tail;
    }
  }
  yaml.flush();
  csv.flush();
  if (!yaml || !csv) return Status::IOError("demo fleet: cannot write into '" + Excerpt(dir) + "'");
  return (root / "fleet.yaml").string();
}

}  // namespace gpufleet::inventory
