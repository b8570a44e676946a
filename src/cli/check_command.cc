#include "cli/check_command.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/api_client.h"
#include "cli/verdict_output.h"
#include "gpufleet/cmdline/compliance_input.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/report_json.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

constexpr int kExitInputError = 1;
constexpr int kExitViolations = 3;
constexpr int kExitManualClassification = 4;

struct CheckFlags {
  cmdline::ComplianceInputFlags input;
  ClientFlags client;  // with --url (or $GPUFLEET_URL): ask gpufleetd instead of --fleet
  CLI::Option* url = nullptr;
  std::string fleet;
  std::string at;
  bool json = false;
  int max_lines = 50;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet check: %s\n", s.ToString().c_str());
  return kExitInputError;
}

std::string Text(const nlohmann::json& j, const char* key) { return j[key].get<std::string>(); }

// ">=" for "ge": the JSON names comparisons, the terminal shows their symbols.
std::string_view SymbolOfComparison(std::string_view name) {
  for (const compliance::Comparison c :
       {compliance::Comparison::kGt, compliance::Comparison::kGe, compliance::Comparison::kLt,
        compliance::Comparison::kLe}) {
    if (compliance::ComparisonName(c) == name) return compliance::ComparisonSymbol(c);
  }
  return name;
}

// The report as text, from its JSON (compliance::FleetCheckJson): the same for a fleet file
// checked here and for the living inventory checked by gpufleetd.
void WriteReport(const nlohmann::json& r, int max_lines, std::ostream& out) {
  out << fmt::format(
      "fleet check on {}: {} assets, {} violations, {} need manual "
      "classification, {} warnings ({} distinct situations evaluated)\n",
      Text(r, "date"), r["assets_checked"].get<int64_t>(), r["violations"].get<int64_t>(),
      r["manual_classification"].get<int64_t>(), r["warnings"].get<int64_t>(),
      r["distinct_situations"].get<int64_t>());
  const int64_t quota_violations = r["quota_violations"].get<int64_t>();
  const int64_t quota_manual = r["quota_manual_classification"].get<int64_t>();
  const int64_t quota_warnings = r["quota_warnings"].get<int64_t>();
  if (quota_violations + quota_manual + quota_warnings > 0) {
    out << fmt::format(
        "  of which sourcing quotas: {} violations, {} need manual classification, {} "
        "warnings\n",
        quota_violations, quota_manual, quota_warnings);
  }
  int shown = 0;
  std::string last;
  for (const nlohmann::json& f : r["findings"]) {
    const std::string severity = Text(f, "severity");
    if (severity != last) {
      out << '\n' << severity << "s:\n";
      last = severity;
      shown = 0;
    }
    if (++shown > max_lines) {
      if (shown == max_lines + 1) out << "  ... (more; --json lists all)\n";
      continue;
    }
    out << "  " << Text(f, "message") << '\n';
  }
  if (!r["quotas"].empty()) {
    out << "\nsourcing quotas:\n";
    for (const nlohmann::json& q : r["quotas"]) {
      const bool min = Text(q, "measure") ==
                       compliance::QuotaMeasureName(compliance::QuotaMeasure::kDomesticShareMin);
      std::string verdict = "ok";
      if (q["breached"].get<bool>()) {
        verdict = fmt::format("{} ({})", Text(q, "action"), Text(q, "severity"));
      } else if (q["needs_manual_classification"].get<bool>()) {
        verdict = fmt::format(
            "needs manual classification ({} assets of unknown origin: {:.1f}% "
            "if they count)",
            q["unknown_domestic_assets"].get<int64_t>(),
            q["share_pct_if_unknown_count"].get<double>());
      }
      const int64_t unweighted = q["unweighted_assets"].get<int64_t>();
      out << fmt::format(
          "  {} [{}] {}: {} share {:.1f}% of {} ({} assets), needs {} {}% -> {}{}\n", Text(q, "id"),
          Text(q, "kind"), Text(q, "scope"), min ? "domestic" : "external",
          q["share_pct"].get<double>(), Text(q, "basis"), q["assets"].get<int64_t>(),
          SymbolOfComparison(Text(q, "comparison")), q["threshold_pct"].get<double>(), verdict,
          unweighted ? fmt::format(" ({} assets of unknown weight left out)", unweighted) : "");
      out << "      source: " << Text(q, "source") << '\n';
    }
  }
  if (!r["diversion_flags"].empty()) {
    out << "\nsigns of diversion (from the import):\n";
    for (const nlohmann::json& d : r["diversion_flags"]) {
      out << fmt::format("  {} {}: {} ({})\n", Text(d, "kind"), Text(d, "serial"),
                         Text(d, "detail"), Text(d, "where"));
    }
  }
}

// Prints the report and gives the exit status. Precedence (docs/compliance.md): any
// violation, then any manual classification.
int Report(const nlohmann::json& report, const CheckFlags& f) {
  if (f.json) {
    std::cout << report::DumpJson(report, 1) << '\n';
  } else {
    WriteReport(report, f.max_lines, std::cout);
  }
  if (report["violations"].get<int64_t>() > 0) return kExitViolations;
  if (report["manual_classification"].get<int64_t>() > 0) return kExitManualClassification;
  return 0;
}

// The living inventory, checked by gpufleetd with its own rules.
int RunRemote(const CheckFlags& f) {
  if (!f.input.catalog.empty() || !f.input.rules.empty() || !f.input.overlays.empty()) {
    return Fail(Status::InvalidArgument(
        "--catalog, --rules and --overlay go with --fleet: gpufleetd checks its living "
        "inventory with the rules it runs on"));
  }
  ApiClient client(f.client);
  std::vector<std::pair<std::string, std::string>> query;
  if (!f.at.empty()) query.emplace_back("at", f.at);
  Result<nlohmann::json> report = client.Get("/v1/compliance/check", query);
  if (!report.ok()) {
    const Status& s = report.status();
    return ReportClientError(
        "check", s.code() == Status::Code::kIOError
                     ? Status::IOError(s.message() + " (give --fleet FILE to check a fleet file)")
                     : s);
  }
  return Report(*report, f);
}

int Run(const CheckFlags& f) {
  const bool remote = f.url->count() > 0;
  if (remote && !f.fleet.empty()) {
    return Fail(Status::InvalidArgument(
        "give --fleet FILE to check a file, or --url (or $GPUFLEET_URL) to ask gpufleetd, not "
        "both"));
  }
  if (remote) return RunRemote(f);
  auto loaded = cmdline::LoadFleetInput(f.input, f.fleet, f.at);
  if (!loaded.ok()) return Fail(loaded.status());
  const cmdline::ComplianceInput& input = loaded->compliance;
  const inventory::Inventory& fleet = loaded->fleet;
  const Date at = loaded->at;
  const auto engine = compliance::MakeIndexedEngine(input.rules);
  const compliance::FleetCheckReport report =
      compliance::CheckFleet(fleet, input.catalog, input.rules, *engine, at);
  return Report(compliance::FleetCheckJson(report, fleet), f);
}

}  // namespace

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Check every asset and site of a fleet against the rules in force on a date "
      "(exit 3 when there are violations, otherwise 4 when a verdict needs manual "
      "classification, otherwise 0; 1 bad input)");
  cmdline::AddComplianceInputOptions(*cmd, f->input);
  cmd->add_option("--fleet", f->fleet,
                  "Fleet inventory YAML (see examples/fleet.yaml); or --url: gpufleetd checks its "
                  "living inventory");
  f->url = AddServiceOptions(*cmd, f->client);
  cmd->add_option("--at", f->at, "Date YYYY-MM-DD (default: today)");
  cmd->add_option("--max-lines", f->max_lines, "Findings shown per severity on the terminal")
      ->capture_default_str();
  cmd->add_flag("--json", f->json, "JSON instead of text");
  cmd->callback([f, &exit_code] {
    if (f->fleet.empty() && f->url->count() == 0) {
      throw CLI::RequiredError("--fleet FILE (or --url, to check gpufleetd's living inventory)");
    }
    exit_code = Run(*f);
  });
}

}  // namespace gpufleet::cli
