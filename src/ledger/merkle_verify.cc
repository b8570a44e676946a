// Proof verification as RFC 9162 §2.1.3.2 and §2.1.4.2 write it, step by step: the verifier
// needs no tree, only the sizes, so the walk over (fn, sn) decides at each step whether the
// proof hash is a left or a right sibling, and whether a level has no sibling at all (the
// right edge of a tree whose size is not a power of two).

#include <bit>
#include <string>

#include "gpufleet/ledger/merkle.h"

namespace gpufleet::ledger {
namespace {

// Shifts fn and sn right together until fn's lowest bit is set or fn is 0 (RFC 9162's
// "right-shift fn and sn equally until either LSB(fn) is set or fn is 0"): the levels where
// the node on the path is the last of its level and has no right sibling.
void SkipLevelsWithoutSibling(uint64_t& fn, uint64_t& sn) {
  if (fn == 0) return;  // callers reach here with fn == sn, so sn is 0 as well
  const int shift = std::countr_zero(fn);
  fn >>= shift;
  sn >>= shift;
}

std::string Sizes(uint64_t a, uint64_t b) {
  return std::to_string(a) + " and " + std::to_string(b);
}

}  // namespace

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return Status::InvalidArgument("inclusion proof: leaf index " + std::to_string(index) +
                                   " is not below the tree size " + std::to_string(size));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return Status::Corruption("inclusion proof of leaf " + std::to_string(index) +
                                " in tree size " + std::to_string(size) + " has " +
                                std::to_string(proof.size()) +
                                " hashes, more than the tree has "
                                "levels");
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) SkipLevelsWithoutSibling(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Status::Corruption("inclusion proof of leaf " + std::to_string(index) +
                              " in tree size " + std::to_string(size) + " has " +
                              std::to_string(proof.size()) + " hashes, too few for the tree");
  }
  if (r != root) {
    return Status::Corruption("inclusion proof of leaf " + std::to_string(index) +
                              " in tree size " + std::to_string(size) + " leads to root " +
                              HexHash(r) + ", not the tree head " + HexHash(root));
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof) {
  const std::string what = "consistency proof between sizes " + Sizes(old_size, new_size);
  if (old_size > new_size) {
    return Status::Corruption(what + ": the old tree is larger, the log shrank");
  }
  if (old_size == 0 || old_size == new_size) {
    if (!proof.empty()) {
      return Status::Corruption(what + ": expected an empty proof, got " +
                                std::to_string(proof.size()) + " hashes");
    }
    const Hash expected = old_size == 0 ? EmptyTreeHash() : new_root;
    if (old_root != expected) {
      return Status::Corruption(what + ": old root " + HexHash(old_root) + " is not " +
                                HexHash(expected));
    }
    return Status::Ok();
  }
  if (proof.empty()) return Status::Corruption(what + ": the proof is empty");
  // Step 2: when the old tree is a complete subtree its root is the proof's implicit first
  // hash (SUBPROOF with b = true leaves it out).
  const bool old_is_complete = std::has_single_bit(old_size);
  size_t next = 0;
  Hash fr = old_is_complete ? old_root : proof[next++];
  Hash sr = fr;
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  if ((fn & 1) != 0) {
    const int shift = std::countr_one(fn);
    fn >>= shift;
    sn >>= shift;
  }
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if (sn == 0) {
      return Status::Corruption(what + ": " + std::to_string(proof.size()) +
                                " hashes, more than the trees have levels");
    }
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) SkipLevelsWithoutSibling(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Status::Corruption(what + ": " + std::to_string(proof.size()) +
                              " hashes, too few for the trees");
  }
  if (fr != old_root) {
    return Status::Corruption(what + ": the proof leads to old root " + HexHash(fr) + ", not " +
                              HexHash(old_root));
  }
  if (sr != new_root) {
    return Status::Corruption(what + ": the proof leads to new root " + HexHash(sr) + ", not " +
                              HexHash(new_root));
  }
  return Status::Ok();
}

}  // namespace gpufleet::ledger
