#pragma once
// Private to the service (scheduler_loop.cc): the mapping between the store's records and the
// inputs and outputs of scheduler::RunCycle. Store records name things (catalog ids, node
// names, tenant slugs); the cycle works on the placement fleet's dense ids.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/placement/policy.h"
#include "gpufleet/scheduler/cycle.h"
#include "gpufleet/scheduler/inventory_fleet.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service::internal {

// One TenantPolicy per tenant record, with its quotas as guarantees per model of the fleet.
// A quota on a model the fleet does not hold guarantees nothing; each such quota adds a note
// ("tenant 'a': quota on 'x' ignored: no such model in the fleet") to `notes`.
std::vector<scheduler::TenantPolicy> MakeTenantPolicies(
    const scheduler::InventoryFleet& fleet, const std::vector<store::TenantRecord>& tenants,
    const std::vector<store::QuotaRecord>& quotas, std::vector<std::string>& notes);

// A pending or running job as the cycle sees it. Models the fleet does not hold are left out
// of its model set.
scheduler::CycleJob ToCycleJob(const store::JobRecord& job, const scheduler::InventoryFleet& fleet);

// True when the job names models, none of which the fleet holds: it can never run here (and
// ToCycleJob's empty model set would mean "any").
bool ModelsAbsent(const store::JobRecord& job, const scheduler::InventoryFleet& fleet);

// The pending reason of a job whose models are absent: "model: none of the job's models (a, b) is
// in the fleet", and when the rules keep them out, which and how many GPUs ("(192 quarantined
// by RULE)").
std::string ModelsAbsentReason(const store::JobRecord& job, const scheduler::InventoryFleet& fleet);

// The stored placements of a running job on the fleet, one per replica by replica number;
// the error message says why they cannot be: "node 'x' is no longer in the fleet".
Result<std::vector<Assignment>> ToAssignments(const store::JobRecord& job,
                                              const scheduler::InventoryFleet& fleet);

// The store's form of a cycle's placements: node names and GPU masks, by replica.
std::vector<store::Placement> ToPlacements(const std::vector<Assignment>& placements,
                                           const scheduler::InventoryFleet& fleet);

// The named placement policy (placement::PolicyNames) for one cycle. FGD measures
// fragmentation against a typical-task distribution; the service's is the shapes of the
// replicas the cycle sees, pending and running, as `gpufleet place` uses its batch's.
Result<std::unique_ptr<placement::Policy>> MakeCyclePolicy(
    const std::string& name, const std::vector<scheduler::CycleJob>& pending,
    const std::vector<scheduler::RunningJob>& running);

}  // namespace gpufleet::service::internal
