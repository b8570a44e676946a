#include "inventory/fleet_yaml.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <utility>

#include "inventory/asset_csv.h"
#include "inventory/yaml_sections.h"

namespace gpufleet::inventory {
namespace {

constexpr char kOrganisations[] = "organisations";
constexpr char kSites[] = "sites";
constexpr char kAssets[] = "assets";
constexpr char kAssetsCsv[] = "assets_csv";

struct Sections {
  std::optional<YamlField> organisations;
  std::optional<YamlField> sites;
  std::optional<YamlField> assets;
  std::optional<YamlField> assets_csv;
};

Result<Sections> ReadSections(const YamlReporter& r, const YAML::Node& root) {
  if (!root.IsMap()) {
    return r.Error(root, "document",
                   "expected a map with 'organisations' and 'sites', got " + KindName(root));
  }
  Result<std::vector<YamlField>> fields = MapFields(r, root, "document");
  if (!fields.ok()) return fields.status();
  Sections s;
  for (YamlField& f : *fields) {
    std::optional<YamlField>* slot = f.name == kOrganisations ? &s.organisations
                                     : f.name == kSites       ? &s.sites
                                     : f.name == kAssets      ? &s.assets
                                     : f.name == kAssetsCsv   ? &s.assets_csv
                                                              : nullptr;
    if (slot == nullptr) {
      return r.Error(f.key, f.name, "unknown key (known: organisations sites assets assets_csv)");
    }
    *slot = std::move(f);
  }
  if (!s.organisations) return r.Error(root, kOrganisations, "missing");
  if (!s.sites) return r.Error(root, kSites, "missing");
  return s;
}

// The CSV path as messages and Asset::file show it: relative paths are taken from the YAML
// file's directory, so a fleet can be loaded from anywhere.
std::string CsvPath(const std::string& base_dir, const std::string& name) {
  const std::filesystem::path p(name);
  if (p.is_absolute() || base_dir.empty()) return name;
  return (std::filesystem::path(base_dir) / p).string();
}

Status ReadCsv(const YamlReporter& r, const YamlField& f, const std::string& base_dir,
               const AssetRefs& refs, std::vector<Asset>& assets) {
  Result<std::string> name = ReadText(r, f);
  if (!name.ok()) return name.status();
  const Status s = ReadAssetsCsv(CsvPath(base_dir, *name), refs, assets);
  // Errors inside the CSV name their own line; a file that cannot be read is reported where
  // the YAML names it.
  if (s.code() == Status::Code::kIOError) {
    return Status::IOError(r.Where(f.value.Mark()) + ": " + f.name + ": " + s.message());
  }
  return s;
}

Result<FleetData> ReadDocument(const YamlReporter& r, const YAML::Node& root,
                               const std::string& base_dir, const catalog::Catalog& catalog) {
  Result<Sections> s = ReadSections(r, root);
  if (!s.ok()) return s.status();
  FleetData data;
  GPUFLEET_RETURN_IF_ERROR(Assign(ReadOrganisations(r, *s->organisations), data.organisations));
  GPUFLEET_RETURN_IF_ERROR(Assign(ReadSites(r, *s->sites), data.sites));
  const AssetRefs refs(catalog, data.organisations, data.sites);
  if (s->assets)
    GPUFLEET_RETURN_IF_ERROR(Assign(ReadInlineAssets(r, *s->assets, refs), data.assets));
  if (s->assets_csv) {
    GPUFLEET_RETURN_IF_ERROR(ReadCsv(r, *s->assets_csv, base_dir, refs, data.assets));
  }
  return data;
}

}  // namespace

Result<FleetData> ReadFleet(std::string_view yaml, const std::string& file,
                            const std::string& base_dir, const catalog::Catalog& catalog) {
  const YamlReporter r(file);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) {
      return Status::InvalidArgument(file +
                                     ": empty document; expected a map with 'organisations' "
                                     "and 'sites'");
    }
    return ReadDocument(r, root, base_dir, catalog);
  } catch (const YAML::Exception& e) {
    // Syntax errors, and as a last resort anything yaml-cpp throws while the document is
    // walked: the walk checks node types first, so this should only be syntax.
    return Status::InvalidArgument(r.Where(e.mark) + ": invalid YAML: " + e.msg);
  }
}

}  // namespace gpufleet::inventory
