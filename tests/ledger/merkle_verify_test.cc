// Proof verification (RFC 9162 §2.1.3.2, §2.1.4.2) over every (index, size) and (old, new)
// pair up to 300 leaves, with proofs from the RFC recursion (naive_merkle.h), and what it must
// refuse: any flipped bit, a hash too many or too few, another index, another size.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpufleet/ledger/merkle.h"
#include "gpufleet/model/rng.h"
#include "ledger/naive_merkle.h"

namespace gpufleet::ledger {
namespace {

using testing::NaiveMerkle;

constexpr uint64_t kMaxSize = 300;
constexpr uint64_t kSeed = 9162;

std::vector<std::string> RandomEntries(Rng& rng, size_t n) {
  std::vector<std::string> out(n);
  for (size_t i = 0; i < n; ++i) {
    // The index in every entry: distinct leaves, so another index can never verify by luck.
    out[i] = std::to_string(i) + ":";
    const size_t extra = rng.Uniform(20);
    for (size_t j = 0; j < extra; ++j) out[i] += static_cast<char>(rng.Uniform(256));
  }
  return out;
}

// A copy of `proof` with one random bit of one random hash flipped. REQUIRES: !proof.empty().
std::vector<Hash> FlipOneBit(std::vector<Hash> proof, Rng& rng) {
  Hash& h = proof[rng.Uniform(proof.size())];
  h[rng.Uniform(kHashSize)] ^= static_cast<uint8_t>(1u << rng.Uniform(8));
  return proof;
}

class MerkleVerifyTest : public ::testing::Test {
 protected:
  MerkleVerifyTest() : rng_(kSeed), entries_(RandomEntries(rng_, kMaxSize)), naive_(entries_) {
    for (uint64_t n = 0; n <= kMaxSize; ++n) roots_.push_back(naive_.Root(n));
  }
  Rng rng_;
  std::vector<std::string> entries_;
  NaiveMerkle naive_;
  std::vector<Hash> roots_;  // roots_[n] = MTH of the first n entries
};

TEST_F(MerkleVerifyTest, EveryInclusionProofVerifiesAndNoAlteredOneDoes) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m = 0; m < n; ++m) {
      const Hash leaf = LeafHash(entries_[m]);
      const std::vector<Hash> path = naive_.Path(m, n);
      const Status ok = VerifyInclusion(m, n, leaf, path, roots_[n]);
      ASSERT_TRUE(ok.ok()) << "index " << m << " size " << n << ": " << ok.ToString();

      const std::string where = "seed " + std::to_string(kSeed) + ", index " + std::to_string(m) +
                                " size " + std::to_string(n);
      if (!path.empty()) {
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, FlipOneBit(path, rng_), roots_[n]).ok()) << where;
        std::vector<Hash> shorter(path.begin(), path.end() - 1);
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, shorter, roots_[n]).ok()) << where;
      }
      std::vector<Hash> longer = path;
      longer.push_back(roots_[n]);
      EXPECT_FALSE(VerifyInclusion(m, n, leaf, longer, roots_[n]).ok()) << where;
      // Another entry at this index, or this entry claimed at another index.
      EXPECT_FALSE(VerifyInclusion(m, n, LeafHash(entries_[m] + "x"), path, roots_[n]).ok())
          << where;
      if (n > 1) {
        const uint64_t other = (m + 1 + rng_.Uniform(n - 1)) % n;
        EXPECT_FALSE(VerifyInclusion(other, n, leaf, path, roots_[n]).ok())
            << where << " claimed at " << other;
      }
      // The same proof against a tree of another size (its own head).
      if (n < kMaxSize) {
        EXPECT_FALSE(VerifyInclusion(m, n + 1, leaf, path, roots_[n + 1]).ok()) << where;
      }
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyInclusion(m, n - 1, leaf, path, roots_[n - 1]).ok()) << where;
      }
    }
  }
}

TEST_F(MerkleVerifyTest, EveryConsistencyProofVerifiesAndNoAlteredOneDoes) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      const std::vector<Hash> proof = naive_.Proof(m, n);
      const Status ok = VerifyConsistency(m, n, roots_[m], roots_[n], proof);
      ASSERT_TRUE(ok.ok()) << "old " << m << " new " << n << ": " << ok.ToString();

      const std::string where = "seed " + std::to_string(kSeed) + ", old " + std::to_string(m) +
                                " new " + std::to_string(n);
      if (!proof.empty()) {
        EXPECT_FALSE(VerifyConsistency(m, n, roots_[m], roots_[n], FlipOneBit(proof, rng_)).ok())
            << where;
        std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
        EXPECT_FALSE(VerifyConsistency(m, n, roots_[m], roots_[n], shorter).ok()) << where;
      }
      std::vector<Hash> longer = proof;
      longer.push_back(roots_[n]);
      EXPECT_FALSE(VerifyConsistency(m, n, roots_[m], roots_[n], longer).ok()) << where;
      // A rewritten history: the old head of a log whose entry 0 differed.
      Hash forged_old = roots_[m];
      forged_old[0] ^= 1;
      EXPECT_FALSE(VerifyConsistency(m, n, forged_old, roots_[n], proof).ok()) << where;
      // Other sizes, each with its own true head.
      if (m > 1) {
        EXPECT_FALSE(VerifyConsistency(m - 1, n, roots_[m - 1], roots_[n], proof).ok()) << where;
      }
      if (n < kMaxSize) {
        EXPECT_FALSE(VerifyConsistency(m, n + 1, roots_[m], roots_[n + 1], proof).ok()) << where;
      }
    }
  }
}

TEST_F(MerkleVerifyTest, EdgeCasesTheRfcLeavesToTheCaller) {
  const Hash& r5 = roots_[5];
  // Equal sizes: an empty proof and equal heads.
  EXPECT_TRUE(VerifyConsistency(5, 5, r5, r5, {}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, r5, roots_[4], {}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, r5, r5, std::vector<Hash>{r5}).ok());
  // From the empty tree: every tree extends it, but only with its real head.
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyTreeHash(), r5, {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 5, r5, r5, {}).ok());
  // A shrinking log is refused whatever the proof.
  const Status shrank = VerifyConsistency(6, 5, roots_[6], r5, naive_.Proof(5, 6));
  EXPECT_EQ(shrank.code(), Status::Code::kCorruption);
  EXPECT_NE(shrank.message().find("shrank"), std::string::npos) << shrank.message();
  // An empty proof between different sizes.
  EXPECT_FALSE(VerifyConsistency(4, 8, roots_[4], roots_[8], {}).ok());
  // Inclusion at or beyond the size is a caller error, not a failed proof.
  EXPECT_EQ(VerifyInclusion(5, 5, LeafHash(entries_[5]), {}, r5).code(),
            Status::Code::kInvalidArgument);
}

TEST_F(MerkleVerifyTest, MessagesNameTheSizesAndHeads) {
  std::vector<Hash> proof = naive_.Proof(3, 8);
  Hash wrong = roots_[8];
  wrong[31] ^= 0x80;
  const Status s = VerifyConsistency(3, 8, roots_[3], wrong, proof);
  EXPECT_NE(s.message().find("between sizes 3 and 8"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(HexHash(wrong)), std::string::npos) << s.message();
  const Status i = VerifyInclusion(2, 8, LeafHash(entries_[2]), naive_.Path(2, 8), wrong);
  EXPECT_NE(i.message().find("leaf 2 in tree size 8"), std::string::npos) << i.message();
}

}  // namespace
}  // namespace gpufleet::ledger
