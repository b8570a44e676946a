// Rule-change impact (impact.h): the fleet checked twice, once per rule set, and compared
// asset by asset. Both checks reuse CheckFleet, so "non-compliant" means exactly what
// `gpufleet check` reports; the comparison adds nothing to the rules' meaning.

#include "gpufleet/compliance/impact.h"

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

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

// Per asset, what one rule set says about it: its worst status and the situations the check
// judged it in (as it arrived, as held), whose obligations are its obligations.
struct AssetSide {
  AssetStatus status = AssetStatus::kNone;
  const SituationVerdict* worst = nullptr;
  std::array<const SituationVerdict*, 2> situations{};
  std::vector<const SituationVerdict*> more;  // a third situation and beyond, if ever
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

// The obligations of each situation of a check, worked out once per situation (a million
// assets share a few thousand), not once per asset.
class Obligations {
 public:
  const std::set<ObligationKey>& Of(const SituationVerdict* s) {
    auto [it, fresh] = by_situation_.try_emplace(s);
    if (fresh) AddObligations(s->verdict, it->second);
    return it->second;
  }
  // The union over the side's situations.
  std::set<ObligationKey> Of(const AssetSide& side) {
    std::set<ObligationKey> out;
    ForEach(side, [&](const SituationVerdict* s) {
      const std::set<ObligationKey>& keys = Of(s);
      out.insert(keys.begin(), keys.end());
    });
    return out;
  }
  template <typename F>
  static void ForEach(const AssetSide& side, F f) {
    for (const SituationVerdict* s : side.situations) {
      if (s != nullptr) f(s);
    }
    for (const SituationVerdict* s : side.more) f(s);
  }

 private:
  std::unordered_map<const SituationVerdict*, std::set<ObligationKey>> by_situation_;
};

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
    if (side.situations[0] == nullptr) {
      side.situations[0] = f.situation;
    } else if (side.situations[1] == nullptr) {
      side.situations[1] = f.situation;
    } else {
      side.more.push_back(f.situation);
    }
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
  // The obligations an asset has under `after` and had not under `before`, by the pair of
  // situations it was judged in: assets sharing them share the answer.
  Obligations obligations_before, obligations_after;
  std::map<std::array<const SituationVerdict*, 4>, std::vector<const ObligationKey*>> fresh;
  std::vector<const ObligationKey*> uncached;
  const auto NewObligations =
      [&](const AssetSide& was_side,
          const AssetSide& is_side) -> const std::vector<const ObligationKey*>& {
    const auto compute = [&](std::vector<const ObligationKey*>& out) {
      const std::set<ObligationKey> had = obligations_before.Of(was_side);
      std::set<ObligationKey> added;  // a key both situations carry counts once
      Obligations::ForEach(is_side, [&](const SituationVerdict* sv) {
        for (const ObligationKey& k : obligations_after.Of(sv)) {
          if (!had.contains(k) && added.insert(k).second) out.push_back(&k);
        }
      });
    };
    if (!was_side.more.empty() || !is_side.more.empty()) {
      uncached.clear();
      compute(uncached);
      return uncached;
    }
    auto [it, missing] = fresh.try_emplace({was_side.situations[0], was_side.situations[1],
                                            is_side.situations[0], is_side.situations[1]});
    if (missing) compute(it->second);
    return it->second;
  };
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
    if (is[i].worst == nullptr) continue;  // no situation, no obligation
    for (const ObligationKey* k : NewObligations(was[i], is[i])) {
      ++grouped[{*k, a.site, a.model, a.owner}];
    }
  }
  for (const auto& [key, n] : grouped) {
    const auto& [k, site, model, owner] = key;
    report.new_obligations.push_back(
        {k.kind, k.jurisdiction, k.rule_id, k.pct, k.licence, site, model, owner, n});
  }
  report.quotas = CompareQuotas(check_before, check_after);

  // Jobs in the same situation (site, model, organisation, data class, holding) get the same
  // verdicts: each situation is judged once under each rule set.
  using JobKey = std::tuple<std::string_view, std::string_view, std::string_view, std::string_view,
                            inventory::Holding>;
  std::map<JobKey, JobImpact> judged;
  for (const JobPlacement& job : jobs) {
    const catalog::AcceleratorSpec* chip = catalog.Find(job.model);
    const inventory::Site* site = fleet.FindSite(job.site);
    if (!chip || !site) continue;  // REQUIRES above; skipped rather than trusted
    auto [it, fresh_situation] = judged.try_emplace(
        JobKey{job.site, job.model, job.tenant_org, job.data_class, job.holding});
    JobImpact& verdicts = it->second;
    if (fresh_situation) {
      const Situation s =
          WorkloadSituation(fleet, *chip, *site, job.tenant_org, job.data_class, at, job.holding);
      const Verdict v_before = engine_before->Evaluate(s);
      const Verdict v_after = engine_after->Evaluate(s);
      verdicts.before = v_before.overall;
      verdicts.after = v_after.overall;
      verdicts.manual_before = v_before.needs_manual_classification;
      verdicts.manual_after = v_after.needs_manual_classification;
      verdicts.loses_placement = BlocksPlacement(v_after) && !BlocksPlacement(v_before);
      verdicts.reason = Join(v_after.Explain());
    }
    JobImpact ji = verdicts;
    ji.job = job;
    if (ji.loses_placement) {
      ++report.jobs_losing_placement;
      report.gpus_losing_placement += job.gpus;
    }
    report.jobs.push_back(std::move(ji));
  }
  return report;
}

}  // namespace gpufleet::compliance
