#pragma once
// One scheduling cycle with tenants: each tenant has a priority and a guaranteed number of
// GPUs per model; it may borrow idle capacity beyond that, and borrowed capacity is taken
// back (the borrower's jobs preempted) when another tenant needs its guarantee. Placement is
// compliance-aware and capped for external tenants as in batch.h.
//
// Usage of a tenant on a model = the GPUs (shared GPUs as fractions) of its running jobs on
// nodes of that model. Which running jobs are borrowed is recomputed each time: a tenant's
// jobs on a model, highest priority first then oldest, are guaranteed while their sum stays
// within the guarantee; from the first that does not, they are borrowed.
//
// Pending jobs are considered highest tenant priority first, then highest job priority,
// then oldest, then by id (a tenant not in the list has priority 0). A job that
// does not fit, but would stay within its tenant's guarantee on a model it accepts, reclaims:
// borrowed jobs of other tenants on nodes of that model the rules allow the job are
// preempted, lowest priority then youngest first, one by one until the job fits; when it
// still does not fit they all stay. A job started earlier in the same cycle that is
// reclaimed is not started (it pends, saying so) rather than started and preempted.
// Thread safety: none (the eligibility cache fills on demand).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/model/cluster_state.h"
#include "gpufleet/model/job.h"
#include "gpufleet/placement/policy.h"
#include "gpufleet/scheduler/eligibility.h"
#include "gpufleet/scheduler/inventory_fleet.h"

namespace gpufleet::scheduler {

struct TenantPolicy {
  std::string id;
  std::string org;       // organisation id in the inventory; external_customer = under the cap
  int32_t priority = 0;  // orders pending jobs before their own priority; higher first
  std::map<ChipModelId, int32_t> guaranteed_gpus;  // whole GPUs per model
  friend bool operator==(const TenantPolicy&, const TenantPolicy&) = default;
};

struct CycleJob {
  uint64_t id = 0;
  std::string tenant;      // TenantPolicy::id
  std::string data_class;  // "" = none
  int32_t priority = 0;    // higher first
  PodRequest pod;          // one replica; zones are ignored (the tenant's profile decides)
  int32_t replicas = 1;    // all or none, within one site
  int64_t submitted_at = 0;
};

struct RunningJob {
  CycleJob job;
  std::vector<Assignment> placements;  // one per replica
  int64_t started_at = 0;
};

struct CycleResult {
  struct Start {
    uint64_t job = 0;
    std::vector<Assignment> placements;
    bool borrowed = false;  // took its tenant over its guarantee on some model
  };
  struct Preempt {
    uint64_t job = 0;
    std::string reason;  // "preempted: tenant A reclaims its guaranteed 8 <model> GPUs for job 7"
  };
  std::vector<Start> starts;                        // in the order decided
  std::vector<Preempt> preemptions;                 // running jobs to stop
  std::map<uint64_t, std::string> pending_reasons;  // pending jobs that did not start
};

// The state cycles decide on, kept from one cycle to the next: the running jobs bound on the
// fleet with their tenants' usage and the external share, so that a cycle costs its pending
// jobs and what changed rather than every running job. The tenants and the policy are fixed
// for the state's life: a caller whose tenants change builds a new one.
class CycleState {
 public:
  // Everything referenced must outlive the state; `tenants` is copied.
  CycleState(const InventoryFleet& fleet, const inventory::Inventory& inv,
             const compliance::RuleSet& rules, EligibilityCache& eligibility, Date at,
             const placement::Policy& policy, std::vector<TenantPolicy> tenants);
  CycleState(const CycleState&) = delete;
  CycleState& operator=(const CycleState&) = delete;
  ~CycleState();

  // Binds a running job. False, binding nothing, when a placement names a node outside the
  // fleet or does not fit what is bound. REQUIRES: the job is not bound yet.
  bool AddRunning(const RunningJob& r);
  // Unbinds a running job (it ended, was cancelled or preempted); false when not bound.
  bool RemoveRunning(uint64_t job);
  // One cycle over `pending` (see the top of this file). Afterwards the jobs it started are
  // bound as running since `now` and the jobs it preempted are not; a caller that could not
  // write a start calls RemoveRunning for it. REQUIRES: pending ids are not bound.
  CycleResult Run(const std::vector<CycleJob>& pending, int64_t now, uint64_t seed);

  size_t running() const;  // jobs bound
  const std::vector<TenantPolicy>& tenants() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A pure function of its inputs: rebuilds the cluster state from `running`, then decides
// (one CycleState, used once).
// REQUIRES: `running` binds on the fleet (no node over capacity), job ids are unique, and
// every job's tenant is in `tenants` (a pending job of an unknown tenant pends, saying so).
CycleResult RunCycle(const InventoryFleet& fleet, const inventory::Inventory& inv,
                     const compliance::RuleSet& rules, EligibilityCache& eligibility, Date at,
                     const placement::Policy& policy, const std::vector<TenantPolicy>& tenants,
                     const std::vector<CycleJob>& pending, const std::vector<RunningJob>& running,
                     uint64_t seed);

}  // namespace gpufleet::scheduler
