// The reference placer: filter and score every node. O(nodes) per decision; the indexed
// placer must make exactly the decisions this one makes.

#include <algorithm>

#include "gpufleet/placement/placer.h"

namespace gpufleet::placement {

namespace {

class LinearPlacer final : public Placer {
 public:
  LinearPlacer(ClusterState state, const Policy& policy, TieBreakOrder order)
      : state_(std::move(state)), policy_(policy), order_(std::move(order)) {}

  std::optional<Assignment> Decide(const PodRequest& pod, Rng& rng) override {
    const auto& nodes = state_.nodes();
    std::optional<NodeId> best;
    if (policy_.picks_uniformly()) {
      std::vector<std::pair<uint32_t, uint32_t>> feasible;  // (rank, node)
      for (uint32_t i = 0; i < nodes.size(); ++i) {
        if (Fits(nodes[i], pod)) feasible.emplace_back(order_.rank(NodeId(i)), i);
      }
      if (feasible.empty()) return std::nullopt;
      const size_t k = rng.Uniform(feasible.size());
      std::nth_element(feasible.begin(), feasible.begin() + k, feasible.end());
      best = NodeId(feasible[k].second);
    } else {
      int64_t best_score = 0;
      uint32_t best_rank = 0;
      for (uint32_t i = 0; i < nodes.size(); ++i) {
        if (!Fits(nodes[i], pod)) continue;
        const int64_t s = policy_.Score(nodes[i], pod);
        const uint32_t r = order_.rank(NodeId(i));
        if (!best || s > best_score || (s == best_score && r < best_rank)) {
          best = NodeId(i);
          best_score = s;
          best_rank = r;
        }
      }
      if (!best) return std::nullopt;
    }
    return Assignment{*best, policy_.ChooseGpus(state_.node(*best), pod, rng)};
  }

  void Bind(const PodRequest& pod, const Assignment& a) override { state_.Bind(pod, a); }
  void Unbind(const PodRequest& pod, const Assignment& a) override { state_.Unbind(pod, a); }
  const ClusterState& state() const override { return state_; }

 private:
  ClusterState state_;
  const Policy& policy_;
  TieBreakOrder order_;
};

}  // namespace

std::unique_ptr<Placer> MakeLinearPlacer(ClusterState state, const Policy& policy,
                                         TieBreakOrder order) {
  return std::make_unique<LinearPlacer>(std::move(state), policy, std::move(order));
}

}  // namespace gpufleet::placement
