#pragma once
// The ledger's Merkle tree (RFC 6962 §2.1, RFC 9162 §2.1): the tree head of the first n
// entries for any n, inclusion proofs (audit paths) and consistency proofs in the RFC's order,
// and the RFC 9162 algorithms that verify them.
//
// The tree is kept as "stored hashes": when leaf i is appended, its leaf hash and the hash of
// every complete subtree it finishes are stored, once, never to change (a log of n leaves
// stores 2n - popcount(n) hashes). Any subtree the RFC recursion asks for, [lo, hi) with lo a
// multiple of a power of two at least hi - lo, is a right fold of at most log2(n) of those
// complete subtrees, so a tree head or a proof costs O(log n) hash reads and hashes, whatever
// n is. The hashes are read through HashReader, so the same code runs on memory
// (MemoryHashStore) and on a database that stores the hashes beside the entries.
//
// Numbering: the complete subtree at `level` that covers leaves [k·2^level, (k+1)·2^level) is
// finished by leaf j = (k+1)·2^level - 1 and stored right after the leaf hash of j, at
// StoredHashIndex(level, k) = 2j - popcount(j) + level. So a leaf's hashes are consecutive and
// a store appends them in order.
//
// Thread safety: free functions; they read through the reader's const interface only.

#include <cstdint>
#include <span>
#include <vector>

#include "gpufleet/ledger/hash.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

// Where the complete subtree at `level` (0 = a leaf) covering leaves [k·2^level, (k+1)·2^level)
// is stored. REQUIRES: level < 64 and (k+1)·2^level fits in 64 bits.
uint64_t StoredHashIndex(int level, uint64_t k);

// How many hashes a tree of `size` leaves stores: 2·size - popcount(size).
uint64_t StoredHashCount(uint64_t size);

// Reads stored hashes by index. A store backed by SQL implements this with one query per call;
// every function below makes one ReadHashes call per tree head or proof.
class HashReader {
 public:
  virtual ~HashReader() = default;
  // Fills out[i] with the hash stored at indexes[i]. REQUIRES: out.size() == indexes.size().
  // An index not stored (beyond the tree's end) is NotFound; the store's own failures pass
  // through. Must be safe to call concurrently when the implementation says so.
  [[nodiscard]] virtual Status ReadHashes(std::span<const uint64_t> indexes,
                                          std::span<Hash> out) const = 0;
};

// The hashes to store when leaf `index` is appended with `leaf_hash`: the leaf hash, then one
// hash per subtree the leaf completes, by increasing level. They belong at
// StoredHashIndex(0, index) onwards, consecutively. Reads the left siblings from `reader`,
// which must hold the tree of `index` leaves.
Result<std::vector<Hash>> StoredHashesForLeaf(uint64_t index, const Hash& leaf_hash,
                                              const HashReader& reader);

// MTH of the first `size` leaves (EmptyTreeHash() for 0).
Result<Hash> TreeHash(uint64_t size, const HashReader& reader);

// PATH(index, D[size]) of RFC 6962 §2.1.1: the sibling hashes from the leaf up to the root,
// the leaf's neighbour first. REQUIRES: index < size (InvalidArgument otherwise).
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const HashReader& reader);

// PROOF(old_size, D[new_size]) of RFC 6962 §2.1.2, the deepest hash first. Empty when
// old_size is 0 or equals new_size (nothing to prove). REQUIRES: old_size <= new_size.
Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const HashReader& reader);

// RFC 9162 §2.1.3.2: OK when `proof` shows the leaf with `leaf_hash` at `index` in the tree of
// `size` leaves whose head is `root`; otherwise Corruption saying what did not match
// (InvalidArgument when index >= size).
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2: OK when `proof` shows that the tree of `old_size` leaves with head
// `old_root` is a prefix of the tree of `new_size` leaves with head `new_root`. The RFC leaves
// two cases to the caller, decided here: equal sizes need an empty proof and equal roots; an
// old size of 0 needs an empty proof and old_root = EmptyTreeHash() (every tree extends the
// empty one). An old size above the new one is Corruption: the log shrank.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof);

}  // namespace gpufleet::ledger
