// Rule-change impact (impact.h): the fleet checked twice, once per rule set, and compared
// asset by asset. Both checks reuse CheckFleet, so "non-compliant" means exactly what
// `gpufleet check` reports; the comparison adds nothing to the rules' meaning.

#include "gpufleet/compliance/impact.h"

#include <algorithm>
#include <bit>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "gpufleet/codec/csv_table.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/workload.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance {
namespace {

AssetStatus StatusOf(Severity s) {
  switch (s) {
    case Severity::kWarning:
      return AssetStatus::kWarning;
    case Severity::kManualClassification:
      return AssetStatus::kManual;
    case Severity::kViolation:
      return AssetStatus::kViolation;
  }
  return AssetStatus::kNone;
}

// An obligation a verdict carries, without the asset it is about.
struct ObligationKey {
  Obligation::Kind kind = Obligation::Kind::kLicence;
  std::string jurisdiction, rule_id, licence;
  std::optional<double> pct;
  auto Tie() const { return std::tie(kind, jurisdiction, rule_id, licence, pct); }
  friend bool operator<(const ObligationKey& a, const ObligationKey& b) {
    return a.Tie() < b.Tie();
  }
};

// Per asset, what one rule set says about it.
struct AssetSide {
  AssetStatus status = AssetStatus::kNone;
  const SituationVerdict* worst = nullptr;
  std::set<ObligationKey> obligations;
};

// The obligations binding rules impose: a licence wherever a licence_required rule applies
// (even when a licence on file settles it: the licence is then the obligation), a revenue
// share wherever the outcome is allowed_with_revenue_share. Proposed rules bind nobody yet.
void AddObligations(const Verdict& v, std::set<ObligationKey>& out) {
  for (const JurisdictionVerdict& j : v.jurisdictions) {
    for (const RuleHit& h : j.hits) {
      if (h.carved_out || h.match != catalog::Tri::kTrue) continue;
      if (h.rule->kind == RuleKind::kProposed) continue;
      const bool granted = h.licence && h.licence_state == LicenceState::kGranted;
      if (h.rule->action == Action::kLicenceRequired || h.rule->needs_granted_licence) {
        out.insert({Obligation::Kind::kLicence, j.jurisdiction, h.rule->id,
                    h.licence ? h.licence->id : "", std::nullopt});
      }
      if (h.action == Action::kAllowedWithRevenueShare) {
        std::optional<double> pct = h.rule->revenue_share_pct;
        if (granted && h.licence->revenue_share_pct) pct = h.licence->revenue_share_pct;
        if (!pct) pct = j.revenue_share_pct;
        out.insert({Obligation::Kind::kRevenueShare, j.jurisdiction, h.rule->id,
                    granted ? h.licence->id : "", pct});
      }
    }
  }
}

std::vector<AssetSide> Sides(const inventory::Inventory& fleet, const FleetCheckReport& r) {
  std::vector<AssetSide> sides(fleet.assets().size());
  const inventory::Asset* first = fleet.assets().data();
  for (const AssetFinding& f : r.findings) {
    AssetSide& side = sides[static_cast<size_t>(f.asset - first)];
    const AssetStatus s = StatusOf(f.situation->severity);
    if (!side.worst || s > side.status) {
      side.status = s;
      side.worst = f.situation;
    }
    AddObligations(f.situation->verdict, side.obligations);
  }
  return sides;
}

void Count(const AssetSide& before, const AssetSide& after, TransitionCounts& c) {
  const bool was = before.status == AssetStatus::kViolation;
  const bool is = after.status == AssetStatus::kViolation;
  c.violations_before += was;
  c.violations_after += is;
  c.became_violation += !was && is;
  c.cleared += was && !is;
  c.became_manual += before.status < AssetStatus::kManual && after.status == AssetStatus::kManual;
  c.new_warning += before.status == AssetStatus::kNone && after.status == AssetStatus::kWarning;
}

std::map<std::pair<std::string, std::string>, QuotaSide> QuotaSides(const FleetCheckReport& r) {
  std::map<std::pair<std::string, std::string>, QuotaSide> out;
  for (const QuotaFigure& q : r.quotas) {
    out[{q.quota->id, q.scope}] = {q.share_pct, q.quota->threshold_pct, q.breached, q.assets};
  }
  return out;
}

std::vector<QuotaChange> CompareQuotas(const FleetCheckReport& before,
                                       const FleetCheckReport& after) {
  std::map<std::pair<std::string, std::string>, QuotaChange> merged;
  for (const FleetCheckReport* r : {&before, &after}) {
    const bool is_before = r == &before;
    const auto sides = QuotaSides(*r);
    for (const QuotaFigure& q : r->quotas) {
      QuotaChange& c = merged[{q.quota->id, q.scope}];
      c.id = q.quota->id;
      c.scope = q.scope;
      c.measure = q.quota->measure;
      (is_before ? c.before : c.after) = sides.at({q.quota->id, q.scope});
    }
  }
  std::vector<QuotaChange> out;
  for (auto& [key, c] : merged) out.push_back(std::move(c));
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += "; ";
    out += l;
  }
  return out;
}

}  // namespace

std::string_view JobStateName(JobState s) { return s == JobState::kRunning ? "running" : "queued"; }

std::string_view AssetStatusName(AssetStatus s) {
  switch (s) {
    case AssetStatus::kNone:
      return "none";
    case AssetStatus::kWarning:
      return "warning";
    case AssetStatus::kManual:
      return "manual_classification";
    case AssetStatus::kViolation:
      return "violation";
  }
  return "unknown";
}

std::string_view ObligationKindName(Obligation::Kind k) {
  return k == Obligation::Kind::kRevenueShare ? "revenue_share" : "licence";
}

// How a job without a holding column holds its hardware: as the tenant's own assets of the
// model at the site are held, else as all of them are; owned when the fleet records none;
// nullopt when they are held in more than one way. The fleet is read once, on the first row
// that needs it, into one bit per way of holding for each (site, model) and each (site,
// model, operator): a snapshot's rows then cost a lookup each, not a scan of every asset.
class HoldingsOnSites {
 public:
  explicit HoldingsOnSites(const inventory::Inventory& fleet) : fleet_(fleet) {}

  std::optional<inventory::Holding> For(const JobPlacement& j) {
    if (!indexed_) Index();
    for (const std::string& key : {Key(j.site, j.model, &j.tenant_org), Key(j.site, j.model)}) {
      const auto it = ways_.find(key);
      if (it == ways_.end()) continue;
      const uint8_t ways = it->second;
      if ((ways & (ways - 1)) != 0) return std::nullopt;  // more than one bit: mixed
      return static_cast<inventory::Holding>(std::countr_zero(ways));
    }
    return inventory::Holding::kOwned;
  }

 private:
  // '\n' cannot occur in ids, so the joined key is unambiguous.
  static std::string Key(std::string_view site, std::string_view model,
                         const std::string* op = nullptr) {
    std::string key = std::string(site) + '\n' + std::string(model);
    if (op != nullptr) key += '\n' + *op;
    return key;
  }

  void Index() {
    for (const inventory::Asset& a : fleet_.assets()) {
      const uint8_t bit = static_cast<uint8_t>(1u << static_cast<unsigned>(a.holding));
      ways_[Key(a.site, a.model)] |= bit;
      ways_[Key(a.site, a.model, &a.operator_org)] |= bit;
    }
    indexed_ = true;
  }

  const inventory::Inventory& fleet_;
  bool indexed_ = false;
  std::unordered_map<std::string, uint8_t> ways_;
};

Result<std::vector<JobPlacement>> ReadPlacementSnapshot(const std::string& path,
                                                        const inventory::Inventory& fleet,
                                                        const catalog::Catalog& catalog) {
  auto table = codec::CsvTable::Read(path);
  if (!table.ok()) return table.status();
  GPUFLEET_RETURN_IF_ERROR(
      table->RequireColumns({"job", "tenant_org", "site", "model", "gpus", "status"}));
  const size_t c_job = *table->Column("job");
  const size_t c_tenant = *table->Column("tenant_org");
  const size_t c_site = *table->Column("site");
  const size_t c_model = *table->Column("model");
  const size_t c_gpus = *table->Column("gpus");
  const size_t c_status = *table->Column("status");
  const std::optional<size_t> c_data = table->Column("data_class");
  const std::optional<size_t> c_holding = table->Column("holding");
  std::vector<JobPlacement> jobs;
  HoldingsOnSites holdings(fleet);
  for (const codec::CsvTable::Row& row : table->rows()) {
    JobPlacement j;
    j.line = row.line;
    j.job = row.fields[c_job];
    if (j.job.empty()) return table->Error(row, c_job, "empty");
    j.tenant_org = row.fields[c_tenant];
    if (!fleet.FindOrg(j.tenant_org)) {
      return table->Error(row, c_tenant,
                          "no organisation '" + Excerpt(j.tenant_org) + "' in the fleet");
    }
    j.site = row.fields[c_site];
    if (!fleet.FindSite(j.site)) {
      return table->Error(row, c_site, "no site '" + Excerpt(j.site) + "' in the fleet");
    }
    const catalog::AcceleratorSpec* chip = catalog.Find(row.fields[c_model]);
    if (!chip) {
      return table->Error(row, c_model,
                          "'" + Excerpt(row.fields[c_model]) + "' is not in the catalog");
    }
    j.model = chip->id;
    if (c_data) j.data_class = row.fields[*c_data];
    if (c_holding && !row.fields[*c_holding].empty()) {
      const std::optional<inventory::Holding> h = inventory::ParseHolding(row.fields[*c_holding]);
      if (!h) {
        return table->Error(
            row, *c_holding,
            "'" + row.fields[*c_holding] + "' is not one of owned, leased, rented_remote");
      }
      j.holding = *h;
    } else {
      const std::optional<inventory::Holding> h = holdings.For(j);
      if (!h) {
        return table->Error(row, c_site,
                            "site '" + j.site + "' holds " + j.model +
                                " both owned and leased or rented: give the holding column");
      }
      j.holding = *h;
    }
    auto gpus = table->NonNegativeInt(row, c_gpus);
    if (!gpus.ok()) return gpus.status();
    j.gpus = *gpus;
    const std::string& state = row.fields[c_status];
    if (state == "running") {
      j.state = JobState::kRunning;
    } else if (state == "queued") {
      j.state = JobState::kQueued;
    } else {
      return table->Error(row, c_status, "'" + Excerpt(state) + "' is neither running nor queued");
    }
    jobs.push_back(std::move(j));
  }
  return jobs;
}

ImpactReport Impact(const inventory::Inventory& fleet, const catalog::Catalog& catalog,
                    const RuleSet& before, const RuleSet& after, Date at,
                    const std::vector<JobPlacement>& jobs) {
  const auto engine_before = MakeIndexedEngine(before);
  const auto engine_after = MakeIndexedEngine(after);
  const FleetCheckReport check_before = CheckFleet(fleet, catalog, before, *engine_before, at);
  const FleetCheckReport check_after = CheckFleet(fleet, catalog, after, *engine_after, at);

  ImpactReport report;
  report.date = at;
  report.assets_checked = check_after.assets_checked;
  const std::vector<AssetSide> was = Sides(fleet, check_before);
  const std::vector<AssetSide> is = Sides(fleet, check_after);
  // Obligations grouped by what they are and where: one line per batch, not per board.
  std::map<std::tuple<ObligationKey, std::string, std::string, std::string>, int64_t> grouped;
  for (size_t i = 0; i < fleet.assets().size(); ++i) {
    const inventory::Asset& a = fleet.assets()[i];
    if (at < a.acquired) continue;  // not ours yet on that date
    Count(was[i], is[i], report.total);
    Count(was[i], is[i], report.by_site[a.site]);
    Count(was[i], is[i], report.by_model[a.model]);
    Count(was[i], is[i], report.by_owner[a.owner]);
    if (was[i].status != is[i].status) {
      const SituationVerdict* why = is[i].worst ? is[i].worst : was[i].worst;
      report.changes.push_back({&a, was[i].status, is[i].status, why ? why->message : ""});
    }
    for (const ObligationKey& k : is[i].obligations) {
      if (!was[i].obligations.contains(k)) ++grouped[{k, a.site, a.model, a.owner}];
    }
  }
  for (const auto& [key, n] : grouped) {
    const auto& [k, site, model, owner] = key;
    report.new_obligations.push_back(
        {k.kind, k.jurisdiction, k.rule_id, k.pct, k.licence, site, model, owner, n});
  }
  report.quotas = CompareQuotas(check_before, check_after);

  for (const JobPlacement& job : jobs) {
    const catalog::AcceleratorSpec* chip = catalog.Find(job.model);
    const inventory::Site* site = fleet.FindSite(job.site);
    if (!chip || !site) continue;  // REQUIRES above; skipped rather than trusted
    const Situation s =
        WorkloadSituation(fleet, *chip, *site, job.tenant_org, job.data_class, at, job.holding);
    const Verdict v_before = engine_before->Evaluate(s);
    const Verdict v_after = engine_after->Evaluate(s);
    JobImpact ji;
    ji.job = job;
    ji.before = v_before.overall;
    ji.after = v_after.overall;
    ji.manual_before = v_before.needs_manual_classification;
    ji.manual_after = v_after.needs_manual_classification;
    ji.loses_placement = BlocksPlacement(v_after) && !BlocksPlacement(v_before);
    ji.reason = Join(v_after.Explain());
    if (ji.loses_placement) {
      ++report.jobs_losing_placement;
      report.gpus_losing_placement += job.gpus;
    }
    report.jobs.push_back(std::move(ji));
  }
  return report;
}

}  // namespace gpufleet::compliance
