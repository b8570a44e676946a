// Random: a uniformly random feasible node and, for a sharing pod, a random GPU that fits.
// FirstFit: the first feasible node in tie-break order, first GPUs that fit.

#include "placement/gpu_choice.h"
#include "placement/policies.h"

namespace gpufleet::placement {

namespace {

class RandomPolicy final : public Policy {
 public:
  std::string_view name() const override { return "random"; }
  bool picks_uniformly() const override { return true; }
  int64_t Score(const NodeState&, const PodRequest&) const override { return 0; }
  uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng& rng) const override {
    return RandomFitGpus(node, pod, rng);
  }
};

class FirstFitPolicy final : public Policy {
 public:
  std::string_view name() const override { return "firstfit"; }
  int64_t Score(const NodeState&, const PodRequest&) const override { return 0; }
  uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng&) const override {
    return FirstFitGpus(node, pod);
  }
};

}  // namespace

std::unique_ptr<Policy> MakeRandomPolicy() { return std::make_unique<RandomPolicy>(); }
std::unique_ptr<Policy> MakeFirstFitPolicy() { return std::make_unique<FirstFitPolicy>(); }

}  // namespace gpufleet::placement
