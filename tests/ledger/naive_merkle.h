#pragma once
// RFC 6962 §2.1 written as the RFC writes it, recursion and all: MTH, PATH and PROOF over a
// list of entries. The reference the ledger's stored-hash tree and its verifiers are held to.
// It shares only LeafHash and NodeHash with the code under test (hash_test.cc checks those
// against published vectors). Subtree heads are memoised by range, so exhaustive sweeps over
// every (index, size) and (old, new) pair of a few hundred leaves stay fast.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gpufleet/ledger/hash.h"

namespace gpufleet::ledger::testing {

class NaiveMerkle {
 public:
  explicit NaiveMerkle(std::vector<std::string> entries) : entries_(std::move(entries)) {}

  // MTH(D[0:n]).
  Hash Root(uint64_t n) { return Mth(0, n); }

  // PATH(m, D[0:n]). REQUIRES: m < n.
  std::vector<Hash> Path(uint64_t m, uint64_t n) { return PathOf(m, 0, n); }

  // PROOF(m, D[0:n]). REQUIRES: 0 < m <= n.
  std::vector<Hash> Proof(uint64_t m, uint64_t n) { return SubProof(m, 0, n, true); }

 private:
  // The RFC's k: the largest power of two smaller than n. REQUIRES: n >= 2.
  static uint64_t K(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  // MTH(D[lo:hi]).
  Hash Mth(uint64_t lo, uint64_t hi) {
    if (hi == lo) return EmptyTreeHash();
    if (hi - lo == 1) return LeafHash(entries_.at(lo));
    const auto found = memo_.find({lo, hi});
    if (found != memo_.end()) return found->second;
    const uint64_t k = K(hi - lo);
    const Hash h = NodeHash(Mth(lo, lo + k), Mth(lo + k, hi));
    memo_.emplace(std::pair{lo, hi}, h);
    return h;
  }

  // PATH(m, D[lo:hi]), m relative to lo.
  std::vector<Hash> PathOf(uint64_t m, uint64_t lo, uint64_t hi) {
    if (hi - lo == 1) return {};
    const uint64_t k = K(hi - lo);
    std::vector<Hash> out;
    if (m < k) {
      out = PathOf(m, lo, lo + k);
      out.push_back(Mth(lo + k, hi));
    } else {
      out = PathOf(m - k, lo + k, hi);
      out.push_back(Mth(lo, lo + k));
    }
    return out;
  }

  // SUBPROOF(m, D[lo:hi], b), m relative to lo.
  std::vector<Hash> SubProof(uint64_t m, uint64_t lo, uint64_t hi, bool b) {
    if (m == hi - lo) {
      if (b) return {};
      return {Mth(lo, hi)};
    }
    const uint64_t k = K(hi - lo);
    std::vector<Hash> out;
    if (m <= k) {
      out = SubProof(m, lo, lo + k, b);
      out.push_back(Mth(lo + k, hi));
    } else {
      out = SubProof(m - k, lo + k, hi, false);
      out.push_back(Mth(lo, lo + k));
    }
    return out;
  }

  std::vector<std::string> entries_;
  std::map<std::pair<uint64_t, uint64_t>, Hash> memo_;
};

// Hex to a Hash, for published vectors. REQUIRES: 64 hex digits.
inline Hash HashFromHex(const std::string& hex) {
  Hash h{};
  for (size_t i = 0; i < h.size(); ++i) {
    h[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
  return h;
}

}  // namespace gpufleet::ledger::testing
