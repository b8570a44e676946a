#include "gpufleet/ledger/tree_frontier.h"

namespace gpufleet::ledger {

void TreeFrontier::Append(const Hash& leaf_hash, std::vector<Hash>* stored) {
  // Each trailing one bit of the old size is a complete subtree of the new leaf's height that
  // now has a right sibling: merge them, as binary addition carries.
  Hash h = leaf_hash;
  if (stored != nullptr) stored->assign(1, h);
  for (uint64_t n = size_; (n & 1) != 0; n >>= 1) {
    h = NodeHash(subtrees_.back(), h);
    subtrees_.pop_back();
    if (stored != nullptr) stored->push_back(h);
  }
  subtrees_.push_back(h);
  ++size_;
}

Hash TreeFrontier::Root() const {
  if (subtrees_.empty()) return EmptyTreeHash();
  // RFC 6962 splits off the largest power of two on the left first: a right fold.
  Hash h = subtrees_.back();
  for (size_t i = subtrees_.size() - 1; i-- > 0;) h = NodeHash(subtrees_[i], h);
  return h;
}

}  // namespace gpufleet::ledger
