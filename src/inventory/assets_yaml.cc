// The inline `assets` section: the same fields as the assets CSV, one map per asset. Handy
// for small fleets and hand-written test inputs; large fleets use assets_csv.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

using codec::YamlField;
using codec::YamlMap;

Status ReadField(const YamlMap& m, const YamlField& f, const AssetRefs& refs, Asset& a) {
  const AssetColumn* c = FindAssetColumn(f.name);
  if (c == nullptr) {
    std::vector<std::string_view> known;
    for (const AssetColumn& column : AssetColumns()) known.push_back(column.name);
    return m.UnknownKey(f, known);
  }
  // A numeric column is read as a number first, so a quoted "2368" is reported as the codec
  // reports it; the column's own parser then checks the text as the CSV reader does.
  if (c->numeric) {
    Result<double> v = m.ReadNumber(f);
    if (!v.ok()) return v.status();
  }
  Result<std::string> text = m.ReadText(f);
  if (!text.ok()) return text.status();
  const Status s = c->set(refs, *text, a);
  return s.ok() ? s : m.Error(f, s.message());
}

Result<Asset> ReadAsset(const YamlMap& entry, const AssetRefs& refs) {
  Asset a;
  a.file = entry.file();
  a.line = entry.line();
  for (const YamlField& f : entry.fields()) GPUFLEET_RETURN_IF_ERROR(ReadField(entry, f, refs, a));
  for (const AssetColumn& c : AssetColumns()) {
    if (c.required && !entry.Has(c.name)) return entry.Missing(c.name, "every asset needs one");
  }
  if (const std::optional<AssetProblem> p = CheckAsset(refs, a)) {
    return entry.Error(p->column, p->what);
  }
  return a;
}

}  // namespace

Result<std::vector<Asset>> ReadInlineAssets(const YamlMap& doc, const YamlField& f,
                                            const AssetRefs& refs) {
  Result<std::vector<YamlField>> items = doc.ReadList(f);
  if (!items.ok()) return items.status();
  std::vector<Asset> assets;
  for (const YamlField& item : *items) {
    Result<YamlMap> entry = doc.ReadMap(item);
    if (!entry.ok()) return entry.status();
    Result<Asset> a = ReadAsset(*entry, refs);
    if (!a.ok()) return a.status();
    assets.push_back(std::move(a).value());
  }
  return assets;
}

}  // namespace gpufleet::inventory
