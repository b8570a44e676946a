#pragma once
// What the readers hand to Inventory: the three lists, checked and resolved, before indexing
// and diversion checks.

#include <vector>

#include "gpufleet/inventory/inventory.h"

namespace gpufleet::inventory {

struct FleetData {
  std::vector<Organisation> organisations;
  std::vector<Site> sites;
  std::vector<Node> nodes;
  std::vector<Asset> assets;
};

}  // namespace gpufleet::inventory
