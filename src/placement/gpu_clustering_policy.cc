// GPU clustering: keep tasks of one kind (sharing, 1-, 2-, 4-, 8-GPU) together on the same
// nodes, and pack within a kind. CPU-only pods score 0 everywhere.

#include "gpufleet/model/cluster_state.h"
#include "placement/gpu_choice.h"
#include "placement/policies.h"

namespace gpufleet::placement {

namespace {

constexpr int64_t kTierWidth = 25;
constexpr int64_t kMaxGpuSpec = 8000;

class GpuClusteringPolicy final : public Policy {
 public:
  std::string_view name() const override { return "clustering"; }
  bool score_uses_affinity_tags() const override { return true; }

  int64_t Score(const NodeState& node, const PodRequest& pod) const override {
    if (pod.cpu_only()) return 0;
    const int tag = AffinityTag(pod);
    bool same = false;
    bool other = false;
    for (int t = 0; t < kAffinityTags; ++t) {
      if (node.tag_count[t] == 0) continue;
      (t == tag ? same : other) = true;
    }
    int64_t tier;
    if (same && !other) {
      tier = 3;
    } else if (same) {
      tier = 2;
    } else if (!other) {
      tier = 1;  // no GPU task yet
    } else {
      tier = 0;
    }
    const int64_t fullness = kTierWidth * (kMaxGpuSpec - node.gpu_left_total()) / kMaxGpuSpec;
    return tier * kTierWidth + fullness;
  }

  uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng&) const override {
    return BestFitGpus(node, pod);
  }
};

}  // namespace

std::unique_ptr<Policy> MakeGpuClusteringPolicy() {
  return std::make_unique<GpuClusteringPolicy>();
}

}  // namespace gpufleet::placement
