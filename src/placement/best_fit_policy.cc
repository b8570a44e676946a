// BestFit: prefer the node left with the least free CPU and GPU after placement.

#include "placement/gpu_choice.h"
#include "placement/policies.h"

namespace gpufleet::placement {

namespace {

class BestFitPolicy final : public Policy {
 public:
  std::string_view name() const override { return "bestfit"; }

  int64_t Score(const NodeState& node, const PodRequest& pod) const override {
    // The reference truncates the raw score before min-max normalising over the candidates;
    // normalisation is monotone, so the truncated raw score ranks nodes the same way.
    double s = 0;
    s += static_cast<double>(node.cpu_left - pod.cpu_milli) / kMaxCpuSpecMilli * 0.5;
    s +=
        static_cast<double>(node.gpu_left_total() - pod.total_gpu_milli()) / kMaxGpuSpecMilli * 0.5;
    return static_cast<int64_t>((1 - s) * 100);
  }

  uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng&) const override {
    return BestFitGpus(node, pod);
  }
};

}  // namespace

std::unique_ptr<Policy> MakeBestFitPolicy() { return std::make_unique<BestFitPolicy>(); }

}  // namespace gpufleet::placement
