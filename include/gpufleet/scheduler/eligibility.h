#pragma once
// The compliance filter for placement: for a tenant organisation and a data class, which
// (site, model) pairs of the fleet its jobs may use on a date, and, for those they may not,
// which rules keep them off with counts of nodes and accelerators, so that a job that fits
// nowhere says why (docs/scheduling.md).
//
// A job is judged as a `use` situation (compliance/workload.h), once per (site, model) pair:
// nodes of one model at one site are alike to every rule. A pair is excluded when the verdict
// requires a licence not on file, prohibits, or needs manual classification.
// Thread safety: none (the cache fills on demand).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/model/job.h"
#include "gpufleet/scheduler/inventory_fleet.h"

namespace gpufleet::scheduler {

struct TenantProfile {
  std::string org;         // organisation id in the inventory
  std::string data_class;  // "" = none
  friend auto operator<=>(const TenantProfile&, const TenantProfile&) = default;
};

// One rule that keeps the profile off some nodes. A node kept off by two rules counts under
// both.
struct RuleExclusion {
  std::string rule_id;
  std::string jurisdiction;
  compliance::Action action = compliance::Action::kProhibited;
  bool may_apply = false;  // needs manual classification (a chip fact is unknown)
  std::string summary;     // the rule's summary, or its source when it has none
  int64_t nodes = 0;
  int64_t gpus = 0;
};

// A (site, model) pair the profile is kept off, and the rules that keep it off.
struct ExcludedPair {
  SiteId site;
  ChipModelId model;
  int64_t nodes = 0, gpus = 0;
  std::vector<size_t> rules;  // indices into Eligibility::by_rule
};

struct Eligibility {
  std::shared_ptr<const ZoneFilter> filter;  // zones = sites
  int64_t eligible_nodes = 0, eligible_gpus = 0;
  int64_t excluded_nodes = 0, excluded_gpus = 0;
  std::vector<RuleExclusion> by_rule;  // over the whole fleet; most nodes first, then by id
  std::vector<ExcludedPair> excluded;

  // by_rule counted over the nodes of `models` only (the models a job accepts), most nodes
  // first.
  std::vector<RuleExclusion> ExclusionsFor(ModelSet models) const;
};

class EligibilityCache {
 public:
  // All four must outlive the cache.
  EligibilityCache(const InventoryFleet& fleet, const inventory::Inventory& inv,
                   const compliance::Engine& engine, Date at);

  // Computed on first use, then shared by every job of the profile.
  const Eligibility& For(const TenantProfile& profile);

 private:
  Eligibility Compute(const TenantProfile& profile) const;

  const InventoryFleet& fleet_;
  const inventory::Inventory& inv_;
  const compliance::Engine& engine_;
  Date at_;
  // (site, model) pairs present, with their node and accelerator counts.
  struct Cell {
    SiteId site;
    ChipModelId model;
    int64_t nodes = 0, gpus = 0;
  };
  std::vector<Cell> cells_;
  std::map<TenantProfile, Eligibility> cache_;  // node-based: references stay valid
};

}  // namespace gpufleet::scheduler
