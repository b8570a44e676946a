#include "gpufleet/placement/policy.h"

namespace gpufleet::placement {

bool Fits(const NodeState& node, const PodRequest& pod) {
  if (pod.cpu_milli > node.cpu_left || pod.memory_mib > node.memory_left) return false;
  // Before the CPU-only shortcut: a zone filter (data residency, say) binds every pod.
  if (pod.zones && !pod.zones->Allows(node.zone, node.model)) return false;
  // The GPU filter is skipped for pods with no GPU milli (the reference simulator's rule).
  if (pod.cpu_only()) return true;
  if (node.gpu_count == 0 || !pod.allowed_models.Allows(node.model)) return false;
  int32_t fitting = 0;
  for (int i = 0; i < node.gpu_count; ++i) fitting += node.gpu_left[i] >= pod.gpu_milli;
  return fitting >= pod.gpu_count;
}

}  // namespace gpufleet::placement
