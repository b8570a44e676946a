#pragma once
// Writing an inventory back out in the form ReadFleet reads: the fleet YAML, with every asset
// in a sibling CSV (out/fleet.yaml -> out/fleet.assets.csv) whatever their source was.

#include <string>
#include <vector>

#include "gpufleet/inventory/inventory.h"
#include "gpufleet/status.h"

namespace gpufleet::inventory {

// The sibling CSV's file name for the fleet YAML at `yaml_path` ("fleet.assets.csv").
std::string AssetsCsvName(const std::string& yaml_path);

// IOError when a file cannot be written.
Status WriteFleet(const std::string& yaml_path, const std::vector<Organisation>& organisations,
                  const std::vector<Site>& sites, const std::vector<Node>& nodes,
                  const std::vector<Asset>& assets);

}  // namespace gpufleet::inventory
