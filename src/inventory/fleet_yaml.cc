#include "inventory/fleet_yaml.h"

#include <filesystem>
#include <optional>
#include <utility>

#include "gpufleet/codec/yaml_map.h"
#include "inventory/asset_csv.h"
#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

using codec::YamlErrors;
using codec::YamlField;
using codec::YamlMap;
using codec::YamlNode;

constexpr char kOrganisations[] = "organisations";
constexpr char kSites[] = "sites";
constexpr char kNodes[] = "nodes";
constexpr char kAssets[] = "assets";
constexpr char kAssetsCsv[] = "assets_csv";
constexpr std::string_view kKeys[] = {kOrganisations, kSites, kNodes, kAssets, kAssetsCsv};

struct Sections {
  std::optional<YamlField> organisations;
  std::optional<YamlField> sites;
  std::optional<YamlField> nodes;
  std::optional<YamlField> assets;
  std::optional<YamlField> assets_csv;
};

Result<Sections> ReadSections(const YamlMap& doc) {
  Sections s;
  for (const YamlField& f : doc.fields()) {
    std::optional<YamlField>* slot = f.name == kOrganisations ? &s.organisations
                                     : f.name == kSites       ? &s.sites
                                     : f.name == kNodes       ? &s.nodes
                                     : f.name == kAssets      ? &s.assets
                                     : f.name == kAssetsCsv   ? &s.assets_csv
                                                              : nullptr;
    if (slot == nullptr) return doc.UnknownKey(f, kKeys);
    *slot = f;
  }
  if (!s.organisations) return doc.Missing(kOrganisations);
  if (!s.sites) return doc.Missing(kSites);
  return s;
}

// The CSV path as messages and Asset::file show it: relative paths are taken from the YAML
// file's directory, so a fleet can be loaded from anywhere.
std::string CsvPath(const std::string& base_dir, const std::string& name) {
  const std::filesystem::path p(name);
  if (p.is_absolute() || base_dir.empty()) return name;
  return (std::filesystem::path(base_dir) / p).string();
}

Status ReadCsv(const YamlMap& doc, const YamlField& f, const std::string& base_dir,
               const AssetRefs& refs, std::vector<Asset>& assets) {
  Result<std::string> name = doc.ReadText(f);
  if (!name.ok()) return name.status();
  const Status s = ReadAssetsCsv(CsvPath(base_dir, *name), refs, assets);
  // Errors inside the CSV name their own line; a file that cannot be read is reported where
  // the YAML names it.
  if (s.code() == Status::Code::kIOError) {
    return Status::IOError(doc.Where(*f.value) + ": " + f.name + ": " + s.message());
  }
  return s;
}

Result<FleetData> ReadDocument(const YamlErrors& errors, const YamlNode& root,
                               const std::string& base_dir, const catalog::Catalog& catalog) {
  if (!root.IsMap()) {
    return errors.Error(root, "document",
                        "expected a map with 'organisations' and 'sites', got " + root.Describe());
  }
  Result<YamlMap> doc = YamlMap::Read(root, errors, "document");
  if (!doc.ok()) return doc.status();
  Result<Sections> s = ReadSections(*doc);
  if (!s.ok()) return s.status();
  FleetData data;
  GPUFLEET_RETURN_IF_ERROR(Assign(ReadOrganisations(*doc, *s->organisations), data.organisations));
  GPUFLEET_RETURN_IF_ERROR(Assign(ReadSites(*doc, *s->sites), data.sites));
  if (s->nodes) {
    GPUFLEET_RETURN_IF_ERROR(Assign(ReadNodes(*doc, *s->nodes, data.sites), data.nodes));
  }
  const AssetRefs refs(catalog, data.organisations, data.sites);
  if (s->assets) {
    GPUFLEET_RETURN_IF_ERROR(Assign(ReadInlineAssets(*doc, *s->assets, refs), data.assets));
  }
  if (s->assets_csv) {
    GPUFLEET_RETURN_IF_ERROR(ReadCsv(*doc, *s->assets_csv, base_dir, refs, data.assets));
  }
  return data;
}

}  // namespace

Result<FleetData> ReadFleet(std::string_view yaml, const std::string& file,
                            const std::string& base_dir, const catalog::Catalog& catalog) {
  Result<YamlNode> root = codec::ParseYaml(yaml, file);
  if (!root.ok()) return root.status();
  if (root->IsNull()) {
    return Status::InvalidArgument(file +
                                   ": empty document; expected a map with 'organisations' "
                                   "and 'sites'");
  }
  return ReadDocument(YamlErrors(file), *root, base_dir, catalog);
}

}  // namespace gpufleet::inventory
