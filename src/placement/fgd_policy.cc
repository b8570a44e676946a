// FGD (fragmentation gradient descent, Weng et al., ATC'23): place the pod where it grows the
// node's expected fragmentation least. Score = trunc(100 * sigmoid((F_before - F_after) /
// 1000)); for a sharing pod every GPU with room is tried and the best truncated score (first
// GPU on ties) is both the node's score and the GPU the pod gets.

#include <algorithm>
#include <cmath>

#include "gpufleet/placement/fragmentation.h"
#include "placement/gpu_choice.h"
#include "placement/policies.h"

namespace gpufleet::placement {

namespace {

constexpr int64_t kScoreScale = 100;
constexpr double kMilliPerGpuDouble = 1000.0;

int64_t SigmoidScore(double f_before, double f_after) {
  const double x = (f_before - f_after) / kMilliPerGpuDouble;
  return static_cast<int64_t>(kScoreScale * (1.0 / (1.0 + std::exp(-x))));
}

class FgdPolicy final : public Policy {
 public:
  explicit FgdPolicy(std::vector<TypicalTask> tasks) : tasks_(std::move(tasks)) {}
  std::string_view name() const override { return "fgd"; }

  int64_t Score(const NodeState& node, const PodRequest& pod) const override {
    return Evaluate(node, pod).score;
  }

  uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng&) const override {
    if (pod.sharing()) return uint32_t{1} << Evaluate(node, pod).gpu;
    return FirstFitGpus(node, pod);
  }

 private:
  struct Evaluation {
    int64_t score;
    int gpu;  // sharing pods: the GPU that achieved the score
  };

  Evaluation Evaluate(const NodeState& node, const PodRequest& pod) const {
    if (pod.cpu_milli == 0 && pod.total_gpu_milli() == 0) return {kScoreScale, 0};
    const double before = NodeFragmentation(node, tasks_);
    NodeState trial = node;
    trial.cpu_left -= pod.cpu_milli;
    if (pod.sharing()) {
      Evaluation best{-1, 0};
      // F depends on the multiset of leftovers only, so GPUs with equal room score alike and
      // the first of them wins the tie: try each distinct leftover once.
      int32_t tried[kMaxGpusPerNode];
      int n_tried = 0;
      for (int i = 0; i < node.gpu_count; ++i) {
        if (node.gpu_left[i] < pod.gpu_milli) continue;
        if (std::find(tried, tried + n_tried, node.gpu_left[i]) != tried + n_tried) continue;
        tried[n_tried++] = node.gpu_left[i];
        trial.gpu_left[i] -= pod.gpu_milli;
        const int64_t s = SigmoidScore(before, NodeFragmentation(trial, tasks_));
        trial.gpu_left[i] += pod.gpu_milli;
        if (s > best.score) best = {s, i};
      }
      return best;
    }
    if (!pod.cpu_only()) {
      // Hypothetically take the gpu_count GPUs with the least sufficient room; only the
      // multiset of leftovers matters to F.
      int order[kMaxGpusPerNode];
      for (int i = 0; i < node.gpu_count; ++i) order[i] = i;
      std::stable_sort(order, order + node.gpu_count,
                       [&](int a, int b) { return node.gpu_left[a] < node.gpu_left[b]; });
      int32_t taken = 0;
      for (int j = 0; j < node.gpu_count && taken < pod.gpu_count; ++j) {
        if (node.gpu_left[order[j]] >= pod.gpu_milli) {
          trial.gpu_left[order[j]] -= pod.gpu_milli;
          ++taken;
        }
      }
    }
    return {SigmoidScore(before, NodeFragmentation(trial, tasks_)), 0};
  }

  std::vector<TypicalTask> tasks_;
};

}  // namespace

std::unique_ptr<Policy> MakeFgdPolicy(std::vector<TypicalTask> typical_tasks) {
  return std::make_unique<FgdPolicy>(std::move(typical_tasks));
}

}  // namespace gpufleet::placement
