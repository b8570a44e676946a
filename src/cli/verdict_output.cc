#include "cli/verdict_output.h"

#include <fmt/format.h>

namespace gpufleet::cli {

using compliance::Action;

void WriteVerdict(const compliance::Verdict& v, std::ostream& out, const FactPrompts& prompts) {
  out << fmt::format("overall: {}\n", compliance::OverallName(v));
  if (v.needs_manual_classification && v.overall >= Action::kLicenceRequired) {
    out << "  (a more restrictive rule may apply: needs manual classification)\n";
  }
  for (const compliance::JurisdictionVerdict& jv : v.jurisdictions) {
    std::string extra;
    if (jv.revenue_share_pct) extra += fmt::format(", revenue share {}%", *jv.revenue_share_pct);
    if (jv.needs_manual_classification) extra += ", needs manual classification";
    out << fmt::format("  {}: {}{}\n", jv.jurisdiction, compliance::ActionName(jv.action), extra);
  }
  if (v.jurisdictions.empty()) out << "  no rule applies\n";
  if (!v.missing_facts.empty()) {
    out << "missing facts that decide it:\n";
    for (const std::string& fact : v.missing_facts) {
      auto it = prompts.find(fact);
      out << "  " << fact
          << (it != prompts.end() ? ": give " + it->second : ": not in the catalog entry") << '\n';
    }
  }
  out << "why:\n";
  for (const std::string& line : v.Explain()) out << "  " << line << '\n';
}

int VerdictExitCode(const compliance::Verdict& v) {
  constexpr int kBlocked = 3;
  constexpr int kManual = 4;
  if (v.overall >= Action::kLicenceRequired) return kBlocked;
  if (v.needs_manual_classification) return kManual;  // after violations: see check's exit codes
  return 0;
}

}  // namespace gpufleet::cli
