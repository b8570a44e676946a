#pragma once
// Where a workload may run: the situation of an organisation running work of one data class
// on a chip at a site, and what in a verdict keeps a workload off a node. Shared by the
// placement filter (gpufleet place), `impact` on placement snapshots and check-transfer, so a
// job is judged one way everywhere.

#include <string_view>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::compliance {

// `org` (an organisation id of `fleet`; its HQ and its ultimate parent's HQ come from there)
// running work of `data_class` ("" for none) on `chip` at `site` on `at`, on hardware held
// as `holding`: a `use` situation, or `remote_access` on rented capacity.
Situation WorkloadSituation(const inventory::Inventory& fleet, const catalog::AcceleratorSpec& chip,
                            const inventory::Site& site, std::string_view org,
                            std::string_view data_class, Date at,
                            inventory::Holding holding = inventory::Holding::kOwned);

// A verdict that keeps a workload off: licence required or worse (no granted licence turned
// it into terms), or a rule that would require a licence or prohibit may apply (a chip fact
// it reads is unknown: manual classification). A warning that may apply does not.
bool BlocksPlacement(const Verdict& v);

// One rule that decides a verdict: it applies with its jurisdiction's action, or it may apply
// (a chip fact is unknown) and is more restrictive than that action. Carved-out rules never
// decide.
struct DecidingRule {
  const JurisdictionVerdict* jurisdiction = nullptr;
  const RuleHit* hit = nullptr;
  bool may_apply = false;
};
// Most restrictive first, as the verdict lists them; pointers into `v`.
std::vector<DecidingRule> DecidingRules(const Verdict& v);

}  // namespace gpufleet::compliance
