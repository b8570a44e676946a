#pragma once
// `gpufleet check`: every asset of an inventory and every sourcing quota evaluated on a date
// (docs/compliance.md, "Checking a fleet"). An asset is judged twice: how it arrived, under
// the rules in force on its acquisition date (hardware installed before a rule is not caught
// by it), and holding and operating it on the check date.

#include <memory>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/inventory/inventory.h"

namespace gpufleet::compliance {

enum class Severity : uint8_t { kWarning = 0, kManualClassification = 1, kViolation = 2 };
std::string_view SeverityName(Severity s);

// One situation the fleet is in, shared by every asset bought in the same batch: its verdict
// and the sentence that explains it.
struct SituationVerdict {
  bool at_acquisition = false;  // judged as it arrived; otherwise as held on the check date
  Severity severity = Severity::kWarning;
  Verdict verdict;
  // "H20 at site sh-03, acquired 2025-05-02 (export): US licence_required since 2025-04-09
  // (US-2025-H20-IS-INFORMED), no licence on file"
  std::string message;
};

struct AssetFinding {
  const inventory::Asset* asset = nullptr;
  const SituationVerdict* situation = nullptr;  // owned by the report
};

struct QuotaFigure {
  const Quota* quota = nullptr;
  std::string scope;  // a site id, or "fleet" when pooled
  int64_t assets = 0;
  // Of the basis (count, TPP or spend), counting assets whose domesticity is unknown (their
  // designer or fab country is not established) as not counting, and as counting.
  double share_pct = 0;
  double share_pct_if_unknown_count = 0;
  // The share misses the threshold (Quota::comparison) whichever way the unknown assets fall.
  bool breached = false;
  // It misses one way and holds the other: a person must classify the unknown assets.
  bool needs_manual_classification = false;
  Action action = Action::kWarning;  // Quota::BreachAction()
  // When breached: violation if the action binds (Quota::BreachIsViolation), else warning;
  // kManualClassification when needs_manual_classification.
  Severity severity = Severity::kWarning;
  int64_t unweighted = 0;  // assets left out: their TPP or price is unknown
  int64_t unknown = 0;     // assets whose domesticity is unknown
};

struct FleetCheckReport {
  Date date;
  int64_t assets_checked = 0;  // acquired on or before the date
  // Assets' findings plus quota figures of each severity (the quota part also on its own).
  int64_t violations = 0;
  int64_t manual = 0;
  int64_t warnings = 0;
  int64_t quota_violations = 0;
  int64_t quota_manual = 0;
  int64_t quota_warnings = 0;
  std::vector<AssetFinding> findings;  // violations first, then manual, then warnings
  std::vector<QuotaFigure> quotas;
  int64_t distinct_situations = 0;  // verdicts computed (assets sharing a situation share one)
  // The situations that matter (not plainly allowed); findings point into it.
  std::vector<std::unique_ptr<SituationVerdict>> situations;
};

// violation: licence required or prohibited; manual: a person must classify; else warning.
Severity SeverityOf(const Verdict& v);

// The organisation the rules look at for an asset: whoever uses rented capacity, otherwise
// the owner.
const std::string& EndUser(const inventory::Asset& a);

// How the asset arrived at its site (export, re-export, transfer in the country; remote access
// when rented) and how it is reached once there (use; remote access when rented).
TransferType ArrivalTransfer(const inventory::Asset& a);
TransferType HeldTransfer(const inventory::Asset& a);

// The situation of asset `a` at `site`, reached by `transfer` from `from_country` on `when`,
// with end user `user` (EndUser(a)) whose ultimate parent's HQ is `parent_hq`. The one place
// inventory facts become situation facts: the fleet check and the living inventory's change
// check (service) both build their situations here.
Situation AssetSituation(const inventory::Asset& a, const inventory::Site& site,
                         const inventory::Organisation* user, std::string_view parent_hq,
                         const catalog::AcceleratorSpec& chip, TransferType transfer,
                         std::string_view from_country, Date when);

FleetCheckReport CheckFleet(const inventory::Inventory& fleet, const catalog::Catalog& catalog,
                            const RuleSet& rules, const Engine& engine, Date at);

}  // namespace gpufleet::compliance
