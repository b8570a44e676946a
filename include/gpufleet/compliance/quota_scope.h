#pragma once
// What a sourcing quota measures: which sites it covers and what one accelerator weighs in
// its basis. `gpufleet check` measures quotas over the inventory with these; the scheduler
// measures the resale cap over allocations with the same two, so both read a quota alike.

#include <optional>

#include "gpufleet/catalog/accelerator.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::compliance {

// The site's country is in q.locations (empty = anywhere) and q.sites holds for the site.
bool QuotaCoversSite(const Quota& q, const inventory::Site& site);

// One accelerator's weight: 1 (count), its TPP (compute) or its catalog price (spend);
// nullopt when the catalog lacks the figure.
std::optional<double> QuotaWeight(const catalog::AcceleratorSpec& chip, QuotaBasis basis);

}  // namespace gpufleet::compliance
