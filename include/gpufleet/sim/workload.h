#pragma once
// Building the arrival sequence of a saturation run: the FGD paper's workload tuning
// (fgd-experiment.md, "Workload generation").

#include <cstdint>
#include <vector>

#include "gpufleet/codec/alibaba_trace.h"
#include "gpufleet/placement/policy.h"

namespace gpufleet::sim {

// Arrival order (indexes into `pods`) for one seed: the pods shuffled, then, while the total
// GPU request is below `target_milli`, pods drawn with replacement are appended until the
// next draw would overshoot; above the target, random pods are removed until it is met.
std::vector<size_t> TunedArrivals(const std::vector<codec::TracePod>& pods, int64_t target_milli,
                                  uint64_t seed);

// The trace's pod shapes, for FGD's typical-task distribution.
std::vector<placement::TraceShape> TraceShapes(const std::vector<codec::TracePod>& pods);

}  // namespace gpufleet::sim
