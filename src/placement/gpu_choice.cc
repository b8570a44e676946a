#include "placement/gpu_choice.h"

namespace gpufleet::placement {

uint32_t FirstFitGpus(const NodeState& node, const PodRequest& pod) {
  if (pod.cpu_only()) return 0;
  uint32_t mask = 0;
  int32_t taken = 0;
  for (int i = 0; i < node.gpu_count && taken < pod.gpu_count; ++i) {
    if (node.gpu_left[i] >= pod.gpu_milli) {
      mask |= uint32_t{1} << i;
      ++taken;
    }
  }
  return mask;
}

uint32_t BestFitGpus(const NodeState& node, const PodRequest& pod) {
  if (!pod.sharing()) return FirstFitGpus(node, pod);
  int best = -1;
  for (int i = 0; i < node.gpu_count; ++i) {
    if (node.gpu_left[i] >= pod.gpu_milli && (best < 0 || node.gpu_left[i] < node.gpu_left[best])) {
      best = i;
    }
  }
  return best < 0 ? 0 : uint32_t{1} << best;
}

uint32_t RandomFitGpus(const NodeState& node, const PodRequest& pod, Rng& rng) {
  if (!pod.sharing()) return FirstFitGpus(node, pod);
  int fitting[kMaxGpusPerNode];
  int n = 0;
  for (int i = 0; i < node.gpu_count; ++i) {
    if (node.gpu_left[i] >= pod.gpu_milli) fitting[n++] = i;
  }
  if (n == 0) return 0;
  return uint32_t{1} << fitting[rng.Uniform(n)];
}

}  // namespace gpufleet::placement
