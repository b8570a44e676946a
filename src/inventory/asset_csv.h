#pragma once
// The assets CSV: reading (header required, columns in any order, blank optional cells) and
// writing (every column, in AssetColumns() order).

#include <string>
#include <vector>

#include "gpufleet/inventory/inventory.h"
#include "gpufleet/status.h"
#include "inventory/asset_fields.h"

namespace gpufleet::inventory {

// Reads the CSV at `path` and appends its rows to `out`, each with file = `path`. Errors are
// InvalidArgument "path:line:column: column: what" (IOError when unreadable); on error `out`
// may hold some of the rows, so callers discard it.
Status ReadAssetsCsv(const std::string& path, const AssetRefs& refs, std::vector<Asset>& out);

// Writes `assets` to `path`; IOError on failure.
Status WriteAssetsCsv(const std::string& path, const std::vector<Asset>& assets);

}  // namespace gpufleet::inventory
