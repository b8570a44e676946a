#include "cli/verdict_output.h"

#include <fmt/format.h>

namespace gpufleet::cli {

using compliance::Action;

namespace {

bool Blocks(const nlohmann::ordered_json& action) {
  const Result<Action> a = compliance::ParseAction(action.get<std::string>());
  return a.ok() && *a >= Action::kLicenceRequired;
}

}  // namespace

void WriteVerdict(const nlohmann::ordered_json& v, std::ostream& out, const FactPrompts& prompts) {
  out << fmt::format("overall: {}\n", v["overall"].get<std::string>());
  const bool manual = v["needs_manual_classification"].get<bool>();
  if (manual && Blocks(v["action"])) {
    out << "  (a more restrictive rule may apply: needs manual classification)\n";
  }
  for (const nlohmann::ordered_json& jv : v["jurisdictions"]) {
    std::string extra;
    if (jv.contains("revenue_share_pct")) {
      extra += fmt::format(", revenue share {}%", jv["revenue_share_pct"].get<double>());
    }
    if (jv["needs_manual_classification"].get<bool>()) extra += ", needs manual classification";
    out << fmt::format("  {}: {}{}\n", jv["jurisdiction"].get<std::string>(),
                       jv["action"].get<std::string>(), extra);
  }
  if (v["jurisdictions"].empty()) out << "  no rule applies\n";
  if (!v["missing_facts"].empty()) {
    out << "missing facts that decide it:\n";
    for (const nlohmann::ordered_json& f : v["missing_facts"]) {
      const std::string fact = f.get<std::string>();
      auto it = prompts.find(fact);
      out << "  " << fact
          << (it != prompts.end() ? ": give " + it->second : ": not in the catalog entry") << '\n';
    }
  }
  out << "why:\n";
  for (const nlohmann::ordered_json& line : v["explanation"]) {
    out << "  " << line.get<std::string>() << '\n';
  }
}

int VerdictExitCode(const nlohmann::ordered_json& v) {
  constexpr int kBlocked = 3;
  constexpr int kManual = 4;
  if (Blocks(v["action"])) return kBlocked;
  if (v["needs_manual_classification"].get<bool>()) return kManual;  // as check's exit codes
  return 0;
}

}  // namespace gpufleet::cli
