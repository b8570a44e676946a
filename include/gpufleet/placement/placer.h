#pragma once
// A Placer owns a ClusterState and decides, with one Policy, where each pod goes. Two
// implementations make the same decisions: the linear scan (reference: every node scored)
// and the indexed placer (nodes grouped into classes of identical state, so a decision
// costs O(classes), not O(nodes)). tests/placement/placer_differential_test.cc holds them
// to that.
// Thread safety: none.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "gpufleet/model/cluster_state.h"
#include "gpufleet/placement/policy.h"

namespace gpufleet::placement {

// Ties between equal scores go to the node with the smallest rank.
class TieBreakOrder {
 public:
  // Rank = node index.
  static TieBreakOrder Identity(size_t nodes);
  // A seeded random permutation, as the reference simulator's per-run node name prefixes.
  static TieBreakOrder Shuffled(size_t nodes, uint64_t seed);
  // Nodes listed first to last; nodes not listed rank after all listed ones, by index.
  static TieBreakOrder FromOrder(size_t nodes, const std::vector<NodeId>& order);

  uint32_t rank(NodeId node) const { return rank_[node.value()]; }
  size_t size() const { return rank_.size(); }

 private:
  std::vector<uint32_t> rank_;
};

class Placer {
 public:
  virtual ~Placer() = default;
  // Where `pod` should go, or nullopt when no node fits. Does not change the state; may draw
  // from `rng` (Random policy, random GPU choice).
  virtual std::optional<Assignment> Decide(const PodRequest& pod, Rng& rng) = 0;
  // REQUIRES: state().CanBind(pod, a).
  virtual void Bind(const PodRequest& pod, const Assignment& a) = 0;
  virtual void Unbind(const PodRequest& pod, const Assignment& a) = 0;
  virtual const ClusterState& state() const = 0;

  // Decide + Bind.
  std::optional<Assignment> Place(const PodRequest& pod, Rng& rng);
  // All `count` replicas or none: on failure every replica already bound is unbound again.
  std::optional<std::vector<Assignment>> PlaceGang(const PodRequest& pod, int32_t count, Rng& rng);
};

// `policy` must outlive the placer.
std::unique_ptr<Placer> MakeLinearPlacer(ClusterState state, const Policy& policy,
                                         TieBreakOrder order);
std::unique_ptr<Placer> MakeIndexedPlacer(ClusterState state, const Policy& policy,
                                          TieBreakOrder order);

}  // namespace gpufleet::placement
