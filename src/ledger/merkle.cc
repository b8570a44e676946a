// Tree heads and proofs over stored hashes (merkle.h has the numbering). Every function here
// first lists the complete subtrees it needs, reads them in one HashReader call, then hashes:
// a database-backed reader answers one query per proof instead of one per hash.

#include "gpufleet/ledger/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

namespace gpufleet::ledger {
namespace {

// A range of leaves [lo, hi) as the RFC 6962 recursion produces it: lo is a multiple of a
// power of two at least hi - lo, so the range splits into complete subtrees of strictly
// decreasing size, each aligned to its own size.
struct Range {
  uint64_t lo;
  uint64_t hi;
};

// The largest power of two strictly below n (the RFC's k). REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Appends the stored indexes of the complete subtrees that make up `range`, largest first,
// and returns how many.
size_t AppendSubtreeIndexes(Range range, std::vector<uint64_t>& indexes) {
  size_t count = 0;
  for (uint64_t lo = range.lo; lo < range.hi; ++count) {
    const int level = std::bit_width(range.hi - lo) - 1;
    indexes.push_back(StoredHashIndex(level, lo >> level));
    lo += uint64_t{1} << level;
  }
  return count;
}

// MTH of a range from its complete subtrees' hashes, largest first: the RFC splits off the
// largest power of two on the left and recurses on the right, which is a right fold.
Hash FoldSubtrees(std::span<const Hash> subtrees) {
  Hash h = subtrees.back();
  for (size_t i = subtrees.size() - 1; i-- > 0;) h = NodeHash(subtrees[i], h);
  return h;
}

// Reads the hashes of `ranges` (each a subtree of the RFC recursion) with one reader call.
Result<std::vector<Hash>> RangeHashes(std::span<const Range> ranges, const HashReader& reader) {
  std::vector<uint64_t> indexes;
  std::vector<size_t> counts;
  counts.reserve(ranges.size());
  for (const Range& r : ranges) counts.push_back(AppendSubtreeIndexes(r, indexes));
  std::vector<Hash> stored(indexes.size());
  GPUFLEET_RETURN_IF_ERROR(reader.ReadHashes(indexes, stored));
  std::vector<Hash> out;
  out.reserve(ranges.size());
  size_t next = 0;
  for (const size_t count : counts) {
    out.push_back(FoldSubtrees(std::span<const Hash>(stored).subspan(next, count)));
    next += count;
  }
  return out;
}

}  // namespace

uint64_t StoredHashIndex(int level, uint64_t k) {
  // The last leaf of the subtree; its hashes follow those of the j leaves before it, of which
  // there are sum over x < j of (1 + trailing ones of x) = 2j - popcount(j).
  const uint64_t j = ((k + 1) << level) - 1;
  return 2 * j - static_cast<uint64_t>(std::popcount(j)) + static_cast<uint64_t>(level);
}

uint64_t StoredHashCount(uint64_t size) {
  return 2 * size - static_cast<uint64_t>(std::popcount(size));
}

Result<std::vector<Hash>> StoredHashesForLeaf(uint64_t index, const Hash& leaf_hash,
                                              const HashReader& reader) {
  // Leaf `index` completes one subtree per trailing one bit of its index: at each such level
  // its own subtree gets a left sibling, the complete subtree just before it.
  const int completed = std::countr_one(index);
  std::vector<uint64_t> siblings;
  siblings.reserve(static_cast<size_t>(completed));
  for (int level = 0; level < completed; ++level) {
    siblings.push_back(StoredHashIndex(level, (index >> level) - 1));
  }
  std::vector<Hash> left(siblings.size());
  GPUFLEET_RETURN_IF_ERROR(reader.ReadHashes(siblings, left));
  std::vector<Hash> out;
  out.reserve(left.size() + 1);
  out.push_back(leaf_hash);
  for (const Hash& sibling : left) out.push_back(NodeHash(sibling, out.back()));
  return out;
}

Result<Hash> TreeHash(uint64_t size, const HashReader& reader) {
  if (size == 0) return EmptyTreeHash();
  const Range whole{0, size};
  Result<std::vector<Hash>> hashes = RangeHashes({&whole, 1}, reader);
  if (!hashes.ok()) return hashes.status();
  return hashes->front();
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const HashReader& reader) {
  if (index >= size) {
    return Status::InvalidArgument("inclusion proof: leaf index " + std::to_string(index) +
                                   " is not below the tree size " + std::to_string(size));
  }
  // PATH(m, D[lo:hi]) recurses into the half holding m and appends the other half's MTH after
  // the recursive part, so walking down gives the proof from the root's end: reverse it.
  std::vector<Range> ranges;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    const uint64_t k = SplitPoint(hi - lo);
    if (index < lo + k) {
      ranges.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      ranges.push_back({lo, lo + k});
      lo += k;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return RangeHashes(ranges, reader);
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const HashReader& reader) {
  if (old_size > new_size) {
    return Status::InvalidArgument("consistency proof: old size " + std::to_string(old_size) +
                                   " is above the new size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<Hash>{};
  // SUBPROOF(m, D[lo:hi], b): when m reaches the end of the range, the range's own MTH is the
  // first element unless it is the whole old tree (b true: the verifier has that root already);
  // otherwise recurse and append the other half, as for PATH.
  std::vector<Range> ranges;
  uint64_t lo = 0;
  uint64_t hi = new_size;
  bool whole_old_tree = true;
  while (old_size != hi) {
    const uint64_t k = SplitPoint(hi - lo);
    if (old_size <= lo + k) {
      ranges.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      ranges.push_back({lo, lo + k});
      lo += k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) ranges.push_back({lo, hi});
  std::reverse(ranges.begin(), ranges.end());
  return RangeHashes(ranges, reader);
}

}  // namespace gpufleet::ledger
