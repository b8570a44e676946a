#include "gpufleet/inventory/diversion.h"

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "gpufleet/model/utf8.h"
#include "inventory/field_text.h"

namespace gpufleet::inventory {
namespace {

std::string SerialKey(const std::string& serial) {
  std::string key = serial;
  for (char& c : key) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return key;
}

std::string Where(const Asset& a) { return a.file + ":" + std::to_string(a.line); }

DiversionFlag Flag(DiversionFlag::Kind kind, const Asset& a, std::string detail) {
  return DiversionFlag{kind, a.serial, std::move(detail), a.file, a.line};
}

// The repeat flag for `a`, given the earlier records of its serial.
DiversionFlag RepeatFlag(const Asset& a, const std::vector<const Asset*>& earlier) {
  for (const Asset* e : earlier) {
    if (e->site != a.site) {
      return Flag(DiversionFlag::Kind::kSerialAtTwoSites, a,
                  "serial '" + Excerpt(a.serial) + "' is at site '" + Excerpt(a.site) +
                      "' here and at site '" + e->site + "' in " + Where(*e));
    }
  }
  const Asset& first = *earlier.front();
  return Flag(DiversionFlag::Kind::kSerialRegisteredTwice, a,
              "serial '" + Excerpt(a.serial) + "' at site '" + Excerpt(a.site) +
                  "' is already registered in " + Where(first));
}

struct SpecCheck {
  const char* label;
  const char* unit;  // "" for a dimensionless figure
  std::optional<double> Asset::*declared;
  std::optional<double> (*catalog)(const catalog::AcceleratorSpec&);
};
constexpr SpecCheck kSpecChecks[] = {
    {"memory", " GB", &Asset::declared_memory_gb,
     [](const catalog::AcceleratorSpec& s) { return s.memory_gb; }},
    {"TPP", "", &Asset::declared_tpp, [](const catalog::AcceleratorSpec& s) { return Tpp(s); }},
    {"memory bandwidth", " GB/s", &Asset::declared_dram_bw_gbs,
     [](const catalog::AcceleratorSpec& s) { return s.dram_bw_gbs; }},
};

}  // namespace

std::vector<DiversionFlag> FindDiversionFlags(const std::vector<Asset>& assets,
                                              const catalog::Catalog& catalog) {
  std::vector<DiversionFlag> flags;
  std::map<std::string, std::vector<const Asset*>> by_serial;
  for (const Asset& a : assets) {
    std::vector<const Asset*>& earlier = by_serial[SerialKey(a.serial)];
    if (!earlier.empty()) flags.push_back(RepeatFlag(a, earlier));
    earlier.push_back(&a);

    const catalog::AcceleratorSpec* spec = catalog.Find(a.model);
    if (spec == nullptr) continue;
    for (const SpecCheck& check : kSpecChecks) {
      const std::optional<double>& declared = a.*check.declared;
      const std::optional<double> known = check.catalog(*spec);
      if (!declared || !known) continue;
      if (std::abs(*declared - *known) <= kSpecTolerance * *known) continue;
      flags.push_back(Flag(DiversionFlag::Kind::kSpecsContradictCatalog, a,
                           "declared " + std::string(check.label) + " " + FormatNumber(*declared) +
                               check.unit + ", catalog says " + FormatNumber(*known) + check.unit +
                               " for " + spec->id));
    }
  }
  return flags;
}

}  // namespace gpufleet::inventory
