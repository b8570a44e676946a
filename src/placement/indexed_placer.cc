// The indexed placer: nodes are grouped into classes of identical state (node_class.h), so a
// decision filters and scores each class once instead of each node, and a class's score for
// a pod shape is cached for as long as the class exists. Within the best-scoring classes the
// winner is the lowest-ranked member with enough memory, exactly as the linear scan finds it.
//
// A class's state never changes (a node whose state changes moves to another class), so its
// score for a pod shape is fixed for the class's lifetime. Each pod shape therefore keeps its
// feasible classes bucketed by score (ShapeIndex); a decision looks at the top bucket only,
// going lower only when memory rules out every member above. Classes born since the shape's
// last decision are read from a birth log; classes that died are dropped when met. At scale
// most classes are single nodes that die within a few decisions (the node just chosen is
// usually chosen again), so a decision touches a few dozen classes instead of every one.

#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <unordered_map>

#include "gpufleet/placement/placer.h"
#include "placement/node_class.h"

namespace gpufleet::placement {

namespace {

// Everything a score may depend on: memory is not part of any score.
struct ShapeKey {
  int64_t cpu_milli;
  int32_t gpu_count;
  int32_t gpu_milli;
  uint64_t models;
  const ZoneFilter* zones;
  friend bool operator==(const ShapeKey&, const ShapeKey&) = default;
};
struct ShapeKeyHash {
  size_t operator()(const ShapeKey& k) const {
    return std::hash<int64_t>{}(k.cpu_milli) * 31 + std::hash<uint64_t>{}(k.models) * 17 +
           std::hash<const ZoneFilter*>{}(k.zones) * 13 + static_cast<size_t>(k.gpu_count) * 7 +
           static_cast<size_t>(k.gpu_milli);
  }
};

// One pod shape's feasible classes by score, best first. Entries name a class slot and the
// slot's generation, so an entry for a retired class is recognised and dropped.
struct ClassRef {
  uint32_t slot;
  uint32_t generation;
};
struct ShapeIndex {
  bool built = false;
  uint64_t log_cursor = 0;  // births before this (global position) are in `buckets`
  size_t entries = 0;       // including dead ones, to know when to rebuild
  std::map<int64_t, std::vector<ClassRef>, std::greater<>> buckets;
};

class IndexedPlacer final : public Placer {
 public:
  IndexedPlacer(ClusterState state, const Policy& policy, TieBreakOrder order)
      : state_(std::move(state)),
        policy_(policy),
        order_(std::move(order)),
        with_tags_(policy.score_uses_affinity_tags()),
        class_of_(state_.size()) {
    for (uint32_t i = 0; i < state_.size(); ++i) Join(i);
  }

  std::optional<Assignment> Decide(const PodRequest& pod, Rng& rng) override {
    const std::optional<NodeId> node =
        policy_.picks_uniformly() ? DecideUniform(pod, rng) : DecideBest(pod);
    if (!node) return std::nullopt;
    return Assignment{*node, policy_.ChooseGpus(state_.node(*node), pod, rng)};
  }

  void Bind(const PodRequest& pod, const Assignment& a) override {
    Leave(a.node.value());
    state_.Bind(pod, a);
    Join(a.node.value());
  }

  void Unbind(const PodRequest& pod, const Assignment& a) override {
    Leave(a.node.value());
    state_.Unbind(pod, a);
    Join(a.node.value());
  }

  const ClusterState& state() const override { return state_; }

 private:
  static constexpr uint32_t kNoClass = UINT32_MAX;

  uint64_t Member(uint32_t node) const { return uint64_t{order_.rank(NodeId(node))} << 32 | node; }

  // The first member in tie-break order with at least `memory_mib` left and rank below
  // `rank_limit`, as a Member() value; or nullopt.
  std::optional<uint64_t> FirstWithMemory(const NodeClass& c, int64_t memory_mib,
                                          uint64_t member_limit) const {
    for (uint64_t m : c.members) {
      if (m >= member_limit) return std::nullopt;
      if (state_.nodes()[m & UINT32_MAX].memory_left >= memory_mib) return m;
    }
    return std::nullopt;
  }

  bool Alive(ClassRef r) const {
    return classes_[r.slot].generation == r.generation && !classes_[r.slot].members.empty();
  }

  // Adds class `r` to `index` when it can take `pod`.
  void Insert(ShapeIndex& index, ClassRef r, const PodRequest& pod) {
    NodeClass& c = classes_[r.slot];
    if (!Fits(c.representative, pod)) return;
    index.buckets[policy_.Score(c.representative, pod)].push_back(r);
    ++index.entries;
  }

  // Brings the shape's index up to date with the classes born since it last looked; builds it
  // from every live class the first time and whenever dead entries outnumber live ones.
  ShapeIndex& Refresh(uint32_t shape, const PodRequest& pod) {
    if (indexes_.size() <= shape) indexes_.resize(shape + 1);
    ShapeIndex& index = indexes_[shape];
    const uint64_t log_end = log_base_ + births_.size();
    if (!index.built || index.log_cursor < log_base_ || index.entries > 2 * live_.size() + 64) {
      index.buckets.clear();
      index.entries = 0;
      for (uint32_t ci : live_) Insert(index, {ci, classes_[ci].generation}, pod);
      index.built = true;
    } else {
      for (uint64_t i = index.log_cursor; i < log_end; ++i) {
        const ClassRef r = births_[i - log_base_];
        if (Alive(r)) Insert(index, r, pod);
      }
    }
    index.log_cursor = log_end;
    return index;
  }

  std::optional<NodeId> DecideBest(const PodRequest& pod) {
    ShapeIndex& index = Refresh(InternShape(pod), pod);
    for (auto bucket = index.buckets.begin(); bucket != index.buckets.end();) {
      std::vector<ClassRef>& refs = bucket->second;
      uint64_t best_member = UINT64_MAX;
      for (size_t i = 0; i < refs.size();) {
        if (!Alive(refs[i])) {
          refs[i] = refs.back();
          refs.pop_back();
          --index.entries;
          continue;
        }
        const std::optional<uint64_t> m =
            FirstWithMemory(classes_[refs[i].slot], pod.memory_mib, best_member);
        if (m) best_member = *m;
        ++i;
      }
      if (best_member != UINT64_MAX) return NodeId(static_cast<uint32_t>(best_member & UINT32_MAX));
      bucket = refs.empty() ? index.buckets.erase(bucket) : std::next(bucket);
    }
    return std::nullopt;
  }

  std::optional<NodeId> DecideUniform(const PodRequest& pod, Rng& rng) {
    std::vector<uint64_t> feasible;
    for (uint32_t ci : live_) {
      const NodeClass& c = classes_[ci];
      if (!Fits(c.representative, pod)) continue;
      for (uint64_t m : c.members) {
        if (state_.nodes()[m & UINT32_MAX].memory_left >= pod.memory_mib) feasible.push_back(m);
      }
    }
    if (feasible.empty()) return std::nullopt;
    const size_t k = rng.Uniform(feasible.size());
    std::nth_element(feasible.begin(), feasible.begin() + k, feasible.end());
    return NodeId(static_cast<uint32_t>(feasible[k] & UINT32_MAX));
  }

  uint32_t InternShape(const PodRequest& pod) {
    const ShapeKey key{pod.cpu_milli, pod.gpu_count, pod.gpu_milli, pod.allowed_models.bits(),
                       pod.zones.get()};
    auto [it, inserted] = shapes_.try_emplace(key, static_cast<uint32_t>(shapes_.size()));
    // The key holds the filter's address: keep the filter alive so the address is not reused
    // by another filter while its shape is cached.
    if (inserted && pod.zones) filters_.push_back(pod.zones);
    return it->second;
  }

  void Join(uint32_t node) {
    const NodeState& n = state_.nodes()[node];
    NodeClassKey key = NodeClassKey::Of(n, with_tags_);
    auto [it, inserted] = class_by_key_.try_emplace(key, kNoClass);
    if (inserted) {
      it->second = NewClass(key);
      births_.push_back({it->second, classes_[it->second].generation});
    }
    classes_[it->second].members.insert(Member(node));
    class_of_[node] = it->second;
  }

  void Leave(uint32_t node) {
    const uint32_t ci = class_of_[node];
    NodeClass& c = classes_[ci];
    c.members.erase(Member(node));
    class_of_[node] = kNoClass;
    if (!c.members.empty()) return;
    // Retire the empty class: drop it from the live list (swap with the last) and the map.
    const uint32_t pos = c.live_position;
    live_[pos] = live_.back();
    classes_[live_[pos]].live_position = pos;
    live_.pop_back();
    class_by_key_.erase(c.key);
    ++c.generation;
    free_.push_back(ci);
    TrimBirthLog();
  }

  // Keeps the birth log bounded: once it is much longer than the live class list, its older
  // half goes, and shape indexes that had not read it rebuild on their next use.
  void TrimBirthLog() {
    if (births_.size() < 4 * live_.size() + 4096) return;
    const size_t drop = births_.size() / 2;
    births_.erase(births_.begin(), births_.begin() + static_cast<ptrdiff_t>(drop));
    log_base_ += drop;
  }

  uint32_t NewClass(const NodeClassKey& key) {
    uint32_t ci;
    if (!free_.empty()) {
      ci = free_.back();
      free_.pop_back();
    } else {
      ci = static_cast<uint32_t>(classes_.size());
      classes_.emplace_back();
    }
    NodeClass& c = classes_[ci];
    c.key = key;
    NodeState& r = c.representative;
    r = NodeState{};
    r.model = ChipModelId(key.model);
    r.zone = key.zone;
    r.gpu_count = key.gpu_count;
    r.cpu_left = key.cpu_left;
    r.memory_left = std::numeric_limits<int64_t>::max();
    std::copy(key.gpu_left_sorted.begin(), key.gpu_left_sorted.end(), r.gpu_left.begin());
    for (int t = 0; t < kAffinityTags; ++t) r.tag_count[t] = (key.tag_mask >> t) & 1;
    c.live_position = static_cast<uint32_t>(live_.size());
    live_.push_back(ci);
    return ci;
  }

  ClusterState state_;
  const Policy& policy_;
  TieBreakOrder order_;
  bool with_tags_;
  std::vector<NodeClass> classes_;
  std::vector<uint32_t> live_;  // indexes of classes with members
  std::vector<uint32_t> free_;  // retired class slots for reuse
  std::unordered_map<NodeClassKey, uint32_t, NodeClassKeyHash> class_by_key_;
  std::vector<uint32_t> class_of_;  // node index -> class index
  std::unordered_map<ShapeKey, uint32_t, ShapeKeyHash> shapes_;
  std::vector<std::shared_ptr<const ZoneFilter>> filters_;  // of the shapes above
  std::vector<ShapeIndex> indexes_;                         // by interned shape
  std::vector<ClassRef> births_;  // classes in order of birth, from global position log_base_
  uint64_t log_base_ = 0;
};

}  // namespace

std::unique_ptr<Placer> MakeIndexedPlacer(ClusterState state, const Policy& policy,
                                          TieBreakOrder order) {
  return std::make_unique<IndexedPlacer>(std::move(state), policy, std::move(order));
}

}  // namespace gpufleet::placement
