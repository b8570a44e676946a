#pragma once
// Bounds on WorkloadSpec fields, shared by validation and generation. Each sits far beyond any
// experiment we run; past it a typo is likelier than intent, or memory and int64 time overflow.

#include <cstdint>

namespace gpufleet::synth {

// About 4 GB of TracePods.
inline constexpr int64_t kMaxJobs = 20'000'000;
// A workload a hundred times the fleet is already a deep backlog.
inline constexpr double kMaxTargetGpuFraction = 100.0;
// One job a ~12 days .. a million jobs a second; keeps the arrival clock within int64 seconds.
inline constexpr double kMinArrivalRatePerS = 1e-6;
inline constexpr double kMaxArrivalRatePerS = 1e6;
// Ten years; also the clamp on single drawn durations, so a log-normal tail stays finite.
inline constexpr double kMaxDurationS = 10 * 365 * 24 * 3600.0;
// Beyond this the log-normal's mean is carried by a handful of astronomically long jobs.
inline constexpr double kMaxLogNormalSigma = 4.0;

}  // namespace gpufleet::synth
