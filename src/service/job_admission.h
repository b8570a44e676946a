#pragma once
// Whether a submitted job could ever run, decided at POST /v1/jobs so that a job the fleet can
// never hold is refused with the reason (422) instead of pending forever with a reason nobody
// reads. "Ever" means on the empty fleet: what other jobs hold is the scheduler's business.

#include <string>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {

// OK, or InvalidArgument saying why `spec` never fits: a replica wider than any node of the
// models it accepts, more GPUs in all than those models have, no node with the CPU and memory
// of one replica, or (with `tenant`, the job's tenant) no site where the rules let the
// tenant's organisation use enough of them for all replicas at once (a gang runs within one
// site; see scheduler/gang_placer.h).
Status CheckCanEverRun(const ApiState& state, const store::JobSpec& spec,
                       const store::TenantRecord* tenant);

}  // namespace gpufleet::service::v1
