#include "gpufleet/compliance/report_json.h"

namespace gpufleet::compliance {
namespace {

using Json = nlohmann::ordered_json;

Json ValueJson(const catalog::Value& v) {
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

Json CountsJson(const TransitionCounts& c) {
  return {{"became_violation", c.became_violation},   {"cleared", c.cleared},
          {"became_manual", c.became_manual},         {"new_warning", c.new_warning},
          {"violations_before", c.violations_before}, {"violations_after", c.violations_after}};
}

Json GroupJson(const std::map<std::string, TransitionCounts>& groups) {
  Json j = Json::object();
  for (const auto& [name, c] : groups) j[name] = CountsJson(c);
  return j;
}

Json QuotaSideJson(const std::optional<QuotaSide>& s) {
  if (!s) return nullptr;
  return {{"share_pct", s->share_pct},
          {"threshold_pct", s->threshold_pct},
          {"breached", s->breached},
          {"assets", s->assets}};
}

}  // namespace

Json VerdictJson(const Verdict& v) {
  Json j;
  j["overall"] = std::string(OverallName(v));
  j["action"] = std::string(ActionName(v.overall));
  j["needs_manual_classification"] = v.needs_manual_classification;
  j["missing_facts"] = v.missing_facts;
  j["jurisdictions"] = Json::array();
  for (const JurisdictionVerdict& jv : v.jurisdictions) {
    Json rules = Json::array();
    for (const RuleHit& h : jv.hits) {
      Json facts = Json::object();
      for (const FactUse& f : h.facts) facts[f.field] = ValueJson(f.value);
      Json r = {{"id", h.rule->id},
                {"version", h.rule->version},
                {"kind", std::string(RuleKindName(h.rule->kind))},
                {"action", std::string(ActionName(h.action))},
                {"rule_action", std::string(ActionName(h.rule->action))},
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
        r["licence"] = {
            {"id", h.licence->id},
            {"status", std::string(LicenceStatusName(h.licence->status))},
            {"state",
             std::string(LicenceStateName(h.licence_state.value_or(LicenceState::kPending)))},
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
               {"action", std::string(ActionName(jv.action))},
               {"needs_manual_classification", jv.needs_manual_classification}};
    if (jv.revenue_share_pct) jj["revenue_share_pct"] = *jv.revenue_share_pct;
    jj["rules"] = std::move(rules);
    j["jurisdictions"].push_back(std::move(jj));
  }
  j["explanation"] = v.Explain();
  return j;
}

Json FleetCheckJson(const FleetCheckReport& r, const inventory::Inventory& fleet) {
  Json j;
  j["date"] = r.date.ToString();
  j["assets_checked"] = r.assets_checked;
  j["distinct_situations"] = r.distinct_situations;
  j["violations"] = r.violations;
  j["manual_classification"] = r.manual;
  j["warnings"] = r.warnings;
  j["quota_violations"] = r.quota_violations;
  j["quota_manual_classification"] = r.quota_manual;
  j["quota_warnings"] = r.quota_warnings;
  j["findings"] = Json::array();
  for (const AssetFinding& f : r.findings) {
    const SituationVerdict& s = *f.situation;
    j["findings"].push_back({{"severity", std::string(SeverityName(s.severity))},
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
  for (const QuotaFigure& q : r.quotas) {
    j["quotas"].push_back({{"id", q.quota->id},
                           {"kind", std::string(RuleKindName(q.quota->kind))},
                           {"measure", std::string(QuotaMeasureName(q.quota->measure))},
                           {"basis", std::string(QuotaBasisName(q.quota->basis))},
                           {"scope", q.scope},
                           {"share_pct", q.share_pct},
                           {"share_pct_if_unknown_count", q.share_pct_if_unknown_count},
                           {"comparison", std::string(ComparisonName(q.quota->comparison))},
                           {"threshold_pct", q.quota->threshold_pct},
                           {"breached", q.breached},
                           {"needs_manual_classification", q.needs_manual_classification},
                           {"action", std::string(ActionName(q.action))},
                           {"severity", q.breached || q.needs_manual_classification
                                            ? std::string(SeverityName(q.severity))
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

Json ImpactJson(const ImpactReport& r, const std::string& change) {
  Json j;
  j["date"] = r.date.ToString();
  j["change"] = change;
  j["assets_checked"] = r.assets_checked;
  j["total"] = CountsJson(r.total);
  j["by_site"] = GroupJson(r.by_site);
  j["by_model"] = GroupJson(r.by_model);
  j["by_owner"] = GroupJson(r.by_owner);
  j["changes"] = Json::array();
  for (const AssetChange& c : r.changes) {
    j["changes"].push_back({{"serial", c.asset->serial},
                            {"model", c.asset->model},
                            {"site", c.asset->site},
                            {"owner", c.asset->owner},
                            {"acquired", c.asset->acquired.ToString()},
                            {"before", std::string(AssetStatusName(c.before))},
                            {"after", std::string(AssetStatusName(c.after))},
                            {"reason", c.reason}});
  }
  j["new_obligations"] = Json::array();
  for (const Obligation& o : r.new_obligations) {
    Json oj = {{"kind", std::string(ObligationKindName(o.kind))},
               {"jurisdiction", o.jurisdiction},
               {"rule", o.rule_id},
               {"site", o.site},
               {"model", o.model},
               {"owner", o.owner},
               {"assets", o.assets}};
    if (o.revenue_share_pct) oj["revenue_share_pct"] = *o.revenue_share_pct;
    if (!o.licence.empty()) oj["licence"] = o.licence;
    j["new_obligations"].push_back(std::move(oj));
  }
  j["quotas"] = Json::array();
  for (const QuotaChange& q : r.quotas) {
    j["quotas"].push_back({{"id", q.id},
                           {"scope", q.scope},
                           {"measure", std::string(QuotaMeasureName(q.measure))},
                           {"before", QuotaSideJson(q.before)},
                           {"after", QuotaSideJson(q.after)}});
  }
  j["jobs_losing_placement"] = r.jobs_losing_placement;
  j["gpus_losing_placement"] = r.gpus_losing_placement;
  j["jobs"] = Json::array();
  for (const JobImpact& ji : r.jobs) {
    j["jobs"].push_back({{"job", ji.job.job},
                         {"tenant_org", ji.job.tenant_org},
                         {"site", ji.job.site},
                         {"model", ji.job.model},
                         {"gpus", ji.job.gpus},
                         {"status", std::string(JobStateName(ji.job.state))},
                         {"before", std::string(ActionName(ji.before))},
                         {"after", std::string(ActionName(ji.after))},
                         {"manual_before", ji.manual_before},
                         {"manual_after", ji.manual_after},
                         {"loses_placement", ji.loses_placement},
                         {"reason", ji.reason}});
  }
  return j;
}

Json RulesInForceJson(const RuleSet& rules, Date at) {
  const auto date_or_null = [](Date d, Date open) {
    return d == open ? Json(nullptr) : Json(d.ToString());
  };
  Json j;
  j["date"] = at.ToString();
  j["rules"] = Json::array();
  for (const Rule& r : rules.rules()) {
    if (!r.InForce(at)) continue;
    Json rj = {{"id", r.id},
               {"version", r.version},
               {"kind", std::string(RuleKindName(r.kind))},
               {"jurisdiction", r.jurisdiction},
               {"action", std::string(ActionName(r.action))},
               {"effective_from", date_or_null(r.effective_from, Date::Min())},
               {"effective_to", date_or_null(r.effective_to, Date::Max())},
               {"locations", r.locations},
               {"locations_except", r.locations_except},
               {"end_user_hq", r.end_user_hq},
               {"summary", r.summary},
               {"source", r.source}};
    if (r.revenue_share_pct) rj["revenue_share_pct"] = *r.revenue_share_pct;
    j["rules"].push_back(std::move(rj));
  }
  j["licences"] = Json::array();
  for (const Licence& l : rules.licences()) {
    Json lj = {{"id", l.id},
               {"jurisdiction", l.jurisdiction},
               {"holder", l.holder},
               {"models", l.models},
               {"locations", l.locations},
               {"status", std::string(LicenceStatusName(l.status))},
               {"state", std::string(LicenceStateName(LicenceStateOn(l, at)))},
               {"valid_from", date_or_null(l.valid_from, Date::Min())},
               {"valid_to", date_or_null(l.valid_to, Date::Max())}};
    if (l.revoked_on) lj["revoked_on"] = l.revoked_on->ToString();
    if (l.revenue_share_pct) lj["revenue_share_pct"] = *l.revenue_share_pct;
    if (!l.conditions.empty()) lj["conditions"] = l.conditions;
    j["licences"].push_back(std::move(lj));
  }
  return j;
}

}  // namespace gpufleet::compliance
