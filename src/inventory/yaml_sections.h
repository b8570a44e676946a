#pragma once
// Readers for the sections of the fleet YAML, on the strict map reader of codec/yaml_map.h.
// Each takes the document map and the section's field (its value must be a list of maps) and
// returns the checked records, or the first error.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpufleet/codec/yaml_country.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/utf8.h"
#include "inventory/asset_fields.h"
#include "inventory/enum_names.h"
#include "inventory/field_text.h"

namespace gpufleet::inventory {

// Unique ids, every parent known, no parent cycles, every subsidiary with a parent.
Result<std::vector<Organisation>> ReadOrganisations(const codec::YamlMap& doc,
                                                    const codec::YamlField& f);
// Unique ids; a rented site names its provider.
Result<std::vector<Site>> ReadSites(const codec::YamlMap& doc, const codec::YamlField& f);
// Unique (site, id); every site known; cores and memory within their bounds.
Result<std::vector<Node>> ReadNodes(const codec::YamlMap& doc, const codec::YamlField& f,
                                    const std::vector<Site>& sites);
// Each entry a map keyed by the asset columns; references checked against `refs`.
Result<std::vector<Asset>> ReadInlineAssets(const codec::YamlMap& doc, const codec::YamlField& f,
                                            const AssetRefs& refs);

// An id: text that IsSlug accepts.
inline Result<std::string> ReadSlug(const codec::YamlMap& m, const codec::YamlField& f) {
  Result<std::string> s = m.ReadText(f, "an id");
  if (s.ok() && !IsSlug(*s)) {
    return m.Error(f, "'" + Excerpt(*s) + "' is not a slug (lower-case letters, digits and '-')");
  }
  return s;
}

// A country: an assigned ISO 3166-1 alpha-2 code (codec/yaml_country.h).
inline Result<std::string> ReadCountry(const codec::YamlMap& m, const codec::YamlField& f) {
  return codec::ReadCountryCode(m, f);
}

// A field spelled as one of `table`'s names.
template <typename E, size_t N>
Result<E> ReadEnum(const codec::YamlMap& m, const codec::YamlField& f,
                   const EnumName<E> (&table)[N], std::string_view what) {
  Result<std::string> s = m.ReadText(f);
  if (!s.ok()) return s.status();
  const std::optional<E> v = ValueOf(table, *s);
  if (!v) return m.Error(f, UnknownName(table, what, *s));
  return *v;
}

// Moves a read value into `out`, or passes its error on:
//   GPUFLEET_RETURN_IF_ERROR(Assign(m.ReadText(f), site.name));
template <typename T, typename U>
Status Assign(Result<T> value, U& out) {
  if (!value.ok()) return value.status();
  out = std::move(value).value();
  return Status::Ok();
}

}  // namespace gpufleet::inventory
