#include "gpufleet/service/clock.h"

namespace gpufleet::service {

int64_t SystemClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SimulatedClock::SimulatedClock(int64_t start_ms, double speedup)
    : start_ms_(start_ms), speedup_(speedup), started_(std::chrono::steady_clock::now()) {}

int64_t SimulatedClock::NowMs() const {
  const double real_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
          .count();
  return start_ms_ + static_cast<int64_t>(real_ms * speedup_) + advanced_ms_.load();
}

void SimulatedClock::Advance(int64_t ms) {
  if (ms > 0) advanced_ms_.fetch_add(ms);
}

}  // namespace gpufleet::service
