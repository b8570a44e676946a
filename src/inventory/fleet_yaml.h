#pragma once
// The fleet document as a whole: its top-level keys, the order sections are read in (assets
// refer to organisations and sites, wherever they appear in the file), and the assets CSV it
// names. Errors come back as a Status (codec/yaml_map.h reads the YAML).

#include <string>
#include <string_view>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/status.h"
#include "inventory/fleet_data.h"

namespace gpufleet::inventory {

// Reads the fleet YAML `yaml` (named `file` in messages); `assets_csv` is resolved against
// `base_dir` ("" = current directory). Errors as Inventory::Parse documents.
Result<FleetData> ReadFleet(std::string_view yaml, const std::string& file,
                            const std::string& base_dir, const catalog::Catalog& catalog);

}  // namespace gpufleet::inventory
