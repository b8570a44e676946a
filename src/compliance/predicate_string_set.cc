#include "compliance/predicate_string_set.h"

#include <algorithm>
#include <utility>

namespace gpufleet::compliance::internal {
namespace {

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

uint32_t StringSetPool::Leaf(std::vector<std::string> members, std::vector<std::string> prefixes) {
  SortUnique(members);
  SortUnique(prefixes);
  Node n;
  n.members = std::move(members);
  n.prefixes = std::move(prefixes);
  nodes_.push_back(std::move(n));
  return static_cast<uint32_t>(nodes_.size() - 1);
}

bool StringSetPool::IsFiniteLeaf(uint32_t index) const {
  return nodes_[index].op == Op::kLeaf && nodes_[index].prefixes.empty();
}

uint32_t StringSetPool::Filter(uint32_t from, uint32_t other, bool keep) {
  std::vector<std::string> kept;
  for (const std::string& m : nodes_[from].members) {
    if (Contains(other, m) == keep) kept.push_back(m);
  }
  return Leaf(std::move(kept), {});
}

uint32_t StringSetPool::Combine(Op op, uint32_t left, uint32_t right) {
  // Folding leaves the operands unreferenced in the pool; they are a few strings per rule.
  switch (op) {
    case Op::kUnion:
      if (nodes_[left].op == Op::kLeaf && nodes_[right].op == Op::kLeaf) {
        std::vector<std::string> members = nodes_[left].members;
        std::vector<std::string> prefixes = nodes_[left].prefixes;
        members.insert(members.end(), nodes_[right].members.begin(), nodes_[right].members.end());
        prefixes.insert(prefixes.end(), nodes_[right].prefixes.begin(),
                        nodes_[right].prefixes.end());
        return Leaf(std::move(members), std::move(prefixes));
      }
      break;
    case Op::kDifference:
      if (IsFiniteLeaf(left)) return Filter(left, right, /*keep=*/false);
      break;
    case Op::kIntersection:
      if (IsFiniteLeaf(left)) return Filter(left, right, /*keep=*/true);
      if (IsFiniteLeaf(right)) return Filter(right, left, /*keep=*/true);
      break;
    case Op::kLeaf:
      break;
  }
  Node n;
  n.op = op;
  n.left = left;
  n.right = right;
  n.height = 1 + std::max(nodes_[left].height, nodes_[right].height);
  nodes_.push_back(std::move(n));
  return static_cast<uint32_t>(nodes_.size() - 1);
}

bool StringSetPool::Contains(uint32_t index, std::string_view s) const {
  const Node& n = nodes_[index];
  switch (n.op) {
    case Op::kLeaf: {
      const auto it = std::lower_bound(
          n.members.begin(), n.members.end(), s,
          [](const std::string& m, std::string_view v) { return std::string_view(m) < v; });
      if (it != n.members.end() && *it == s) return true;
      for (const std::string& p : n.prefixes) {
        if (s.starts_with(p)) return true;
      }
      return false;
    }
    case Op::kUnion:
      return Contains(n.left, s) || Contains(n.right, s);
    case Op::kDifference:
      return Contains(n.left, s) && !Contains(n.right, s);
    case Op::kIntersection:
      return Contains(n.left, s) && Contains(n.right, s);
  }
  return false;
}

}  // namespace gpufleet::compliance::internal
