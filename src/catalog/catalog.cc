#include "gpufleet/catalog/catalog.h"

#include <utility>

#include "catalog/catalog_parser.h"
#include "catalog/lookup_key.h"
#include "gpufleet/codec/text_file.h"

namespace gpufleet::catalog {

Result<Catalog> Catalog::Load(const std::string& path) {
  Result<std::string> text = codec::ReadTextFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

Result<Catalog> Catalog::Parse(std::string_view yaml, const std::string& name_for_errors) {
  Result<std::vector<AcceleratorSpec>> specs = ParseCatalogYaml(yaml, name_for_errors);
  if (!specs.ok()) return specs.status();
  Catalog catalog;
  catalog.models_ = std::move(specs).value();
  // The parser has already rejected clashes, so every insertion below is new.
  for (size_t i = 0; i < catalog.models_.size(); ++i) {
    const AcceleratorSpec& m = catalog.models_[i];
    catalog.index_.emplace(LookupKey(m.id), i);
    for (const std::string& alias : m.aliases) catalog.index_.emplace(LookupKey(alias), i);
  }
  return catalog;
}

const AcceleratorSpec* Catalog::Find(std::string_view id_or_alias) const {
  const auto it = index_.find(LookupKey(id_or_alias));
  return it == index_.end() ? nullptr : &models_[it->second];
}

std::map<std::string, std::string, std::less<>> Catalog::IdsByName() const {
  std::map<std::string, std::string, std::less<>> ids;
  for (const AcceleratorSpec& m : models_) {
    ids[m.id] = m.id;
    for (const std::string& a : m.aliases) ids[a] = m.id;
  }
  return ids;
}

}  // namespace gpufleet::catalog
