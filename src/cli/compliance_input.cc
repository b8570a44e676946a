#include "cli/compliance_input.h"

#include <chrono>
#include <fstream>
#include <sstream>

namespace gpufleet::cli {

void AddComplianceInputOptions(CLI::App& cmd, ComplianceInputFlags& flags) {
  cmd.add_option("--catalog", flags.catalog,
                 "Accelerator catalog YAML (default: the shipped data/catalog/accelerators.yaml)");
  cmd.add_option("--rules", flags.rules,
                 "Rule file YAML (default: the shipped history, data/rules/default.yaml)");
}

Result<Date> ParseAtFlag(const std::string& at) {
  if (at.empty()) {
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    return Date::FromDays(static_cast<int32_t>(today.time_since_epoch().count()));
  }
  Result<Date> d = Date::Parse(at);
  if (!d.ok()) return Status::InvalidArgument("--at: " + d.status().message());
  return d;
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read error");
  return text.str();
}

Result<ComplianceInput> LoadComplianceInput(const ComplianceInputFlags& flags) {
  const std::string catalog_path =
      flags.catalog.empty() ? catalog::DefaultCatalogPath() : flags.catalog;
  if (catalog_path.empty()) {
    return Status::NotFound(
        "cannot find the shipped catalog data/catalog/accelerators.yaml; give --catalog or set "
        "GPUFLEET_DATA_DIR");
  }
  auto cat = catalog::Catalog::Load(catalog_path);
  if (!cat.ok()) return cat.status();
  const std::string rules_path =
      flags.rules.empty() ? catalog::DefaultDataPath("rules/default.yaml") : flags.rules;
  if (rules_path.empty()) {
    return Status::NotFound(
        "cannot find the shipped rules data/rules/default.yaml; give --rules or set "
        "GPUFLEET_DATA_DIR");
  }
  auto text = ReadTextFile(rules_path);
  if (!text.ok()) return text.status();
  auto rules = compliance::RuleSet::Parse(*text, rules_path, cat->IdsByName());
  if (!rules.ok()) return rules.status();
  return ComplianceInput{std::move(cat).value(), std::move(rules).value(), rules_path,
                         std::move(text).value()};
}

}  // namespace gpufleet::cli
