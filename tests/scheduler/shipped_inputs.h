#pragma once
// The shipped catalog, rule history and acme overlay (examples/acme-rules.yaml) the scheduler
// tests run on, read once from the source tree.

#include <string>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/rule_change.h"
#include "support/cli_runner.h"

namespace gpufleet::scheduler::testing {

struct ShippedInputs {
  catalog::Catalog catalog;
  std::string rules_text;    // data/rules/default.yaml
  std::string overlay_text;  // examples/acme-rules.yaml

  // The history with `overlay` (a variant of acme's) layered on it.
  Result<compliance::RuleSet> RulesWith(const std::string& overlay) const {
    return compliance::ApplyChange(rules_text, "default.yaml", overlay, "acme-rules.yaml",
                                   catalog.IdsByName());
  }
  Result<compliance::RuleSet> RulesWithAcme() const { return RulesWith(overlay_text); }
};

inline Result<ShippedInputs> LoadShippedInputs() {
  const std::string source = GPUFLEET_SOURCE_DIR;
  auto cat = catalog::Catalog::Load(source + "/data/catalog/accelerators.yaml");
  if (!cat.ok()) return cat.status();
  ShippedInputs in{std::move(cat).value(),
                   gpufleet::testing::ReadFile(source + "/data/rules/default.yaml"),
                   gpufleet::testing::ReadFile(source + "/examples/acme-rules.yaml")};
  if (in.rules_text.empty() || in.overlay_text.empty()) {
    return Status::IOError("cannot read the shipped rules or examples/acme-rules.yaml");
  }
  return in;
}

}  // namespace gpufleet::scheduler::testing
