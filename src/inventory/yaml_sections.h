#pragma once
// Readers for the sections of the fleet YAML. Each takes the section's field (its value must
// be a list of maps) and returns the checked records, or the first error.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "gpufleet/inventory/inventory.h"
#include "inventory/asset_fields.h"
#include "inventory/enum_names.h"
#include "inventory/yaml_fields.h"

namespace gpufleet::inventory {

// Unique ids, every parent known, no parent cycles, every subsidiary with a parent.
Result<std::vector<Organisation>> ReadOrganisations(const YamlReporter& r, const YamlField& f);
// Unique ids; a rented site names its provider.
Result<std::vector<Site>> ReadSites(const YamlReporter& r, const YamlField& f);
// Each entry a map keyed by the asset columns; references checked against `refs`.
Result<std::vector<Asset>> ReadInlineAssets(const YamlReporter& r, const YamlField& f,
                                            const AssetRefs& refs);

// A field spelled as one of `table`'s names.
template <typename E, size_t N>
Result<E> ReadEnum(const YamlReporter& r, const YamlField& f, const EnumName<E> (&table)[N],
                   std::string_view what) {
  Result<std::string> s = ReadText(r, f);
  if (!s.ok()) return s.status();
  const std::optional<E> v = ValueOf(table, *s);
  if (!v) return r.Error(f, UnknownName(table, what, *s));
  return *v;
}

}  // namespace gpufleet::inventory
