#pragma once
// The sets on the right of `in`: exact members plus prefix patterns (`Gaudi*`), combined with
// union, difference and intersection. Combining folds into one leaf whenever the result is
// still "members + prefixes" (always for union; for difference and intersection when one side
// is finite), so the common rule, `location in (D:1 | D:4) - (D:5 | MO | A:5 | A:6)`, becomes
// one sorted vector. Only algebra between wildcard sets stays a tree, checked at run time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gpufleet::compliance::internal {

class StringSetPool {
 public:
  enum class Op : uint8_t { kLeaf, kUnion, kDifference, kIntersection };

  // Adds a leaf; duplicates are removed. Returns its index.
  uint32_t Leaf(std::vector<std::string> members, std::vector<std::string> prefixes);
  // Adds `left op right` (op is not kLeaf), folded when possible. Returns its index.
  uint32_t Combine(Op op, uint32_t left, uint32_t right);

  // Whether `s` is in set `index`. Exact, case-sensitive match. Does not allocate.
  bool Contains(uint32_t index, std::string_view s) const;
  // Levels of set operations Contains recurses through (1 for a leaf).
  uint32_t Height(uint32_t index) const { return nodes_[index].height; }

 private:
  struct Node {
    Op op = Op::kLeaf;
    std::vector<std::string> members;  // sorted, unique (leaves only)
    std::vector<std::string> prefixes;
    uint32_t left = 0;
    uint32_t right = 0;
    uint32_t height = 1;
  };

  bool IsFiniteLeaf(uint32_t index) const;
  // The members of finite leaf `from` for which Contains(other, m) == keep.
  uint32_t Filter(uint32_t from, uint32_t other, bool keep);

  std::vector<Node> nodes_;
};

}  // namespace gpufleet::compliance::internal
