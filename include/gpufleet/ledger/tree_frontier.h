#pragma once
// The right edge of a growing Merkle tree: the heads of its complete subtrees, one per set bit
// of the size, largest first (what Trillian calls a compact range from 0). Enough to give the
// RFC 6962 tree head of every prefix as the entries stream past, in O(log n) memory, so that
// verifying an export never holds its entries or its stored hashes.
// Thread safety: a value; not for concurrent mutation.

#include <cstdint>
#include <vector>

#include "gpufleet/ledger/hash.h"

namespace gpufleet::ledger {

class TreeFrontier {
 public:
  uint64_t size() const { return size_; }

  // Adds the next leaf. Amortised one NodeHash per leaf. With `stored`, also gives the hashes
  // the leaf stores (merkle.h, StoredHashesForLeaf: the leaf hash, then each subtree it
  // completes): the carries of the append are exactly those subtrees.
  void Append(const Hash& leaf_hash, std::vector<Hash>* stored = nullptr);

  // MTH of the leaves appended so far (EmptyTreeHash() for none). O(log n) hashes.
  Hash Root() const;

 private:
  std::vector<Hash> subtrees_;
  uint64_t size_ = 0;
};

}  // namespace gpufleet::ledger
