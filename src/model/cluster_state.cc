#include "gpufleet/model/cluster_state.h"

#include <bit>

#include "model/dcheck.h"

namespace gpufleet {

int AffinityTag(const PodRequest& pod) { return pod.sharing() ? 0 : pod.gpu_count; }

int32_t NodeState::gpu_left_total() const {
  int32_t total = 0;
  for (int i = 0; i < gpu_count; ++i) total += gpu_left[i];
  return total;
}

int32_t NodeState::full_free_gpus() const {
  int32_t n = 0;
  for (int i = 0; i < gpu_count; ++i) n += gpu_left[i] == kMilliPerGpu;
  return n;
}

ClusterState::ClusterState(const Fleet& fleet, Zones zones) {
  nodes_.reserve(fleet.nodes().size());
  for (const NodeSpec& spec : fleet.nodes()) {
    NodeState n;
    n.model = spec.gpu_model;
    n.zone = zones == Zones::kSite ? spec.site.value() : 0;
    n.gpu_count = spec.gpu_count;
    n.cpu_capacity = n.cpu_left = spec.cpu_milli;
    n.memory_capacity = n.memory_left = spec.memory_mib;
    for (int i = 0; i < spec.gpu_count; ++i) n.gpu_left[i] = kMilliPerGpu;
    gpu_capacity_milli_ += int64_t{spec.gpu_count} * kMilliPerGpu;
    nodes_.push_back(n);
  }
}

bool ClusterState::CanBind(const PodRequest& pod, const Assignment& a) const {
  if (a.node.value() >= nodes_.size()) return false;
  const NodeState& n = nodes_[a.node.value()];
  if (pod.cpu_milli > n.cpu_left || pod.memory_mib > n.memory_left) return false;
  if (pod.cpu_only()) return a.gpu_mask == 0;
  if (std::popcount(a.gpu_mask) != pod.gpu_count) return false;
  if (a.gpu_mask >> n.gpu_count) return false;
  for (int i = 0; i < n.gpu_count; ++i) {
    if ((a.gpu_mask >> i & 1) && n.gpu_left[i] < pod.gpu_milli) return false;
  }
  return true;
}

void ClusterState::Bind(const PodRequest& pod, const Assignment& a) {
  GPUFLEET_DCHECK(CanBind(pod, a));
  NodeState& n = nodes_[a.node.value()];
  n.cpu_left -= pod.cpu_milli;
  n.memory_left -= pod.memory_mib;
  if (pod.cpu_only()) return;
  for (int i = 0; i < n.gpu_count; ++i) {
    if (a.gpu_mask >> i & 1) n.gpu_left[i] -= pod.gpu_milli;
  }
  ++n.tag_count[AffinityTag(pod)];
  gpu_allocated_milli_ += pod.total_gpu_milli();
}

void ClusterState::Unbind(const PodRequest& pod, const Assignment& a) {
  NodeState& n = nodes_[a.node.value()];
  n.cpu_left += pod.cpu_milli;
  n.memory_left += pod.memory_mib;
  GPUFLEET_DCHECK(n.cpu_left <= n.cpu_capacity && n.memory_left <= n.memory_capacity);
  if (pod.cpu_only()) return;
  for (int i = 0; i < n.gpu_count; ++i) {
    if (a.gpu_mask >> i & 1) n.gpu_left[i] += pod.gpu_milli;
    GPUFLEET_DCHECK(n.gpu_left[i] <= kMilliPerGpu);
  }
  GPUFLEET_DCHECK(n.tag_count[AffinityTag(pod)] > 0);
  --n.tag_count[AffinityTag(pod)];
  gpu_allocated_milli_ -= pod.total_gpu_milli();
}

}  // namespace gpufleet
