#include "cli/check_command.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/compliance_input.h"
#include "cli/verdict_output.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

constexpr int kExitInputError = 1;
constexpr int kExitViolations = 3;
constexpr int kExitManualClassification = 4;

struct CheckFlags {
  ComplianceInputFlags input;
  std::string fleet;
  std::string at;
  bool json = false;
  int max_lines = 50;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet check: %s\n", s.ToString().c_str());
  return kExitInputError;
}

nlohmann::ordered_json ReportJson(const compliance::FleetCheckReport& r,
                                  const inventory::Inventory& fleet) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["date"] = r.date.ToString();
  j["assets_checked"] = r.assets_checked;
  j["violations"] = r.violations;
  j["manual_classification"] = r.manual;
  j["warnings"] = r.warnings;
  j["quota_violations"] = r.quota_violations;
  j["quota_manual_classification"] = r.quota_manual;
  j["quota_warnings"] = r.quota_warnings;
  j["findings"] = Json::array();
  for (const compliance::AssetFinding& f : r.findings) {
    const compliance::SituationVerdict& s = *f.situation;
    j["findings"].push_back({{"severity", std::string(compliance::SeverityName(s.severity))},
                             {"serial", f.asset->serial},
                             {"model", f.asset->model},
                             {"site", f.asset->site},
                             {"owner", f.asset->owner},
                             {"acquired", f.asset->acquired.ToString()},
                             {"stage", s.at_acquisition ? "acquisition" : "use"},
                             {"message", f.asset->serial + ": " + s.message},
                             {"verdict", VerdictJson(s.verdict)}});
  }
  j["quotas"] = Json::array();
  for (const compliance::QuotaFigure& q : r.quotas) {
    j["quotas"].push_back(
        {{"id", q.quota->id},
         {"kind", std::string(compliance::RuleKindName(q.quota->kind))},
         {"measure", std::string(compliance::QuotaMeasureName(q.quota->measure))},
         {"basis", std::string(compliance::QuotaBasisName(q.quota->basis))},
         {"scope", q.scope},
         {"share_pct", q.share_pct},
         {"share_pct_if_unknown_count", q.share_pct_if_unknown_count},
         {"comparison", std::string(compliance::ComparisonName(q.quota->comparison))},
         {"threshold_pct", q.quota->threshold_pct},
         {"breached", q.breached},
         {"needs_manual_classification", q.needs_manual_classification},
         {"action", std::string(compliance::ActionName(q.action))},
         {"severity", q.breached || q.needs_manual_classification
                          ? std::string(compliance::SeverityName(q.severity))
                          : "ok"},
         {"assets", q.assets},
         {"unweighted_assets", q.unweighted},
         {"unknown_domestic_assets", q.unknown},
         {"source", q.quota->source}});
  }
  j["diversion_flags"] = Json::array();
  for (const inventory::DiversionFlag& d : fleet.flags()) {
    j["diversion_flags"].push_back({{"kind", std::string(inventory::FlagKindName(d.kind))},
                                    {"serial", d.serial},
                                    {"detail", d.detail},
                                    {"where", d.file + ":" + std::to_string(d.line)}});
  }
  return j;
}

void WriteReport(const compliance::FleetCheckReport& r, const inventory::Inventory& fleet,
                 int max_lines, std::ostream& out) {
  out << fmt::format(
      "fleet check on {}: {} assets, {} violations, {} need manual "
      "classification, {} warnings ({} distinct situations evaluated)\n",
      r.date.ToString(), r.assets_checked, r.violations, r.manual, r.warnings,
      r.distinct_situations);
  if (r.quota_violations + r.quota_manual + r.quota_warnings > 0) {
    out << fmt::format(
        "  of which sourcing quotas: {} violations, {} need manual classification, {} "
        "warnings\n",
        r.quota_violations, r.quota_manual, r.quota_warnings);
  }
  int shown = 0;
  compliance::Severity last = compliance::Severity::kViolation;
  bool first = true;
  for (const compliance::AssetFinding& f : r.findings) {
    const compliance::SituationVerdict& s = *f.situation;
    if (first || s.severity != last) {
      out << '\n' << compliance::SeverityName(s.severity) << "s:\n";
      last = s.severity;
      first = false;
      shown = 0;
    }
    if (++shown > max_lines) {
      if (shown == max_lines + 1) out << "  ... (more; --json lists all)\n";
      continue;
    }
    out << "  " << f.asset->serial << ": " << s.message << '\n';
  }
  if (!r.quotas.empty()) {
    out << "\nsourcing quotas:\n";
    for (const compliance::QuotaFigure& q : r.quotas) {
      const bool min = q.quota->measure == compliance::QuotaMeasure::kDomesticShareMin;
      std::string verdict = "ok";
      if (q.breached) {
        verdict = fmt::format("{} ({})", compliance::ActionName(q.action),
                              compliance::SeverityName(q.severity));
      } else if (q.needs_manual_classification) {
        verdict = fmt::format(
            "needs manual classification ({} assets of unknown origin: {:.1f}% "
            "if they count)",
            q.unknown, q.share_pct_if_unknown_count);
      }
      out << fmt::format(
          "  {} [{}] {}: {} share {:.1f}% of {} ({} assets), needs {} {}% -> {}{}\n", q.quota->id,
          compliance::RuleKindName(q.quota->kind), q.scope, min ? "domestic" : "external",
          q.share_pct, compliance::QuotaBasisName(q.quota->basis), q.assets,
          compliance::ComparisonSymbol(q.quota->comparison), q.quota->threshold_pct, verdict,
          q.unweighted ? fmt::format(" ({} assets of unknown weight left out)", q.unweighted) : "");
      out << "      source: " << q.quota->source << '\n';
    }
  }
  if (!fleet.flags().empty()) {
    out << "\nsigns of diversion (from the import):\n";
    for (const inventory::DiversionFlag& d : fleet.flags()) {
      out << fmt::format("  {} {}: {} ({}:{})\n", inventory::FlagKindName(d.kind), d.serial,
                         d.detail, d.file, d.line);
    }
  }
}

int Run(const CheckFlags& f) {
  auto loaded = LoadFleetInput(f.input, f.fleet, f.at);
  if (!loaded.ok()) return Fail(loaded.status());
  const ComplianceInput& input = loaded->compliance;
  const inventory::Inventory& fleet = loaded->fleet;
  const Date at = loaded->at;
  const auto engine = compliance::MakeIndexedEngine(input.rules);
  const compliance::FleetCheckReport report =
      compliance::CheckFleet(fleet, input.catalog, input.rules, *engine, at);
  if (f.json) {
    std::cout << report::DumpJson(ReportJson(report, fleet), 1) << '\n';
  } else {
    WriteReport(report, fleet, f.max_lines, std::cout);
  }
  // Precedence (docs/compliance.md): any violation, then any manual classification.
  if (report.violations > 0) return kExitViolations;
  if (report.manual > 0) return kExitManualClassification;
  return 0;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Check every asset and site of a fleet against the rules in force on a date "
      "(exit 3 when there are violations, otherwise 4 when a verdict needs manual "
      "classification, otherwise 0; 1 bad input)");
  AddComplianceInputOptions(*cmd, f->input);
  cmd->add_option("--fleet", f->fleet, "Fleet inventory YAML (see examples/fleet.yaml)")
      ->required();
  cmd->add_option("--at", f->at, "Date YYYY-MM-DD (default: today)");
  cmd->add_option("--max-lines", f->max_lines, "Findings shown per severity on the terminal")
      ->capture_default_str();
  cmd->add_flag("--json", f->json, "JSON instead of text");
  cmd->callback([f, &exit_code] { exit_code = Run(*f); });
}

}  // namespace gpufleet::cli
