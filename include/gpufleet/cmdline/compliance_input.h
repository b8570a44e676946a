#pragma once
// The catalog and rule files a compliance command reads: the shipped defaults unless the user
// names others.

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::cmdline {

struct ComplianceInputFlags {
  std::string catalog;  // "" = the shipped catalog
  std::string rules;    // "" = the shipped rule history
  // Change files (rule_change.h format) applied in order on top of `rules`: the operator's
  // licences, company policies and data-residency rules over the shipped history.
  std::vector<std::string> overlays;
};

struct ComplianceInput {
  catalog::Catalog catalog;
  compliance::RuleSet rules;  // the rule file with every overlay applied
  // Where `rules` came from, for messages: the rule file's path, then " + <overlay>" per
  // overlay ("data/rules/default.yaml + ops.yaml").
  std::string rules_path;
  // The document `rules` was parsed from: the file as read, or, with overlays, the merged
  // (re-emitted) YAML. `impact` merges its change into this, so it sees base + overlays.
  std::string rules_text;
  // The rule file itself (--rules, or the shipped history), before any overlay: its path and
  // its text as read. gpufleetd hashes it in its start check (service/shipped_rules.h).
  std::string base_rules_path;
  std::string base_rules_text;
};

// --catalog, --rules and the repeatable --overlay.
void AddComplianceInputOptions(CLI::App& cmd, ComplianceInputFlags& flags);
// Loads the catalog and the rule file, each of which must be valid on its own, then applies
// the overlays in order; after each, the merged set is validated as a whole (RuleSet::Parse),
// so an error is pinned to the first overlay that causes it. Errors name the file (for the
// merged set: "<rules> + <overlay>..." and a position in the re-emitted document).
Result<ComplianceInput> LoadComplianceInput(const ComplianceInputFlags& flags);

// The date an --at flag names, or today (UTC) when it is empty; the error names the flag.
Result<Date> ParseAtFlag(const std::string& at);

// What check, impact and place start from: the catalog and rules, the fleet inventory at
// `fleet_path`, and the --at date; errors in that order.
struct FleetInput {
  ComplianceInput compliance;
  inventory::Inventory fleet;
  Date at;
};
Result<FleetInput> LoadFleetInput(const ComplianceInputFlags& flags, const std::string& fleet_path,
                                  const std::string& at);

}  // namespace gpufleet::cmdline
