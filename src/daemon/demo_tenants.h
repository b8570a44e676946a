#pragma once
// The demo's tenants, so that `make run` has someone to schedule for: three internal teams
// of "acme" (LLM training, chat inference, ads and recommendation) with guaranteed GPUs of the
// fleet's two largest placeable models, and one external resale customer with none (it only
// borrows, under the resale cap).

#include <cstdint>

#include "gpufleet/service/fleet_context.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::daemon {

// Creates the demo tenants and quotas when the store has no tenant yet; otherwise leaves the
// store alone (a restart keeps what the user changed).
Status SeedDemoTenants(store::Store& store, const service::FleetContext& ctx, int64_t now_ms);

}  // namespace gpufleet::daemon
