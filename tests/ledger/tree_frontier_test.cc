// The streaming tree head equals the RFC 6962 recursion at every size.

#include "gpufleet/ledger/tree_frontier.h"

#include <gtest/gtest.h>

#include "gpufleet/ledger/memory_hash_store.h"
#include "gpufleet/ledger/merkle.h"
#include "ledger/naive_merkle.h"
#include "ledger/test_log.h"

namespace gpufleet::ledger {
namespace {

TEST(TreeFrontierTest, EveryPrefixHeadMatchesTheRfcRecursion) {
  constexpr uint64_t kSeed = 41;
  Rng rng(kSeed);
  std::vector<std::string> entries;
  for (uint64_t i = 0; i < 600; ++i) entries.push_back(testing::RandomEntry(rng, i));
  testing::NaiveMerkle naive(entries);
  TreeFrontier tree;
  EXPECT_EQ(tree.Root(), EmptyTreeHash());
  for (uint64_t i = 0; i < entries.size(); ++i) {
    tree.Append(LeafHash(entries[i]));
    ASSERT_EQ(tree.size(), i + 1);
    ASSERT_EQ(tree.Root(), naive.Root(i + 1)) << "seed " << kSeed << ", size " << i + 1;
  }
}

// The hashes an append reports stored are the ones the stored-hash tree keeps for the leaf.
TEST(TreeFrontierTest, AppendGivesTheHashesTheLeafStores) {
  Rng rng(43);
  MemoryHashStore store;
  TreeFrontier tree;
  for (uint64_t i = 0; i < 600; ++i) {
    const Hash leaf = LeafHash(testing::RandomEntry(rng, i));
    const Result<std::vector<Hash>> want = StoredHashesForLeaf(i, leaf, store);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    std::vector<Hash> got;
    tree.Append(leaf, &got);
    ASSERT_EQ(got, *want) << "leaf " << i;
    store.AppendLeafHash(leaf);
  }
}

TEST(TreeFrontierTest, OrderMatters) {
  TreeFrontier ab, ba;
  ab.Append(LeafHash("a"));
  ab.Append(LeafHash("b"));
  ba.Append(LeafHash("b"));
  ba.Append(LeafHash("a"));
  EXPECT_NE(ab.Root(), ba.Root());
}

}  // namespace
}  // namespace gpufleet::ledger
