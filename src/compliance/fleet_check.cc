// Checking a whole inventory (fleet_check.h). Assets that share a situation (same model,
// site, end user, route and date) share one verdict, so a fleet of a million accelerators
// bought in batches costs a few thousand evaluations.

#include "gpufleet/compliance/fleet_check.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "gpufleet/compliance/quota_scope.h"
#include "gpufleet/compliance/workload.h"

namespace gpufleet::compliance {
namespace {

using inventory::Asset;
using inventory::Holding;

}  // namespace

TransferType ArrivalTransfer(const Asset& a) {
  if (a.holding == Holding::kRentedRemote) return TransferType::kRemoteAccess;
  switch (a.arrival) {
    case inventory::Arrival::kExport:
      return TransferType::kExport;
    case inventory::Arrival::kReexport:
      return TransferType::kReexport;
    case inventory::Arrival::kInCountryTransfer:
      return TransferType::kInCountryTransfer;
  }
  return TransferType::kExport;
}

// How the asset is reached on the check date: rented capacity stays remote access for as long
// as it is rented, so a remote-access rule that takes effect later reaches it; owned and
// leased hardware is in use where it stands.
TransferType HeldTransfer(const Asset& a) {
  return a.holding == Holding::kRentedRemote ? TransferType::kRemoteAccess : TransferType::kUse;
}

// The organisation the rules look at: whoever uses rented capacity, otherwise the owner.
const std::string& EndUser(const Asset& a) {
  return a.holding == Holding::kRentedRemote ? a.operator_org : a.owner;
}

Severity SeverityOf(const Verdict& v) {
  if (v.overall >= Action::kLicenceRequired) return Severity::kViolation;
  if (v.needs_manual_classification) return Severity::kManualClassification;
  return Severity::kWarning;
}

Situation AssetSituation(const Asset& a, const inventory::Site& site,
                         const inventory::Organisation* user, std::string_view parent_hq,
                         const catalog::AcceleratorSpec& chip, TransferType transfer,
                         std::string_view from_country, Date when) {
  Situation s;
  s.chip = &chip;
  s.date = when;
  s.location = site.country;
  s.from_country = std::string(from_country);
  s.transfer = transfer;
  s.end_user = EndUser(a);
  s.end_user_hq = user ? user->hq_country : "";
  s.end_user_parent_hq = std::string(parent_hq);
  s.site_state_funded = site.state_funded;
  s.site_public_hub = site.public_hub;
  s.project_completion_pct = site.project_completion_pct;
  s.installed_on = a.acquired;
  s.holding = std::string(inventory::HoldingName(a.holding));
  return s;
}

namespace {

// Views into the inventory's strings: building the key allocates nothing.
struct SituationKey {
  std::string_view model, site, user, from;
  int transfer, holding;
  int32_t when, acquired;
  friend bool operator==(const SituationKey&, const SituationKey&) = default;
};
struct SituationKeyHash {
  size_t operator()(const SituationKey& k) const {
    size_t h = std::hash<std::string_view>{}(k.model);
    for (std::string_view s : {k.site, k.user, k.from}) {
      h = h * 1000003 ^ std::hash<std::string_view>{}(s);
    }
    h = h * 1000003 ^ static_cast<size_t>(k.transfer);
    h = h * 1000003 ^ static_cast<size_t>(k.holding);
    h = h * 1000003 ^ static_cast<size_t>(static_cast<uint32_t>(k.when));
    return h * 1000003 ^ static_cast<size_t>(static_cast<uint32_t>(k.acquired));
  }
};

std::string JoinFacts(const std::vector<std::string>& facts) {
  std::string out;
  for (const std::string& f : facts) out += (out.empty() ? "" : ", ") + f;
  return out;
}

bool Matters(const Verdict& v) {
  return v.overall > Action::kAllowed || v.needs_manual_classification;
}

// The deciding rules, most restrictive first, each with its id and source: "US
// licence_required since 2025-04-09 (US-2025-H20-IS-INFORMED; NVIDIA 8-K ...); no licence on
// file". A manual classification names the facts to find out.
std::string Reasons(const Verdict& v) {
  std::string out;
  for (const DecidingRule& d : DecidingRules(v)) {
    const JurisdictionVerdict& j = *d.jurisdiction;
    const RuleHit& h = *d.hit;
    if (!out.empty()) out += "; ";
    out += j.jurisdiction + " " + std::string(ActionName(h.action));
    if (d.may_apply) out += " may apply (needs manual classification)";
    out += " since " + h.rule->effective_from.ToString() + " (" + h.rule->id + "; " +
           h.rule->source + ")";
    if (h.action == Action::kAllowedWithRevenueShare && j.revenue_share_pct) {
      out += ", revenue share " + std::to_string(static_cast<int>(*j.revenue_share_pct)) + "%";
    }
    out += LicenceNote(h);
  }
  if (!v.missing_facts.empty()) out += "; unknown: " + JoinFacts(v.missing_facts);
  return out;
}

// Whether the asset counts towards the quota's part (domestic chips, or external operators).
catalog::Tri CountsTowards(const Quota& q, const catalog::AcceleratorSpec& chip, const Asset& a,
                           const inventory::Inventory& fleet) {
  if (q.measure == QuotaMeasure::kDomesticShareMin) return catalog::DomesticIn(chip, q.domestic_to);
  const inventory::Organisation* op = fleet.FindOrg(a.operator_org);
  return op && op->kind == inventory::OrgKind::kExternalCustomer ? catalog::Tri::kTrue
                                                                 : catalog::Tri::kFalse;
}

std::vector<QuotaFigure> Quotas(const inventory::Inventory& fleet, const catalog::Catalog& catalog,
                                const RuleSet& rules, Date at) {
  std::vector<QuotaFigure> out;
  for (const Quota& q : rules.quotas()) {
    if (!q.InForce(at)) continue;
    struct Sum {
      double part = 0, unknown = 0, whole = 0;
      int64_t assets = 0, unweighted = 0, unknown_assets = 0;
    };
    std::map<std::string, Sum> by_scope;
    for (const Asset& a : fleet.assets()) {
      if (at < a.acquired) continue;
      const inventory::Site* site = fleet.FindSite(a.site);
      if (!site) continue;
      if (!QuotaCoversSite(q, *site)) continue;
      const catalog::AcceleratorSpec* chip = catalog.Find(a.model);
      if (!chip) continue;
      Sum& sum = by_scope[q.per_site ? site->id : "fleet"];
      ++sum.assets;
      const std::optional<double> w = QuotaWeight(*chip, q.basis);
      if (!w) {
        ++sum.unweighted;
        continue;
      }
      sum.whole += *w;
      switch (CountsTowards(q, *chip, a, fleet)) {
        case catalog::Tri::kTrue:
          sum.part += *w;
          break;
        case catalog::Tri::kUnknown:
          sum.unknown += *w;
          ++sum.unknown_assets;
          break;
        case catalog::Tri::kFalse:
          break;
      }
    }
    for (const auto& [scope, sum] : by_scope) {
      if (sum.whole <= 0) continue;
      QuotaFigure f;
      f.quota = &q;
      f.scope = scope;
      f.assets = sum.assets;
      f.unweighted = sum.unweighted;
      f.unknown = sum.unknown_assets;
      f.share_pct = 100.0 * sum.part / sum.whole;
      f.share_pct_if_unknown_count = 100.0 * (sum.part + sum.unknown) / sum.whole;
      const bool holds_low = SatisfiesThreshold(q.comparison, f.share_pct, q.threshold_pct);
      const bool holds_high =
          SatisfiesThreshold(q.comparison, f.share_pct_if_unknown_count, q.threshold_pct);
      // Unknown assets could fall either way: a breach only one way is for a person to settle.
      f.breached = !holds_low && !holds_high;
      f.needs_manual_classification = holds_low != holds_high;
      f.action = q.BreachAction();
      if (f.breached) {
        f.severity = q.BreachIsViolation() ? Severity::kViolation : Severity::kWarning;
      } else if (f.needs_manual_classification) {
        f.severity = Severity::kManualClassification;
      }
      out.push_back(f);
    }
  }
  return out;
}

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kWarning:
      return "warning";
    case Severity::kManualClassification:
      return "manual_classification";
    case Severity::kViolation:
      return "violation";
  }
  return "unknown";
}

FleetCheckReport CheckFleet(const inventory::Inventory& fleet, const catalog::Catalog& catalog,
                            const RuleSet& rules, const Engine& engine, Date at) {
  FleetCheckReport report;
  report.date = at;
  // Situation -> its verdict, or nullptr when the situation is plainly allowed.
  std::unordered_map<SituationKey, const SituationVerdict*, SituationKeyHash> memo;
  for (const Asset& a : fleet.assets()) {
    if (at < a.acquired) continue;  // not ours yet on that date
    ++report.assets_checked;
    const inventory::Site* site = fleet.FindSite(a.site);
    const catalog::AcceleratorSpec* chip = catalog.Find(a.model);
    if (!site || !chip) continue;  // the inventory loader guarantees both
    const std::string& user = EndUser(a);
    for (const bool acquisition : {true, false}) {
      const TransferType t = acquisition ? ArrivalTransfer(a) : HeldTransfer(a);
      const Date when = acquisition ? a.acquired : at;
      const SituationKey key{a.model,
                             a.site,
                             user,
                             a.from_country,
                             static_cast<int>(t),
                             static_cast<int>(a.holding),
                             when.days(),
                             a.acquired.days()};
      auto it = memo.find(key);
      if (it == memo.end()) {
        Verdict v = engine.Evaluate(AssetSituation(a, *site, fleet.FindOrg(user),
                                                   fleet.UltimateParentHq(user), *chip, t,
                                                   a.from_country, when));
        const SituationVerdict* sv = nullptr;
        if (Matters(v)) {
          auto owned = std::make_unique<SituationVerdict>();
          owned->at_acquisition = acquisition;
          owned->severity = SeverityOf(v);
          owned->message = chip->name + " at site " + a.site + ", acquired " +
                           a.acquired.ToString() +
                           (acquisition ? " (" : " (held on " + at.ToString() + ", ") +
                           std::string(TransferTypeName(t)) + "): " + Reasons(v);
          owned->verdict = std::move(v);
          sv = owned.get();
          report.situations.push_back(std::move(owned));
        }
        it = memo.emplace(key, sv).first;
      }
      if (it->second) report.findings.push_back({&a, it->second});
    }
  }
  report.distinct_situations = static_cast<int64_t>(memo.size());
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const AssetFinding& x, const AssetFinding& y) {
                     return x.situation->severity > y.situation->severity;
                   });
  for (const AssetFinding& f : report.findings) {
    switch (f.situation->severity) {
      case Severity::kViolation:
        ++report.violations;
        break;
      case Severity::kManualClassification:
        ++report.manual;
        break;
      case Severity::kWarning:
        ++report.warnings;
        break;
    }
  }
  report.quotas = Quotas(fleet, catalog, rules, at);
  // A breached quota whose action binds is a violation of the fleet, counted with the assets'.
  for (const QuotaFigure& q : report.quotas) {
    if (!q.breached && !q.needs_manual_classification) continue;
    switch (q.severity) {
      case Severity::kViolation:
        ++report.quota_violations;
        break;
      case Severity::kManualClassification:
        ++report.quota_manual;
        break;
      case Severity::kWarning:
        ++report.quota_warnings;
        break;
    }
  }
  report.violations += report.quota_violations;
  report.manual += report.quota_manual;
  report.warnings += report.quota_warnings;
  return report;
}

}  // namespace gpufleet::compliance
