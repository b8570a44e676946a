#include "gpufleet/compliance/workload.h"

namespace gpufleet::compliance {

Situation WorkloadSituation(const inventory::Inventory& fleet, const catalog::AcceleratorSpec& chip,
                            const inventory::Site& site, std::string_view org,
                            std::string_view data_class, Date at, inventory::Holding holding) {
  Situation s;
  s.chip = &chip;
  s.date = at;
  s.location = site.country;
  s.transfer = holding == inventory::Holding::kRentedRemote ? TransferType::kRemoteAccess
                                                            : TransferType::kUse;
  s.holding = std::string(inventory::HoldingName(holding));
  s.end_user = std::string(org);
  const inventory::Organisation* o = fleet.FindOrg(org);
  s.end_user_hq = o ? o->hq_country : "";
  s.end_user_parent_hq = fleet.UltimateParentHq(org);
  s.site_state_funded = site.state_funded;
  s.site_public_hub = site.public_hub;
  s.project_completion_pct = site.project_completion_pct;
  s.data_class = std::string(data_class);
  return s;
}

bool BlocksPlacement(const Verdict& v) {
  if (v.overall >= Action::kLicenceRequired) return true;
  for (const DecidingRule& d : DecidingRules(v)) {
    if (d.may_apply && d.hit->action >= Action::kLicenceRequired) return true;
  }
  return false;
}

std::vector<DecidingRule> DecidingRules(const Verdict& v) {
  std::vector<DecidingRule> out;
  for (const JurisdictionVerdict& j : v.jurisdictions) {
    for (const RuleHit& h : j.hits) {
      if (h.carved_out) continue;
      const bool decides = h.match == catalog::Tri::kTrue && h.action == j.action;
      const bool may = h.match == catalog::Tri::kUnknown && h.action > j.action;
      if (decides || may) out.push_back({&j, &h, may});
    }
  }
  return out;
}

}  // namespace gpufleet::compliance
