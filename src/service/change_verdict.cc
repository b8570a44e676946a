#include "service/change_verdict.h"

#include <optional>
#include <utility>

#include "gpufleet/compliance/workload.h"

namespace gpufleet::service {
namespace {

using compliance::TransferType;
using inventory::ChangeKind;

constexpr int64_t kMsPerDay = 86'400'000;

Date DateOfMs(int64_t ms) {
  return Date::FromDays(static_cast<int32_t>((ms >= 0 ? ms : ms - kMsPerDay + 1) / kMsPerDay));
}

struct Probe {
  TransferType transfer;
  std::string from_country;
  Date when;
};

// The situations `change` puts the asset in, besides holding it on the effective date.
// `from_site` is where the asset stood before the change.
std::optional<Probe> HowItGotThere(const inventory::Change& c, const inventory::Asset& after,
                                   const inventory::Site& site, const inventory::Site* from_site,
                                   Date when) {
  switch (c.kind) {
    case ChangeKind::kRegister:
      return Probe{compliance::ArrivalTransfer(after), after.from_country, after.acquired};
    case ChangeKind::kMove:
      // Within a country the owner relocates its own hardware: nothing crosses a border and
      // no one else takes it (an in-country transfer is a change of end user), so only using
      // it at the new site is judged. Across a border the record now says how it crossed
      // (LiveInventory's move: export or re-export from the old site).
      if (from_site != nullptr && from_site->country == site.country) return std::nullopt;
      return Probe{compliance::ArrivalTransfer(after), after.from_country, when};
    case ChangeKind::kTransfer:
      return Probe{TransferType::kInCountryTransfer, site.country, when};
    case ChangeKind::kLeaseStart:
      return Probe{after.holding == inventory::Holding::kRentedRemote
                       ? TransferType::kRemoteAccess
                       : TransferType::kInCountryTransfer,
                   site.country, when};
    default:
      return std::nullopt;
  }
}

bool Judged(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kRegister:
    case ChangeKind::kMove:
    case ChangeKind::kTransfer:
    case ChangeKind::kLeaseStart:
    case ChangeKind::kCorrect:
      return true;
    default:
      return false;
  }
}

}  // namespace

ChangeJudgement JudgeChange(const inventory::LiveInventory& live, const inventory::Change& c,
                            const catalog::Catalog& catalog, const compliance::Engine& engine) {
  ChangeJudgement out;
  if (!Judged(c.kind)) return out;
  const inventory::LiveAsset* before = live.Find(c.serial);
  // Re-racked within its site: nothing the rules read changes (a quarantined board moved to
  // another slot stays quarantined, and is recorded where it is).
  if (c.kind == ChangeKind::kMove && before != nullptr && before->record.site == c.site) {
    return out;
  }
  const inventory::Site* from_site = before ? live.FindSite(before->record.site) : nullptr;
  const inventory::LiveAsset after = live.Preview(c);
  const inventory::Asset& a = after.record;
  const inventory::Site* site = live.FindSite(a.site);
  const catalog::AcceleratorSpec* chip = catalog.Find(a.model);
  if (site == nullptr || chip == nullptr) return out;  // Check and the register's model check
  const Date when = DateOfMs(c.effective_ms);
  const std::string& user = compliance::EndUser(a);
  const inventory::Organisation* org = live.FindOrg(user);
  const std::string parent_hq = live.UltimateParentHq(user);
  std::vector<Probe> probes = {{compliance::HeldTransfer(a), "", when}};
  if (std::optional<Probe> p = HowItGotThere(c, a, *site, from_site, when)) {
    probes.insert(probes.begin(), *p);
  }

  std::optional<compliance::Verdict> worst;
  for (const Probe& p : probes) {
    compliance::Verdict v = engine.Evaluate(compliance::AssetSituation(
        a, *site, org, parent_hq, *chip, p.transfer, p.from_country, p.when));
    for (const compliance::JurisdictionVerdict& j : v.jurisdictions) {
      for (const compliance::RuleHit& h : j.hits) {
        if (h.licence != nullptr && !h.carved_out &&
            h.action < compliance::Action::kLicenceRequired && out.licence.empty()) {
          out.licence = h.licence->id;
        }
      }
    }
    if (!worst || compliance::SeverityOf(v) > compliance::SeverityOf(*worst) ||
        (compliance::SeverityOf(v) == compliance::SeverityOf(*worst) &&
         v.overall > worst->overall)) {
      worst = std::move(v);
    }
  }
  out.judged = true;
  out.severity = compliance::SeverityOf(*worst);
  out.overall = std::string(compliance::OverallName(*worst));
  for (const compliance::DecidingRule& d : compliance::DecidingRules(*worst)) {
    // The rules behind the overall verdict, not those of a jurisdiction that allowed it.
    if (d.jurisdiction->action != worst->overall && !d.may_apply) continue;
    if (std::find(out.rules.begin(), out.rules.end(), d.hit->rule->id) == out.rules.end()) {
      out.rules.push_back(d.hit->rule->id);
    }
  }
  out.explanation = worst->Explain();
  return out;
}

}  // namespace gpufleet::service
