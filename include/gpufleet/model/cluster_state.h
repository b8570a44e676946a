#pragma once
// The mutable capacity picture of a fleet: per node, CPU and memory left and each GPU's
// remaining milli-GPU, so fractional sharing works. Placement reads it; only Bind/Unbind
// change it, and both keep every quantity within [0, capacity].
// Thread safety: none; one writer at a time.

#include <array>
#include <cstdint>
#include <vector>

#include "gpufleet/model/fleet.h"
#include "gpufleet/model/job.h"

namespace gpufleet {

// Resident GPU tasks are tagged by kind for GPU-clustering: tag 0 = sharing task, tag k =
// task of k whole GPUs.
inline constexpr int kAffinityTags = kMaxGpusPerNode + 1;
int AffinityTag(const PodRequest& pod);

struct NodeState {
  ChipModelId model;
  uint32_t zone = 0;  // see PodRequest::zones; 0 unless the state was built with zones
  int32_t gpu_count = 0;
  int64_t cpu_capacity = 0;
  int64_t cpu_left = 0;
  int64_t memory_capacity = 0;
  int64_t memory_left = 0;
  std::array<int32_t, kMaxGpusPerNode> gpu_left{};  // milli left per GPU, index < gpu_count
  std::array<uint16_t, kAffinityTags> tag_count{};  // resident GPU tasks per affinity tag

  int32_t gpu_left_total() const;
  int32_t full_free_gpus() const;
  bool idle_gpus() const { return gpu_left_total() == gpu_count * kMilliPerGpu; }
};

// Where one replica went: a node and the GPUs (bit i = GPU index i) it uses, each by
// pod.gpu_milli.
struct Assignment {
  NodeId node;
  uint32_t gpu_mask = 0;
  friend bool operator==(const Assignment&, const Assignment&) = default;
};

// How nodes are put in zones (NodeState::zone). kNone keeps every node in zone 0, so nodes
// of different sites that look alike are one class for the indexed placer; kSite makes each
// site its own zone (zone = SiteId), for pods with a ZoneFilter.
enum class Zones : uint8_t { kNone, kSite };

class ClusterState {
 public:
  explicit ClusterState(const Fleet& fleet, Zones zones = Zones::kNone);

  size_t size() const { return nodes_.size(); }
  const NodeState& node(NodeId id) const { return nodes_[id.value()]; }
  const std::vector<NodeState>& nodes() const { return nodes_; }

  // Whether `pod` can go on `a`: CPU, memory and each chosen GPU have room.
  bool CanBind(const PodRequest& pod, const Assignment& a) const;
  // REQUIRES: CanBind(pod, a).
  void Bind(const PodRequest& pod, const Assignment& a);
  // REQUIRES: `pod` was bound at `a` and not unbound since.
  void Unbind(const PodRequest& pod, const Assignment& a);

  int64_t gpu_capacity_milli() const { return gpu_capacity_milli_; }
  int64_t gpu_allocated_milli() const { return gpu_allocated_milli_; }

 private:
  std::vector<NodeState> nodes_;
  int64_t gpu_capacity_milli_ = 0;
  int64_t gpu_allocated_milli_ = 0;
};

}  // namespace gpufleet
