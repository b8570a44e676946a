// The ledger over the v1 API: entries whose leaf hashes make the service's tree head, inclusion
// and consistency proofs that verify (RFC 9162) for random indexes and sizes, the signed
// checkpoint a LedgerCheckpointer records, and the parameter checks. Also the mapping from a
// stored hash to the entry row that holds it.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "gpufleet/ledger/checkpoint.h"
#include "gpufleet/ledger/memory_hash_store.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/wire.h"
#include "gpufleet/service/ledger_checkpointer.h"
#include "service/api_v1_fixture.h"
#include "service/store_hash_reader.h"

namespace gpufleet::service::testing {
namespace {

TEST(StoreHashReaderTest, EveryStoredHashMapsToTheLeafThatStoresIt) {
  std::mt19937_64 rng(5);
  for (int n = 0; n < 20000; ++n) {
    const int level = static_cast<int>(rng() % 30);
    const uint64_t k = rng() % (uint64_t{1} << 30);
    const uint64_t leaf = (k + 1) * (uint64_t{1} << level) - 1;  // the leaf completing it
    const auto [got, position] = LeafOfStoredHash(ledger::StoredHashIndex(level, k));
    ASSERT_EQ(got, leaf) << "level " << level << " k " << k;
    ASSERT_EQ(position, level);
  }
}

class ApiV1Ledger : public ApiV1Test {
 protected:
  // Every entry through the API, as the ledger's leaves.
  std::vector<std::string> AllEntries() {
    std::vector<std::string> out;
    for (;;) {
      const Reply r =
          Call("GET", "/v1/ledger/entries?start=" + std::to_string(out.size()), admin_token_);
      EXPECT_EQ(r.status, 200) << r.raw;
      const Result<std::vector<ledger::LogEntry>> page = ledger::DecodeEntries(r.raw);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->empty()) return out;
      for (const ledger::LogEntry& e : *page) out.push_back(e.data);
    }
  }
};

TEST_F(ApiV1Ledger, EntriesAndProofsVerifyAgainstTheServicesHead) {
  // Some changes after the seed, so the log is not a power of two.
  for (const char* serial : {"1654223000001", "1654223000002", "1654223000003"}) {
    const Reply r =
        Call("POST", "/v1/inventory/changes", admin_token_,
             nlohmann::json({{"changes", {{{"kind", "retire"}, {"serial", serial}}}}}).dump());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  const std::vector<std::string> entries = AllEntries();
  ASSERT_EQ(static_cast<int64_t>(entries.size()), inventory_->size());
  ledger::MemoryHashStore tree;
  for (const std::string& e : entries) tree.Append(e);
  ASSERT_EQ(*ledger::TreeHash(tree.size(), tree), inventory_->root());

  std::mt19937 rng(11);
  const uint64_t size = tree.size();
  for (int n = 0; n < 40; ++n) {
    const uint64_t tree_size = 1 + rng() % size;
    const uint64_t index = rng() % tree_size;
    const Reply r = Call("GET",
                         "/v1/ledger/proof/inclusion?index=" + std::to_string(index) +
                             "&tree_size=" + std::to_string(tree_size),
                         admin_token_);
    ASSERT_EQ(r.status, 200) << r.raw;
    const Result<ledger::InclusionProofMessage> proof = ledger::DecodeInclusionProof(r.raw);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(ledger::VerifyInclusion(index, tree_size, ledger::LeafHash(entries[index]),
                                        proof->hashes, *ledger::TreeHash(tree_size, tree))
                    .ok())
        << index << " in " << tree_size;

    const uint64_t old_size = rng() % (tree_size + 1);
    const Reply c = Call("GET",
                         "/v1/ledger/proof/consistency?old_size=" + std::to_string(old_size) +
                             "&new_size=" + std::to_string(tree_size),
                         admin_token_);
    ASSERT_EQ(c.status, 200) << c.raw;
    const Result<ledger::ConsistencyProofMessage> cp = ledger::DecodeConsistencyProof(c.raw);
    ASSERT_TRUE(cp.ok());
    EXPECT_TRUE(ledger::VerifyConsistency(old_size, tree_size, *ledger::TreeHash(old_size, tree),
                                          *ledger::TreeHash(tree_size, tree), cp->hashes)
                    .ok())
        << old_size << " -> " << tree_size;
  }

  const std::string s = std::to_string(size);
  for (const std::string& bad : std::vector<std::string>{
           "/v1/ledger/entries", "/v1/ledger/entries?start=5&end=4",
           "/v1/ledger/entries?start=0&end=" + std::to_string(size + 1),
           "/v1/ledger/entries?start=-1", "/v1/ledger/proof/inclusion?index=" + s,
           "/v1/ledger/proof/inclusion?index=0&tree_size=" + std::to_string(size + 1),
           "/v1/ledger/proof/consistency?old_size=5&new_size=4", "/v1/ledger/proof/consistency"}) {
    EXPECT_EQ(Call("GET", bad, admin_token_).status, 400) << bad;
  }
}

TEST_F(ApiV1Ledger, TheCheckpointIsSignedOverTheCommittedHead) {
  EXPECT_EQ(Call("GET", "/v1/ledger/checkpoint", admin_token_).status, 404)
      << "no key, no checkpoint";
  Result<ledger::NoteKeyPair> key = ledger::GenerateNoteKey("gpufleet.test/ledger");
  ASSERT_TRUE(key.ok());
  Result<ledger::NoteSigner> signer = ledger::NoteSigner::Parse(key->signer_key);
  ASSERT_TRUE(signer.ok());
  LedgerCheckpointer checkpointer(*served_, *inventory_, std::move(*signer));
  Result<int64_t> covered = checkpointer.CheckpointNow();
  ASSERT_TRUE(covered.ok()) << covered.status().ToString();
  EXPECT_EQ(*covered, inventory_->size());
  const Reply r = Call("GET", "/v1/ledger/checkpoint", admin_token_);
  ASSERT_EQ(r.status, 200) << r.raw;
  const Result<ledger::OpenedCheckpoint> opened =
      ledger::OpenCheckpoint(r.raw, checkpointer.verifier());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(static_cast<int64_t>(opened->checkpoint.size), inventory_->size());
  EXPECT_EQ(opened->checkpoint.root, inventory_->root());
  EXPECT_EQ(opened->checkpoint.origin, "gpufleet.test/ledger");
  // Nothing new: no second checkpoint for the same size.
  EXPECT_EQ(*checkpointer.CheckpointNow(), *covered);
}

}  // namespace
}  // namespace gpufleet::service::testing
