#pragma once
// Equivalence classes of nodes for the indexed placer. Two nodes are in one class when every
// policy's filter (memory aside) and score treat them alike: same GPU model and count, same
// CPU left, same multiset of GPU milli left and, for policies that read them, the same set of
// resident affinity tags. Memory differs within a class and is checked per member.

#include <array>
#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "gpufleet/model/cluster_state.h"

namespace gpufleet::placement {

struct NodeClassKey {
  int64_t cpu_left = 0;
  std::array<int32_t, kMaxGpusPerNode> gpu_left_sorted{};  // descending
  uint32_t tag_mask = 0;
  uint16_t model = 0;
  uint32_t zone = 0;
  int32_t gpu_count = 0;

  static NodeClassKey Of(const NodeState& node, bool with_tags);
  friend bool operator==(const NodeClassKey&, const NodeClassKey&) = default;
};

struct NodeClassKeyHash {
  size_t operator()(const NodeClassKey& k) const;
};

struct NodeClass {
  NodeClassKey key;
  // A node with the class's state and unlimited memory: what filters and scores see.
  NodeState representative;
  // Members as (rank << 32 | node index), so iteration runs in tie-break order.
  std::set<uint64_t> members;
  uint32_t live_position = 0;  // index into the placer's list of live classes
  // Bumped when the class retires, so references to the old class in a reused slot are stale.
  uint32_t generation = 0;
};

}  // namespace gpufleet::placement
