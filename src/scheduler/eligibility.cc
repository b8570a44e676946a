#include "gpufleet/scheduler/eligibility.h"

#include <algorithm>

#include "gpufleet/compliance/workload.h"

namespace gpufleet::scheduler {

EligibilityCache::EligibilityCache(const InventoryFleet& fleet, const inventory::Inventory& inv,
                                   const compliance::Engine& engine, Date at)
    : fleet_(fleet), inv_(inv), engine_(engine), at_(at) {
  std::map<std::pair<uint32_t, uint16_t>, Cell> cells;
  for (const NodeSpec& n : fleet.fleet.nodes()) {
    Cell& c = cells[{n.site.value(), n.gpu_model.value()}];
    c.site = n.site;
    c.model = n.gpu_model;
    ++c.nodes;
    c.gpus += n.gpu_count;
  }
  for (const auto& [key, c] : cells) cells_.push_back(c);
}

const Eligibility& EligibilityCache::For(const TenantProfile& profile) {
  auto it = cache_.find(profile);
  if (it == cache_.end()) it = cache_.emplace(profile, Compute(profile)).first;
  return it->second;
}

namespace {

void SortByNodes(std::vector<RuleExclusion>& v) {
  std::stable_sort(v.begin(), v.end(), [](const RuleExclusion& a, const RuleExclusion& b) {
    return a.nodes > b.nodes;
  });
}

}  // namespace

std::vector<RuleExclusion> Eligibility::ExclusionsFor(ModelSet models) const {
  std::map<std::string_view, RuleExclusion> by_id;
  for (const ExcludedPair& p : excluded) {
    if (!models.Allows(p.model)) continue;
    for (size_t i : p.rules) {
      auto [it, inserted] = by_id.try_emplace(by_rule[i].rule_id);
      if (inserted) {
        it->second = by_rule[i];
        it->second.nodes = it->second.gpus = 0;
      }
      it->second.nodes += p.nodes;
      it->second.gpus += p.gpus;
    }
  }
  std::vector<RuleExclusion> out;
  for (auto& [id, x] : by_id) out.push_back(std::move(x));
  SortByNodes(out);
  return out;
}

Eligibility EligibilityCache::Compute(const TenantProfile& profile) const {
  Eligibility e;
  auto filter = std::make_shared<ZoneFilter>(fleet_.fleet.sites().size());
  std::map<std::string, RuleExclusion> by_rule;
  std::vector<std::vector<std::string>> rules_of_pair;
  for (const Cell& c : cells_) {
    const compliance::Situation s = compliance::WorkloadSituation(
        inv_, *fleet_.chips[c.model.value()], *fleet_.sites[c.site.value()], profile.org,
        profile.data_class, at_);
    const compliance::Verdict v = engine_.Evaluate(s);
    if (!compliance::BlocksPlacement(v)) {
      filter->Allow(c.site.value(), c.model);
      e.eligible_nodes += c.nodes;
      e.eligible_gpus += c.gpus;
      continue;
    }
    e.excluded_nodes += c.nodes;
    e.excluded_gpus += c.gpus;
    e.excluded.push_back({c.site, c.model, c.nodes, c.gpus, {}});
    rules_of_pair.emplace_back();
    for (const compliance::DecidingRule& d : compliance::DecidingRules(v)) {
      // Only what keeps the job off: a revenue share or a warning beside a prohibition does
      // not.
      if (!d.may_apply && d.hit->action < compliance::Action::kLicenceRequired) continue;
      const compliance::Rule& r = *d.hit->rule;
      RuleExclusion& x = by_rule[r.id];
      x.rule_id = r.id;
      x.jurisdiction = r.jurisdiction;
      x.action = d.hit->action;
      x.may_apply = d.may_apply;
      x.summary = r.summary.empty() ? r.source : r.summary;
      x.nodes += c.nodes;
      x.gpus += c.gpus;
      rules_of_pair.back().push_back(r.id);
    }
  }
  for (auto& [id, x] : by_rule) e.by_rule.push_back(std::move(x));
  SortByNodes(e.by_rule);
  for (size_t i = 0; i < e.excluded.size(); ++i) {
    for (const std::string& id : rules_of_pair[i]) {
      for (size_t k = 0; k < e.by_rule.size(); ++k) {
        if (e.by_rule[k].rule_id == id) e.excluded[i].rules.push_back(k);
      }
    }
  }
  e.filter = std::move(filter);
  return e;
}

}  // namespace gpufleet::scheduler
