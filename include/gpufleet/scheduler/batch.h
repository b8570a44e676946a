#pragma once
// Placing a batch of jobs on an inventory's fleet on a date, compliance-aware: each job runs
// for its tenant organisation with its data class, so nodes the rules keep it off are
// excluded (eligibility.h), external tenants stay under the resale cap (resale_cap.h), and a
// job left pending says why with counts: which rules excluded how many nodes, or how much
// eligible capacity there is, or which cap it would break (docs/scheduling.md).
//
// Jobs are placed highest priority first, then in file order; a job is `replicas` identical
// pods placed all together or not at all (gang).

#include <cstdint>
#include <string>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/model/job.h"
#include "gpufleet/placement/policy.h"
#include "gpufleet/scheduler/eligibility.h"
#include "gpufleet/scheduler/resale_cap.h"

namespace gpufleet::scheduler {

struct JobRequest {
  std::string id;
  std::string tenant_org;  // organisation id in the inventory
  std::string data_class;  // "" = none
  int32_t priority = 0;    // higher first
  PodRequest pod;          // one replica; allowed_models = the job's models (empty = any)
  int32_t replicas = 1;
  // The job names models, none of which the fleet holds (pod.allowed_models is then empty,
  // which would mean "any").
  bool models_absent = false;
  int line = 0;  // in the jobs file; 0 when built in code
};

// Reads a jobs CSV. Columns: job, tenant_org, gpus (required); data_class, models, replicas,
// priority, cpu, memory_gib (optional; blank = default). gpus per replica is a whole number
// or a fraction below 1 (a shared GPU, e.g. 0.5); models is a '|'-separated list of catalog
// ids or aliases; cpu in cores, memory in GiB (default 0: the inventory records no host
// sizes). Errors name path:line:column: unknown organisations or models, bad numbers,
// duplicate job ids.
Result<std::vector<JobRequest>> ReadJobRequests(const std::string& path,
                                                const InventoryFleet& fleet,
                                                const inventory::Inventory& inv,
                                                const catalog::Catalog& cat);

enum class Pending : uint8_t {
  kNone = 0,    // placed
  kCompliance,  // the rules keep it off every node that could hold it
  kModel,       // no node of an allowed model in the fleet
  kCapacity,    // eligible nodes exist but none has room now
  kResaleCap,   // placing it would put external use over the resale cap
};
std::string_view PendingName(Pending p);

struct JobOutcome {
  const JobRequest* job = nullptr;
  std::vector<Assignment> replicas;  // empty when pending
  Pending pending = Pending::kNone;
  // For pending jobs: "compliance: 12 of 15 nodes (96 of 120 GPUs) excluded: ..."; empty
  // when placed.
  std::string reason;
  const Eligibility* eligibility = nullptr;  // owned by the report's cache
  const CapFigure* cap = nullptr;            // kResaleCap: the cap it would break
};

struct BatchReport {
  std::vector<JobOutcome> outcomes;  // in input order
  int64_t placed = 0, pending = 0;
  int64_t gpu_milli_placed = 0;
  std::vector<CapFigure> caps;  // after the batch
};

// The report points into `jobs` and `eligibility`, which must outlive it.
BatchReport ScheduleBatch(const InventoryFleet& fleet, const inventory::Inventory& inv,
                          const compliance::RuleSet& rules, EligibilityCache& eligibility, Date at,
                          const placement::Policy& policy, const std::vector<JobRequest>& jobs,
                          uint64_t seed);

}  // namespace gpufleet::scheduler
