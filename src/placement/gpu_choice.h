#pragma once
// GPU choice inside the node a policy picked. REQUIRES for all: Fits(node, pod).

#include <cstdint>

#include "gpufleet/model/cluster_state.h"
#include "gpufleet/model/rng.h"

namespace gpufleet::placement {

// The first gpu_count GPUs by index with room for the pod: for whole-GPU pods, the first
// fully free ones. CPU-only pods: none.
uint32_t FirstFitGpus(const NodeState& node, const PodRequest& pod);
// Sharing pods: the GPU with the least remaining milli that still fits (ties: lowest index);
// other pods: FirstFitGpus.
uint32_t BestFitGpus(const NodeState& node, const PodRequest& pod);
// Sharing pods: a uniformly random GPU among those that fit; other pods: FirstFitGpus.
uint32_t RandomFitGpus(const NodeState& node, const PodRequest& pod, Rng& rng);

}  // namespace gpufleet::placement
