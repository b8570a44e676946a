#pragma once
// `gpufleet impact`: what a proposed rule change would change for a fleet on a date
// (docs/compliance.md, "Rule-change impact"). The fleet is checked under the rules before and
// after the change (CheckFleet, both times), and the differences are reported: assets that
// become non-compliant or compliant, by site, model and owner; jobs of a placement snapshot
// that lose their placement; revenue-share and licence obligations that appear; quota shares
// before and after.
//
// A change in status is not an error: Impact returns the differences, whatever they are.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

// One row of a placement snapshot: a job and where it runs (or is queued to run).
enum class JobState : uint8_t { kRunning, kQueued };
std::string_view JobStateName(JobState s);

struct JobPlacement {
  std::string job;         // job id, free text
  std::string tenant_org;  // Organisation::id of the tenant: the end user rules look at
  std::string site;        // Site::id
  std::string model;       // catalog id (aliases resolved on read)
  std::string data_class;  // what the job processes, for data-residency rules; "" = none
  // How the tenant holds the hardware it runs on: rented capacity is reached remotely.
  inventory::Holding holding = inventory::Holding::kOwned;
  int64_t gpus = 0;
  JobState state = JobState::kRunning;
  int line = 0;  // 1-based line in the snapshot file
};

// Reads a placement snapshot CSV with the header job,tenant_org,site,model,gpus,status
// (status: running | queued) and optionally data_class and holding (owned | leased |
// rented_remote); other columns are ignored. Without a holding, a job holds its hardware as
// the tenant's assets of the model at the site are held (else all of them); when they are
// held in more than one way the row is an error asking for the column. Tenants and
// sites must exist in `fleet`, models in `catalog`. Errors name "path:line:column".
[[nodiscard]] Result<std::vector<JobPlacement>> ReadPlacementSnapshot(
    const std::string& path, const inventory::Inventory& fleet, const catalog::Catalog& catalog);

// An asset's compliance status on the date: the worst severity of its findings (as it arrived
// and as held), or kNone when it has no finding. Ordered from least to most severe.
enum class AssetStatus : uint8_t { kNone = 0, kWarning = 1, kManual = 2, kViolation = 3 };
std::string_view AssetStatusName(AssetStatus s);

// Counts of assets (one asset = one accelerator = one GPU) that changed status.
struct TransitionCounts {
  int64_t became_violation = 0;   // not a violation before, a violation after
  int64_t cleared = 0;            // a violation before, not after
  int64_t became_manual = 0;      // needs manual classification after, was none or a warning
  int64_t new_warning = 0;        // a warning after, nothing before
  int64_t violations_before = 0;  // every violation in the group, changed or not
  int64_t violations_after = 0;
};

struct AssetChange {
  const inventory::Asset* asset = nullptr;  // points into the inventory given to Impact
  AssetStatus before = AssetStatus::kNone;
  AssetStatus after = AssetStatus::kNone;
  std::string reason;  // the after-finding's sentence (the before one when cleared)
};

// An obligation that appears with the change, for a group of assets sharing model, site,
// owner and deciding rule.
struct Obligation {
  enum class Kind : uint8_t { kRevenueShare, kLicence };
  Kind kind = Kind::kLicence;
  std::string jurisdiction;
  std::string rule_id;
  std::optional<double> revenue_share_pct;  // kRevenueShare
  std::string licence;                      // kLicence: the licence on file, "" for none
  std::string site, model, owner;
  int64_t assets = 0;
};
std::string_view ObligationKindName(Obligation::Kind k);

// One quota scope's figure on one side of the change.
struct QuotaSide {
  double share_pct = 0;
  double threshold_pct = 0;
  bool breached = false;
  int64_t assets = 0;
};

// A quota measured before and/or after (matched by quota id and scope); a side is empty when
// the quota is not in force (or not defined) under that rule set.
struct QuotaChange {
  std::string id;
  std::string scope;  // a site id, or "fleet"
  QuotaMeasure measure = QuotaMeasure::kDomesticShareMin;
  std::optional<QuotaSide> before, after;
};

struct JobImpact {
  JobPlacement job;
  Action before = Action::kAllowed, after = Action::kAllowed;
  bool manual_before = false, manual_after = false;
  // Blocked after (licence required or worse, or needs manual classification) but not before.
  bool loses_placement = false;
  std::string reason;  // the deciding rules after the change, "; "-separated
};

struct ImpactReport {
  Date date;
  int64_t assets_checked = 0;
  TransitionCounts total;
  // Keyed by site id, catalog model id and owner organisation id.
  std::map<std::string, TransitionCounts> by_site, by_model, by_owner;
  std::vector<AssetChange> changes;  // assets whose status changed, in inventory order
  std::vector<Obligation> new_obligations;
  std::vector<QuotaChange> quotas;  // sorted by id, then scope
  std::vector<JobImpact> jobs;      // in snapshot order
  int64_t jobs_losing_placement = 0;
  int64_t gpus_losing_placement = 0;
};

// REQUIRES: every job's tenant, site and model exist in `fleet` and `catalog` (as
// ReadPlacementSnapshot guarantees). The report points into `fleet`, which must outlive it.
ImpactReport Impact(const inventory::Inventory& fleet, const catalog::Catalog& catalog,
                    const RuleSet& before, const RuleSet& after, Date at,
                    const std::vector<JobPlacement>& jobs);

}  // namespace gpufleet::compliance
