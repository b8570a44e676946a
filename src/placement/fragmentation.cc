#include "gpufleet/placement/fragmentation.h"

namespace gpufleet::placement {

namespace {
// Accumulator slots, in the reference's index order. The order of the final sum matters.
enum Slot { kLackBoth, kLackGpu, kSatisfied, kLackCpu, kCpuOnlyOk, kCpuOnlyLackCpu, kNoAccess };
}  // namespace

double NodeFragmentation(const NodeState& node, const std::vector<TypicalTask>& tasks) {
  double acc[7] = {0, 0, 0, 0, 0, 0, 0};
  const int32_t idle = node.gpu_left_total();
  for (const TypicalTask& t : tasks) {
    const PodRequest& m = t.pod;
    const bool cpu_ok = node.cpu_left >= m.cpu_milli;
    if (m.cpu_only()) {
      // A CPU-only task can never use idle GPUs: all of them are fragment for it.
      acc[cpu_ok ? kCpuOnlyOk : kCpuOnlyLackCpu] += t.probability * static_cast<double>(idle);
      continue;
    }
    if (node.gpu_count == 0 || !m.allowed_models.Allows(node.model)) {
      acc[kNoAccess] += t.probability * static_cast<double>(idle);
      continue;
    }
    int32_t fitting = 0;
    int32_t too_small = 0;  // idle milli on GPUs whose leftover is below the task's share
    for (int i = 0; i < node.gpu_count; ++i) {
      if (node.gpu_left[i] >= m.gpu_milli) {
        ++fitting;
      } else {
        too_small += node.gpu_left[i];
      }
    }
    const bool gpu_ok = fitting >= m.gpu_count;
    if (gpu_ok && cpu_ok) {
      acc[kLackGpu] += t.probability * static_cast<double>(too_small);
      acc[kSatisfied] += t.probability * static_cast<double>(idle - too_small);
    } else if (!gpu_ok && !cpu_ok) {
      acc[kLackBoth] += t.probability * static_cast<double>(idle);
    } else if (!gpu_ok) {
      acc[kLackGpu] += t.probability * static_cast<double>(idle);
    } else {
      acc[kLackCpu] += t.probability * static_cast<double>(idle);
    }
  }
  double f = 0.0;
  for (Slot s : {kLackBoth, kLackGpu, kLackCpu, kCpuOnlyOk, kCpuOnlyLackCpu, kNoAccess}) {
    f += acc[s];
  }
  return f;
}

}  // namespace gpufleet::placement
