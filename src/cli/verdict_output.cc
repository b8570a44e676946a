#include "cli/verdict_output.h"

#include <fmt/format.h>

namespace gpufleet::cli {
namespace {

using compliance::Action;
using Json = nlohmann::ordered_json;

Json ValueJson(const catalog::Value& v) {
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

}  // namespace

Json VerdictJson(const compliance::Verdict& v) {
  Json j;
  j["overall"] = std::string(compliance::OverallName(v));
  j["action"] = std::string(compliance::ActionName(v.overall));
  j["needs_manual_classification"] = v.needs_manual_classification;
  j["missing_facts"] = v.missing_facts;
  j["jurisdictions"] = Json::array();
  for (const compliance::JurisdictionVerdict& jv : v.jurisdictions) {
    Json rules = Json::array();
    for (const compliance::RuleHit& h : jv.hits) {
      Json facts = Json::object();
      for (const compliance::FactUse& f : h.facts) facts[f.field] = ValueJson(f.value);
      Json r = {{"id", h.rule->id},
                {"version", h.rule->version},
                {"kind", std::string(compliance::RuleKindName(h.rule->kind))},
                {"action", std::string(compliance::ActionName(h.action))},
                {"rule_action", std::string(compliance::ActionName(h.rule->action))},
                {"applies", h.match == catalog::Tri::kTrue ? "yes" : "unknown"},
                {"carved_out", h.carved_out},
                {"needs_granted_licence", h.rule->needs_granted_licence},
                {"route_closed", h.route_closed},
                {"effective_from", h.rule->effective_from.ToString()},
                {"licence_policy", h.rule->licence_policy},
                {"source", h.rule->source},
                {"summary", h.rule->summary},
                {"facts", facts}};
      if (h.licence) {
        r["licence"] = {{"id", h.licence->id},
                        {"status", std::string(compliance::LicenceStatusName(h.licence->status))},
                        {"state", std::string(compliance::LicenceStateName(h.licence_state.value_or(
                                      compliance::LicenceState::kPending)))},
                        {"valid_from", h.licence->valid_from == Date::Min()
                                           ? Json(nullptr)
                                           : Json(h.licence->valid_from.ToString())},
                        {"valid_to", h.licence->valid_to == Date::Max()
                                         ? Json(nullptr)
                                         : Json(h.licence->valid_to.ToString())}};
      }
      rules.push_back(std::move(r));
    }
    Json jj = {{"jurisdiction", jv.jurisdiction},
               {"action", std::string(compliance::ActionName(jv.action))},
               {"needs_manual_classification", jv.needs_manual_classification}};
    if (jv.revenue_share_pct) jj["revenue_share_pct"] = *jv.revenue_share_pct;
    jj["rules"] = std::move(rules);
    j["jurisdictions"].push_back(std::move(jj));
  }
  return j;
}

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
