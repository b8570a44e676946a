// GPU packing, three tiers: fill partially used GPUs first, then partially used nodes, then
// fresh nodes, smallest first. CPU-only pods score 0 everywhere (tie-break order decides).

#include <algorithm>

#include "placement/gpu_choice.h"
#include "placement/policies.h"

namespace gpufleet::placement {

namespace {

constexpr int64_t kTierA = 100;  // fits on already-used GPUs: 50..100
constexpr int64_t kTierAFloor = 50;
constexpr int64_t kTierB = 50;  // node in use, needs fresh GPUs: 33..50
constexpr int64_t kTierBFloor = 33;
constexpr int64_t kTierC = 33;  // idle node: 33 - GPUs, at least the GPU count

class GpuPackingPolicy final : public Policy {
 public:
  std::string_view name() const override { return "packing"; }

  int64_t Score(const NodeState& node, const PodRequest& pod) const override {
    if (pod.cpu_only()) return 0;
    if (node.idle_gpus()) {
      return std::max<int64_t>(kTierC - node.gpu_count, node.gpu_count);
    }
    // Partially used GPUs with room, fullest first.
    int32_t partial[kMaxGpusPerNode];
    int n = 0;
    for (int i = 0; i < node.gpu_count; ++i) {
      if (node.gpu_left[i] < kMilliPerGpu && node.gpu_left[i] >= pod.gpu_milli) {
        partial[n++] = node.gpu_left[i];
      }
    }
    if (n >= pod.gpu_count) {
      std::sort(partial, partial + n);
      int64_t free_pct_sum = 0;  // each GPU's free share in percent
      for (int i = 0; i < pod.gpu_count; ++i) free_pct_sum += partial[i] * 100 / kMilliPerGpu;
      return std::max(kTierAFloor, kTierA - free_pct_sum / 10);
    }
    const int64_t fresh_needed = pod.gpu_count - n;
    return std::max(kTierBFloor, kTierB - fresh_needed);
  }

  uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng&) const override {
    return BestFitGpus(node, pod);
  }
};

}  // namespace

std::unique_ptr<Policy> MakeGpuPackingPolicy() { return std::make_unique<GpuPackingPolicy>(); }

}  // namespace gpufleet::placement
