// A synthetic inventory of 1,000,000 accelerators for the compliance and scheduler
// benchmarks: the demo fleet (inventory/demo_fleet.h) in 5,000 purchases of 200 accelerators,
// every catalog model. It is written to a temporary YAML + CSV and loaded through the
// inventory reader, as a user's fleet would be.

#include "synthetic_inventory.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gpufleet/inventory/demo_fleet.h"

namespace gpufleet::bench {
namespace {

std::string WriteFleet(const catalog::Catalog& catalog) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("gpufleet_bench_fleet_" + std::to_string(::getpid()));
  Result<std::string> path = inventory::WriteDemoFleet(
      catalog, {.accelerators = 1'000'000, .per_purchase = 200, .seed = 7, .models = {}},
      dir.string());
  if (!path.ok()) {
    std::fprintf(stderr, "%s\n", path.status().ToString().c_str());
    std::abort();
  }
  return *path;
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
