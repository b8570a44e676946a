// DotProd (Tetris-style), the paper's "merge" + "max" configuration: the dot product of the
// node's free (CPU, GPU) vector before placement with the pod's demand vector; a smaller
// product scores higher, so the policy packs onto fuller nodes.

#include "placement/gpu_choice.h"
#include "placement/policies.h"

namespace gpufleet::placement {

namespace {

class DotProductPolicy final : public Policy {
 public:
  std::string_view name() const override { return "dotprod"; }

  int64_t Score(const NodeState& node, const PodRequest& pod) const override {
    const double dot = static_cast<double>(node.cpu_left) / kMaxCpuSpecMilli *
                           (static_cast<double>(pod.cpu_milli) / kMaxCpuSpecMilli) +
                       static_cast<double>(node.gpu_left_total()) / kMaxGpuSpecMilli *
                           (static_cast<double>(pod.total_gpu_milli()) / kMaxGpuSpecMilli);
    return static_cast<int64_t>(100 * (1 - dot / 2));
  }

  uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng&) const override {
    return BestFitGpus(node, pod);
  }
};

}  // namespace

std::unique_ptr<Policy> MakeDotProductPolicy() { return std::make_unique<DotProductPolicy>(); }

}  // namespace gpufleet::placement
