#pragma once
// The catalog and rule files a compliance command reads: the shipped defaults unless the user
// names others.

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/rule_set.h"

namespace gpufleet::cli {

struct ComplianceInputFlags {
  std::string catalog;  // "" = the shipped catalog
  std::string rules;    // "" = the shipped rule history
};

struct ComplianceInput {
  catalog::Catalog catalog;
  compliance::RuleSet rules;
  std::string rules_path;  // where `rules` came from
  std::string rules_text;  // as read: `impact` merges a change into the document
};

// The whole file at `path`; IOError naming it when it cannot be read.
Result<std::string> ReadTextFile(const std::string& path);

void AddComplianceInputOptions(CLI::App& cmd, ComplianceInputFlags& flags);
Result<ComplianceInput> LoadComplianceInput(const ComplianceInputFlags& flags);

// The date an --at flag names, or today (UTC) when it is empty; the error names the flag.
Result<Date> ParseAtFlag(const std::string& at);

}  // namespace gpufleet::cli
