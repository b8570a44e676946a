#pragma once
// Moving a paused simulated clock (gpufleetd --sim-speed 0) so that everything due on the way
// acts at its own time, in order (docs/service.md, "Rules that change while the fleet runs"):
// the move stops at each instant the rules' verdicts may change (a rule change taking effect,
// a licence becoming valid, expiring or revoked, a rule's first day:
// InventoryService::NextRuleEventAfter) and each draining job's grace period's end, and runs
// a scheduling pass there; then at the target. POST /v1/admin/clock/advance, and the tests
// that drive the scheduler the same way, call it.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "gpufleet/service/clock.h"
#include "gpufleet/service/inventory_service.h"

namespace gpufleet::service {

// Runs one scheduling pass at the clock's now; returns the earliest end of a draining job's
// grace period after it (PassReport::next_drain_end_ms), nullopt when none drains.
using RunPassFn = std::function<std::optional<int64_t>()>;

// Moves `clock` forward by `by_ms` (>= 0), running `run_pass` first (where the scheduler
// stands), at each stop on the way and at the target. `inventory` may be null (no rule
// events). Stops at most `max_stops` times on the way; the instants stopped at, in order.
std::vector<int64_t> AdvanceClock(SimulatedClock& clock, const InventoryService* inventory,
                                  const RunPassFn& run_pass, int64_t by_ms, size_t max_stops);

}  // namespace gpufleet::service
