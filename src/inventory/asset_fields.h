#pragma once
// The asset fields as both file formats spell them: one table of columns (CSV header names and
// YAML keys are the same), each with how to read and write it, so the two readers and the
// writer cannot drift apart.

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/status.h"

namespace gpufleet::inventory {

// What asset fields may refer to. Holds pointers into `sites`, which must not change while
// this lives.
class AssetRefs {
 public:
  AssetRefs(const catalog::Catalog& catalog, const std::vector<Organisation>& organisations,
            const std::vector<Site>& sites);

  const catalog::Catalog& catalog() const { return catalog_; }
  bool HasOrg(std::string_view id) const { return orgs_.count(id) > 0; }
  const Site* FindSite(std::string_view id) const;

 private:
  const catalog::Catalog& catalog_;
  std::set<std::string, std::less<>> orgs_;
  std::map<std::string, const Site*, std::less<>> sites_;
};

struct AssetColumn {
  std::string_view name;
  bool required;
  // YAML reads a quoted value in a numeric field as a mistake, as the catalog does.
  bool numeric;
  // Sets the field from `text`. REQUIRES: text is not empty. Errors are InvalidArgument with
  // a message and no location: each reader prefixes its own "file:line:column: name: ".
  Status (*set)(const AssetRefs& refs, const std::string& text, Asset& asset);
  // The field as written; "" when not recorded.
  std::string (*get)(const Asset& asset);
};

// Every column, in the order the writer puts them.
std::span<const AssetColumn> AssetColumns();
// nullptr for an unknown name.
const AssetColumn* FindAssetColumn(std::string_view name);
// "serial model site ...": for "unknown column" messages.
std::string AssetColumnList();

// A contradiction between fields of one asset, found once all are set; `column` names the
// field to point at.
struct AssetProblem {
  std::string_view column;
  std::string what;
};
std::optional<AssetProblem> CheckAsset(const AssetRefs& refs, const Asset& asset);

}  // namespace gpufleet::inventory
