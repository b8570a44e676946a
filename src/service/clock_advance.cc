#include "gpufleet/service/clock_advance.h"

namespace gpufleet::service {

std::vector<int64_t> AdvanceClock(SimulatedClock& clock, const InventoryService* inventory,
                                  const RunPassFn& run_pass, int64_t by_ms, size_t max_stops) {
  const int64_t target = clock.NowMs() + by_ms;
  std::optional<int64_t> drain_end = run_pass();
  const auto next_after = [&](int64_t now) {
    std::optional<int64_t> next;
    if (inventory != nullptr) next = inventory->NextRuleEventAfter(now);
    if (drain_end && *drain_end > now && (!next || *drain_end < *next)) next = drain_end;
    return next;
  };
  std::vector<int64_t> stops;
  for (std::optional<int64_t> next = next_after(clock.NowMs());
       next && *next <= target && stops.size() < max_stops; next = next_after(clock.NowMs())) {
    clock.Advance(*next - clock.NowMs());
    drain_end = run_pass();
    stops.push_back(*next);
  }
  clock.Advance(target - clock.NowMs());
  run_pass();
  return stops;
}

}  // namespace gpufleet::service
