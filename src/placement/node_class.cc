#include "placement/node_class.h"

#include <algorithm>
#include <limits>

namespace gpufleet::placement {

NodeClassKey NodeClassKey::Of(const NodeState& node, bool with_tags) {
  NodeClassKey k;
  k.cpu_left = node.cpu_left;
  k.model = node.model.value();
  k.zone = node.zone;
  k.gpu_count = node.gpu_count;
  std::copy(node.gpu_left.begin(), node.gpu_left.begin() + node.gpu_count,
            k.gpu_left_sorted.begin());
  std::sort(k.gpu_left_sorted.begin(), k.gpu_left_sorted.begin() + node.gpu_count,
            std::greater<>());
  if (with_tags) {
    for (int t = 0; t < kAffinityTags; ++t) {
      if (node.tag_count[t] > 0) k.tag_mask |= uint32_t{1} << t;
    }
  }
  return k;
}

size_t NodeClassKeyHash::operator()(const NodeClassKey& k) const {
  // FNV-1a over the fields that vary.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](uint64_t v) {
    h ^= v;
    h *= 1099511628211ULL;
  };
  mix(static_cast<uint64_t>(k.cpu_left));
  mix(k.tag_mask);
  mix(k.model);
  mix(k.zone);
  mix(static_cast<uint64_t>(k.gpu_count));
  for (int i = 0; i < k.gpu_count; ++i) mix(static_cast<uint64_t>(k.gpu_left_sorted[i]));
  return h;
}

}  // namespace gpufleet::placement
