#pragma once
// The synthetic 1,000,000-accelerator inventory the compliance and scheduler benchmarks share
// (synthetic_inventory.cc says what is in it), with the shipped catalog and rule history.

#include <memory>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::bench {

struct Fixture {
  catalog::Catalog catalog;
  compliance::RuleSet rules;
  std::unique_ptr<inventory::Inventory> fleet;
};

// Built on first use (a few seconds), then shared.
const Fixture& Get();

inline const Date kAt = Date::FromDays(20513);  // 2026-03-01

}  // namespace gpufleet::bench
