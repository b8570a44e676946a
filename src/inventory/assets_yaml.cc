// The inline `assets` section: the same fields as the assets CSV, one map per asset. Handy
// for small fleets and hand-written test inputs; large fleets use assets_csv.

#include <optional>
#include <string>
#include <utility>

#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

constexpr char kSection[] = "assets";

Status ReadField(const YamlReporter& r, const YamlField& f, const AssetRefs& refs, Asset& a) {
  const AssetColumn* c = FindAssetColumn(f.name);
  if (c == nullptr) {
    return r.Error(f.key, f.name, "unknown key (known: " + AssetColumnList() + ")");
  }
  Result<std::string> text = ReadText(r, f);
  if (!text.ok()) return text.status();
  if (c->numeric && f.value.Tag() == "!") {
    return r.Error(f, "expected a number, got the string \"" + *text + "\"");
  }
  const Status s = c->set(refs, *text, a);
  return s.ok() ? s : r.Error(f, s.message());
}

Result<Asset> ReadAsset(const YamlReporter& r, const YAML::Node& entry, const AssetRefs& refs) {
  Result<std::vector<YamlField>> fields = MapFields(r, entry, kSection);
  if (!fields.ok()) return fields.status();
  Asset a;
  a.file = r.file();
  a.line = entry.Mark().line + 1;
  for (const YamlField& f : *fields) GPUFLEET_RETURN_IF_ERROR(ReadField(r, f, refs, a));
  for (const AssetColumn& c : AssetColumns()) {
    if (c.required && FindField(*fields, c.name) == nullptr) {
      return r.Error(entry, c.name, "missing; every asset needs one");
    }
  }
  if (const std::optional<AssetProblem> p = CheckAsset(refs, a)) {
    const YamlField* f = FindField(*fields, p->column);
    return f != nullptr ? r.Error(*f, p->what) : r.Error(entry, p->column, p->what);
  }
  return a;
}

}  // namespace

Result<std::vector<Asset>> ReadInlineAssets(const YamlReporter& r, const YamlField& f,
                                            const AssetRefs& refs) {
  Result<std::vector<YAML::Node>> entries = ListOf(r, f);
  if (!entries.ok()) return entries.status();
  std::vector<Asset> assets;
  for (const YAML::Node& entry : *entries) {
    Result<Asset> a = ReadAsset(r, entry, refs);
    if (!a.ok()) return a.status();
    assets.push_back(std::move(a).value());
  }
  return assets;
}

}  // namespace gpufleet::inventory
