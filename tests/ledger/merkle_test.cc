// The stored-hash tree: its numbering, and its tree heads and proofs against the RFC 6962
// recursion (naive_merkle.h) and Certificate Transparency's published vectors.

#include "gpufleet/ledger/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

#include "gpufleet/ledger/memory_hash_store.h"
#include "gpufleet/model/rng.h"
#include "ledger/naive_merkle.h"

namespace gpufleet::ledger {
namespace {

using testing::HashFromHex;
using testing::NaiveMerkle;

// The eight entries of the RFC 6962 test vectors (Certificate Transparency's merkle tree
// tests; Go's sumdb/tlog gives the same heads).
std::vector<std::string> VectorEntries() {
  return {"",
          std::string(1, '\0'),
          "\x10",
          "\x20\x21",
          "\x30\x31",
          "\x40\x41\x42\x43",
          "\x50\x51\x52\x53\x54\x55\x56\x57",
          "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
}

MemoryHashStore StoreOf(const std::vector<std::string>& entries) {
  MemoryHashStore store;
  for (const std::string& e : entries) store.Append(e);
  return store;
}

std::vector<std::string> RandomEntries(Rng& rng, size_t n) {
  std::vector<std::string> out(n);
  for (std::string& e : out) {
    e.resize(rng.Uniform(40));
    for (char& c : e) c = static_cast<char>(rng.Uniform(256));
  }
  return out;
}

// Counts ReadHashes calls, to hold the one-read-per-operation contract.
class CountingReader final : public HashReader {
 public:
  explicit CountingReader(const HashReader& inner) : inner_(inner) {}
  Status ReadHashes(std::span<const uint64_t> indexes, std::span<Hash> out) const override {
    ++calls;
    return inner_.ReadHashes(indexes, out);
  }
  mutable int calls = 0;

 private:
  const HashReader& inner_;
};

TEST(MerkleTest, StoredHashIndexFollowsAppendOrder) {
  // Leaf 0; leaf 1 and the pair {0,1}; leaf 2; leaf 3, the pair {2,3} and the four {0..3}.
  EXPECT_EQ(StoredHashIndex(0, 0), 0u);
  EXPECT_EQ(StoredHashIndex(0, 1), 1u);
  EXPECT_EQ(StoredHashIndex(1, 0), 2u);
  EXPECT_EQ(StoredHashIndex(0, 2), 3u);
  EXPECT_EQ(StoredHashIndex(0, 3), 4u);
  EXPECT_EQ(StoredHashIndex(1, 1), 5u);
  EXPECT_EQ(StoredHashIndex(2, 0), 6u);
  EXPECT_EQ(StoredHashIndex(0, 4), 7u);
  EXPECT_EQ(StoredHashCount(0), 0u);
  EXPECT_EQ(StoredHashCount(1), 1u);
  EXPECT_EQ(StoredHashCount(4), 7u);
  EXPECT_EQ(StoredHashCount(5), 8u);
}

// Every hash a store appends lands at the index the numbering gives it, with no gaps: the
// count after n leaves is the index of the next leaf.
TEST(MerkleTest, NumberingHasNoGapsOrOverlaps) {
  for (uint64_t n = 0; n < 2000; ++n) {
    ASSERT_EQ(StoredHashIndex(0, n), StoredHashCount(n)) << n;
    // The last hash stored for leaf n is its largest completed subtree.
    const int completed = std::countr_one(n);
    ASSERT_EQ(StoredHashIndex(completed, n >> completed) + 1, StoredHashCount(n + 1)) << n;
  }
}

TEST(MerkleTest, TreeHeadsMatchRfc6962Vectors) {
  const char* const kRoots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  const MemoryHashStore store = StoreOf(VectorEntries());
  Result<Hash> empty = TreeHash(0, store);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, EmptyTreeHash());
  for (uint64_t n = 1; n <= 8; ++n) {
    Result<Hash> root = TreeHash(n, store);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(HexHash(*root), kRoots[n - 1]) << "size " << n;
  }
}

TEST(MerkleTest, ProofsMatchRfc6962Vectors) {
  const MemoryHashStore store = StoreOf(VectorEntries());
  Result<std::vector<Hash>> path = InclusionProof(0, 8, store);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path,
            (std::vector<Hash>{
                HashFromHex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                HashFromHex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                HashFromHex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}));
  Result<std::vector<Hash>> consistency = ConsistencyProof(3, 8, store);
  ASSERT_TRUE(consistency.ok());
  EXPECT_EQ(*consistency,
            (std::vector<Hash>{
                HashFromHex("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
                HashFromHex("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
                HashFromHex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
                HashFromHex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}));
  consistency = ConsistencyProof(4, 8, store);
  ASSERT_TRUE(consistency.ok());
  EXPECT_EQ(*consistency,
            (std::vector<Hash>{
                HashFromHex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}));
  consistency = ConsistencyProof(5, 6, store);
  ASSERT_TRUE(consistency.ok());
  EXPECT_EQ(*consistency,
            (std::vector<Hash>{
                HashFromHex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                HashFromHex("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
                HashFromHex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}));
}

// Heads and proofs of every size, index and old size up to 130 equal the RFC recursion's.
TEST(MerkleTest, HeadsAndProofsMatchTheRfcRecursion) {
  Rng rng(6962);
  const std::vector<std::string> entries = RandomEntries(rng, 130);
  NaiveMerkle naive(entries);
  const MemoryHashStore store = StoreOf(entries);
  for (uint64_t n = 1; n <= entries.size(); ++n) {
    Result<Hash> root = TreeHash(n, store);
    ASSERT_TRUE(root.ok());
    ASSERT_EQ(*root, naive.Root(n)) << "size " << n;
    for (uint64_t m = 0; m < n; ++m) {
      Result<std::vector<Hash>> path = InclusionProof(m, n, store);
      ASSERT_TRUE(path.ok());
      ASSERT_EQ(*path, naive.Path(m, n)) << "index " << m << " size " << n;
    }
    for (uint64_t m = 1; m <= n; ++m) {
      Result<std::vector<Hash>> proof = ConsistencyProof(m, n, store);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, naive.Proof(m, n)) << "old " << m << " new " << n;
    }
  }
}

// StoredHashesForLeaf (what a database-backed store calls) computes what MemoryHashStore
// appends, reading only what is already stored.
TEST(MerkleTest, StoredHashesForLeafMatchTheMemoryStore) {
  Rng rng(3);
  const std::vector<std::string> entries = RandomEntries(rng, 300);
  MemoryHashStore reference;
  MemoryHashStore built;  // filled only from StoredHashesForLeaf's output
  std::vector<Hash> appended;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    Result<std::vector<Hash>> hashes = StoredHashesForLeaf(i, LeafHash(entries[i]), reference);
    ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
    reference.Append(entries[i]);
    appended.insert(appended.end(), hashes->begin(), hashes->end());
    ASSERT_EQ(appended.size(), StoredHashCount(i + 1)) << i;
  }
  std::vector<uint64_t> all(appended.size());
  for (uint64_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<Hash> stored(all.size());
  ASSERT_TRUE(reference.ReadHashes(all, stored).ok());
  EXPECT_EQ(stored, appended);
}

TEST(MerkleTest, OneReadPerHeadOrProof) {
  Rng rng(11);
  const MemoryHashStore store = StoreOf(RandomEntries(rng, 1000));
  CountingReader reader(store);
  ASSERT_TRUE(TreeHash(999, reader).ok());
  ASSERT_TRUE(InclusionProof(517, 999, reader).ok());
  ASSERT_TRUE(ConsistencyProof(333, 999, reader).ok());
  EXPECT_EQ(reader.calls, 3);
}

TEST(MerkleTest, RefusesImpossibleRequests) {
  const MemoryHashStore store = StoreOf(VectorEntries());
  EXPECT_EQ(InclusionProof(8, 8, store).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(5, 4, store).status().code(), Status::Code::kInvalidArgument);
  // Beyond the stored tree: the reader's NotFound passes through.
  EXPECT_EQ(TreeHash(9, store).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(InclusionProof(0, 9, store).status().code(), Status::Code::kNotFound);
  Result<std::vector<Hash>> none = ConsistencyProof(0, 8, store);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  none = ConsistencyProof(8, 8, store);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace gpufleet::ledger
