#pragma once
// Compliance answers as JSON, the one format `gpufleet check|check-transfer --json` print and
// gpufleetd's compliance endpoints answer with; `gpufleet impact --json` too.

#include <nlohmann/json.hpp>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/impact.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::compliance {

// The verdict: overall action, manual classification and the facts it hangs on, and per
// jurisdiction the rules that decided it (ids, versions, sources, licences).
nlohmann::ordered_json VerdictJson(const Verdict& v);

// The fleet check of `fleet`: counts, each finding with its verdict, the sourcing quotas and
// the signs of diversion the inventory's import found.
nlohmann::ordered_json FleetCheckJson(const FleetCheckReport& r, const inventory::Inventory& fleet);

// What a rule change (named `change`) would change: counts, groups by site, model and owner,
// each asset that changes status, new obligations, quota shares, jobs losing their placement.
nlohmann::ordered_json ImpactJson(const ImpactReport& r, const std::string& change);

// The rules in force on `at` (every rule version, in file order, with its action, scope in
// countries, dates and source) and every licence on file with what it amounts to on that day.
nlohmann::ordered_json RulesInForceJson(const RuleSet& rules, Date at);

}  // namespace gpufleet::compliance
