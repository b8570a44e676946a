#include "gpufleet/cmdline/compliance_input.h"

#include <chrono>

#include "gpufleet/codec/text_file.h"
#include "gpufleet/compliance/rule_change.h"

namespace gpufleet::cmdline {

void AddComplianceInputOptions(CLI::App& cmd, ComplianceInputFlags& flags) {
  cmd.add_option("--catalog", flags.catalog,
                 "Accelerator catalog YAML (default: the shipped data/catalog/accelerators.yaml)");
  cmd.add_option("--rules", flags.rules,
                 "Rule file YAML (default: the shipped history, data/rules/default.yaml)");
  cmd.add_option("--overlay", flags.overlays,
                 "Rule overlay YAML, applied on top of the rules (repeatable, in order): the "
                 "operator's licences, policies and data-residency rules, in the change-file "
                 "format of docs/compliance.md (by-id replacement)")
      ->take_all();
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
  auto text = codec::ReadTextFile(rules_path);
  if (!text.ok()) return text.status();
  auto layered = compliance::LayerOverlays(*text, rules_path, flags.overlays, cat->IdsByName());
  if (!layered.ok()) return layered.status();
  return ComplianceInput{std::move(cat).value(),
                         std::move(layered->rules),
                         std::move(layered->name),
                         std::move(layered->text),
                         rules_path,
                         std::move(text).value()};
}

Result<FleetInput> LoadFleetInput(const ComplianceInputFlags& flags, const std::string& fleet_path,
                                  const std::string& at) {
  auto input = LoadComplianceInput(flags);
  if (!input.ok()) return input.status();
  auto fleet = inventory::Inventory::Load(fleet_path, input->catalog);
  if (!fleet.ok()) return fleet.status();
  const Result<Date> date = ParseAtFlag(at);
  if (!date.ok()) return date.status();
  return FleetInput{std::move(input).value(), std::move(fleet).value(), *date};
}

}  // namespace gpufleet::cmdline
