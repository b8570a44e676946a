#pragma once
// What the compliance engine says of one change to the living inventory, at the change's
// effective time, before it is accepted (docs/service.md, "Inventory"). The asset is judged as
// the change leaves it: how it got where it is now (registered: its arrival on its acquisition
// date; moved across a border: exported or re-exported from the site it left; sold or leased:
// transferred to its new end user in the country; moved within a country: nothing more) and
// holding it at its site on the effective date. A move to another node of the same site is
// not judged: nothing the rules read changes.
// Private to the service.

#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/inventory/live_inventory.h"

namespace gpufleet::service {

struct ChangeJudgement {
  bool judged = false;  // false for changes the rules do not read (retire, lost, places)
  compliance::Severity severity = compliance::Severity::kWarning;
  std::string overall;                   // OverallName of the most severe verdict
  std::vector<std::string> rules;        // ids of the rules that decided it
  std::vector<std::string> explanation;  // Verdict::Explain of the most severe verdict
  // The licence that let it through (a licence_required rule with a granted licence in
  // force), "" for none.
  std::string licence;
  bool refused() const { return judged && severity == compliance::Severity::kViolation; }
};

// REQUIRES: live.Check(change).ok().
ChangeJudgement JudgeChange(const inventory::LiveInventory& live, const inventory::Change& change,
                            const catalog::Catalog& catalog, const compliance::Engine& engine);

}  // namespace gpufleet::service
