#include <numeric>

#include "gpufleet/placement/placer.h"

namespace gpufleet::placement {

TieBreakOrder TieBreakOrder::Identity(size_t nodes) {
  TieBreakOrder o;
  o.rank_.resize(nodes);
  std::iota(o.rank_.begin(), o.rank_.end(), 0u);
  return o;
}

TieBreakOrder TieBreakOrder::Shuffled(size_t nodes, uint64_t seed) {
  TieBreakOrder o = Identity(nodes);
  Rng rng(seed);
  rng.Shuffle(o.rank_);
  return o;
}

TieBreakOrder TieBreakOrder::FromOrder(size_t nodes, const std::vector<NodeId>& order) {
  constexpr uint32_t kUnranked = UINT32_MAX;
  TieBreakOrder o;
  o.rank_.assign(nodes, kUnranked);
  uint32_t next = 0;
  for (NodeId id : order) {
    if (id.value() < nodes && o.rank_[id.value()] == kUnranked) o.rank_[id.value()] = next++;
  }
  for (uint32_t& r : o.rank_) {
    if (r == kUnranked) r = next++;
  }
  return o;
}

}  // namespace gpufleet::placement
