#pragma once
// The service's notion of now, in milliseconds since the Unix epoch. Everything in gpufleetd
// that stamps or compares times (submissions, job ends, events) reads one Clock, so tests and
// the benchmark can run time faster than real time (SimulatedClock) without sleeping.
// Thread safety: NowMs and Advance may be called concurrently.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gpufleet::service {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
};

// Starts at `start_ms` and runs `speedup` times faster than the wall clock (0 = stands still
// until advanced); Advance moves it forward at once. Never goes backwards.
class SimulatedClock final : public Clock {
 public:
  SimulatedClock(int64_t start_ms, double speedup);
  int64_t NowMs() const override;
  void Advance(int64_t ms);
  // Stands still until advanced.
  bool paused() const { return speedup_ == 0; }

 private:
  const int64_t start_ms_;
  const double speedup_;
  const std::chrono::steady_clock::time_point started_;
  std::atomic<int64_t> advanced_ms_{0};
};

}  // namespace gpufleet::service
