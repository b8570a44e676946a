// The witness: cosigns only checkpoints that extend the last one it cosigned; refuses
// rollbacks, forks and rewritten histories, and keeps its state across runs. A property test
// presents checkpoints of two logs that share a prefix and then diverge, in random order,
// against a model of which presentations must be accepted.

#include "gpufleet/ledger/witness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/note.h"
#include "ledger/test_log.h"
#include "support/cli_runner.h"

namespace gpufleet::ledger {
namespace {

using testing::NewSigner;

constexpr char kOrigin[] = "fleet.example/ledger";

// Two logs under one key: `a` and `b` share their first `shared` entries, then differ.
struct ForkedLogs {
  ForkedLogs(uint64_t size, uint64_t shared_prefix, uint64_t seed)
      : pair(GenerateNoteKey(kOrigin).value()),
        a(NoteSigner::Parse(pair.signer_key).value()),
        b(NoteSigner::Parse(pair.signer_key).value()),
        shared(shared_prefix) {
    Rng rng(seed);
    for (uint64_t i = 0; i < size; ++i) {
      const std::string e = testing::RandomEntry(rng, i);
      a.Append(e);
      b.Append(i < shared ? e : e + "fork");
    }
  }
  NoteKeyPair pair;
  MemoryLog a;
  MemoryLog b;
  uint64_t shared;
};

ConsistencyProofMessage ProofIn(const MemoryLog& log, uint64_t old_size, uint64_t new_size) {
  return {old_size, new_size, ConsistencyProof(old_size, new_size, log.hashes()).value()};
}

class WitnessTest : public ::testing::Test {
 protected:
  WitnessTest() : logs_(40, 20, 8) {}

  Witness NewWitness() {
    return Witness(state_, NoteSigner::Parse(WitnessKeyText()).value(), logs_.a.verifier());
  }
  std::string WitnessKeyText() {
    if (witness_key_.empty()) {
      Result<NoteKeyPair> pair = GenerateNoteKey("witness.example");
      EXPECT_TRUE(pair.ok());
      witness_key_ = pair->signer_key;
      witness_verifier_ = pair->verifier_key;
    }
    return witness_key_;
  }

  std::string dir_ = gpufleet::testing::FreshDir("ledger_witness");
  std::string state_ = dir_ + "/witness.state";
  ForkedLogs logs_;
  std::string witness_key_;
  std::string witness_verifier_;
};

TEST_F(WitnessTest, CosignsTheFirstCheckpointAndThenOnlyExtensions) {
  Witness w = NewWitness();
  EXPECT_FALSE(w.Last().value().has_value());
  Result<std::string> first = w.Cosign(logs_.a.SignedCheckpoint(10).value(), std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // The cosigned note verifies under both keys.
  const std::vector<NoteVerifier> both = {logs_.a.verifier(),
                                          NoteVerifier::Parse(witness_verifier_).value()};
  Result<Note> opened = OpenNote(*first, both);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->verified.size(), 2u);
  EXPECT_EQ(w.Last().value()->size, 10u);

  Result<std::string> next =
      w.Cosign(logs_.a.SignedCheckpoint(25).value(), ProofIn(logs_.a, 10, 25));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(w.Last().value()->size, 25u);
  // The same checkpoint again: nothing new to check, cosigned again.
  EXPECT_TRUE(w.Cosign(logs_.a.SignedCheckpoint(25).value(), std::nullopt).ok());
}

TEST_F(WitnessTest, StateSurvivesANewProcess) {
  ASSERT_TRUE(NewWitness().Cosign(logs_.a.SignedCheckpoint(30).value(), std::nullopt).ok());
  Witness again = NewWitness();
  EXPECT_EQ(again.Last().value()->size, 30u);
  const Status rollback = again.Cosign(logs_.a.SignedCheckpoint(29).value(), std::nullopt).status();
  EXPECT_EQ(rollback.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(rollback.message().find("below the size 30"), std::string::npos) << rollback.message();
}

TEST_F(WitnessTest, RefusesForksAndRewrites) {
  Witness w = NewWitness();
  ASSERT_TRUE(w.Cosign(logs_.a.SignedCheckpoint(30).value(), std::nullopt).ok());
  const std::string before = gpufleet::testing::ReadFile(state_);

  // Same size, other head.
  const Status fork = w.Cosign(logs_.b.SignedCheckpoint(30).value(), std::nullopt).status();
  EXPECT_EQ(fork.code(), Status::Code::kCorruption);
  EXPECT_NE(fork.message().find("a fork"), std::string::npos) << fork.message();

  // A larger checkpoint of the rewritten history, with b's own (valid within b) proof.
  const Status rewrite =
      w.Cosign(logs_.b.SignedCheckpoint(40).value(), ProofIn(logs_.b, 30, 40)).status();
  EXPECT_EQ(rewrite.code(), Status::Code::kCorruption);
  EXPECT_NE(rewrite.message().find("rewrote history"), std::string::npos) << rewrite.message();

  EXPECT_EQ(gpufleet::testing::ReadFile(state_), before) << "a refusal leaves the state alone";
}

TEST_F(WitnessTest, RefusesBadProofsAndForeignCheckpoints) {
  Witness w = NewWitness();
  ASSERT_TRUE(w.Cosign(logs_.a.SignedCheckpoint(10).value(), std::nullopt).ok());
  const std::string next = logs_.a.SignedCheckpoint(20).value();
  EXPECT_EQ(w.Cosign(next, std::nullopt).status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(w.Cosign(next, ProofIn(logs_.a, 11, 20)).status().code(),
            Status::Code::kInvalidArgument);
  ConsistencyProofMessage flipped = ProofIn(logs_.a, 10, 20);
  flipped.hashes[0][0] ^= 1;
  EXPECT_EQ(w.Cosign(next, flipped).status().code(), Status::Code::kCorruption);
  MemoryLog other = testing::RandomLog(NewSigner(kOrigin), 20, 1);
  const Status foreign = w.Cosign(other.SignedCheckpoint(20).value(), std::nullopt).status();
  EXPECT_EQ(foreign.code(), Status::Code::kCorruption);
  EXPECT_NE(foreign.message().find("no signature by a known key"), std::string::npos);
  EXPECT_EQ(w.Last().value()->size, 10u);
}

TEST_F(WitnessTest, CorruptStateIsAnErrorNotAFreshStart) {
  std::ofstream(state_) << "garbage\n";
  Witness w = NewWitness();
  EXPECT_EQ(w.Last().status().code(), Status::Code::kCorruption);
  EXPECT_EQ(w.Cosign(logs_.a.SignedCheckpoint(10).value(), std::nullopt).status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(gpufleet::testing::ReadFile(state_), "garbage\n");
}

// Random presentations of checkpoints from the two logs, each with a proof from the witness's
// last size computed in the presenting log. Model: a checkpoint (log Y, size n) extends the
// last cosigned (log X, size m) iff n >= m and the two trees agree on the first m entries,
// i.e. X == Y or m <= shared. Every cosigned checkpoint must be consistent with every later
// one, so no split view ever gets the witness's signature.
TEST_F(WitnessTest, AcceptsExactlyTheExtensionsOfWhatItCosigned) {
  constexpr uint64_t kSeed = 99;
  Rng rng(kSeed);
  int accepted = 0, refused = 0;
  // Rounds with a fresh state each, so the sizes do not saturate at the logs' end.
  for (int round = 0; round < 12; ++round) {
    const std::string state = dir_ + "/round" + std::to_string(round) + ".state";
    Witness w(state, NoteSigner::Parse(WitnessKeyText()).value(), logs_.a.verifier());
    const MemoryLog* last_log = nullptr;
    uint64_t last_size = 0;
    for (int step = 0; step < 25; ++step) {
      const MemoryLog& log = rng.Uniform(2) == 0 ? logs_.a : logs_.b;
      // Half the time a small step forward (mostly accepted), else anywhere.
      const uint64_t n = rng.Uniform(2) == 0
                             ? std::min<uint64_t>(last_size + rng.Uniform(6), logs_.a.size())
                             : rng.Uniform(logs_.a.size() + 1);
      std::optional<ConsistencyProofMessage> proof;
      if (last_log != nullptr && n > last_size) proof = ProofIn(log, last_size, n);
      const Result<std::string> r = w.Cosign(log.SignedCheckpoint(n).value(), proof);
      const bool agree = last_log == nullptr || last_log == &log || last_size <= logs_.shared;
      const bool expected = last_log == nullptr || (n >= last_size && agree);
      ASSERT_EQ(r.ok(), expected) << "seed " << kSeed << " round " << round << " step " << step
                                  << ": log " << (&log == &logs_.a ? "a" : "b") << " size " << n
                                  << " after size " << last_size << ": " << r.status().ToString();
      if (r.ok()) {
        last_log = &log;
        last_size = n;
        ++accepted;
      } else {
        ++refused;
      }
    }
  }
  EXPECT_GT(accepted, 60);
  EXPECT_GT(refused, 60);
}

}  // namespace
}  // namespace gpufleet::ledger
