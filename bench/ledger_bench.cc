// Ledger speed (issue 16; docs/benchmarks.md, "Ledger"):
//  - an inclusion proof from a 10,000,000-entry tree held as stored hashes
//    (MemoryHashStore: 20 million hashes, 640 MB), against recomputing the tree head from the
//    leaf hashes alone (what a store keeping no interior hashes would have to do per proof);
//  - verifying a 1,000,000-entry export from scratch (FileLogSource + VerifyLog: read, base64,
//    every leaf hash, the tree head, the checkpoint's signature).
// Fixed iteration and repetition counts, so every run measures the same work; Google Benchmark
// reports the mean, median, standard deviation and coefficient of variation of the repetitions.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gpufleet/ledger/export_file.h"
#include "gpufleet/ledger/memory_hash_store.h"
#include "gpufleet/ledger/memory_log.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/tree_frontier.h"
#include "gpufleet/ledger/verify_log.h"
#include "gpufleet/model/rng.h"

namespace gpufleet {
namespace {

constexpr uint64_t kTreeSize = 10'000'000;
constexpr uint64_t kExportSize = 1'000'000;

// The stored hashes of a 10^7-entry tree, built once for the binary's lifetime.
const ledger::MemoryHashStore& BigTree() {
  static const ledger::MemoryHashStore* tree = [] {
    auto* t = new ledger::MemoryHashStore;
    t->Reserve(kTreeSize);
    for (uint64_t i = 0; i < kTreeSize; ++i) t->Append("entry " + std::to_string(i));
    return t;
  }();
  return *tree;
}

void BM_InclusionProof10M(benchmark::State& state) {
  const ledger::MemoryHashStore& tree = BigTree();
  Rng rng(16);
  size_t hashes = 0;
  for (auto _ : state) {
    const uint64_t index = rng.Uniform(kTreeSize);
    Result<std::vector<ledger::Hash>> proof = ledger::InclusionProof(index, kTreeSize, tree);
    hashes += proof->size();
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hashes_per_proof"] =
      static_cast<double>(hashes) / static_cast<double>(state.iterations());
}

// A proof and its verification, as a client that checks every answer does.
void BM_InclusionProofAndVerify10M(benchmark::State& state) {
  const ledger::MemoryHashStore& tree = BigTree();
  const ledger::Hash root = ledger::TreeHash(kTreeSize, tree).value();
  Rng rng(17);
  for (auto _ : state) {
    const uint64_t index = rng.Uniform(kTreeSize);
    Result<std::vector<ledger::Hash>> proof = ledger::InclusionProof(index, kTreeSize, tree);
    const ledger::Hash leaf = ledger::LeafHash("entry " + std::to_string(index));
    if (!ledger::VerifyInclusion(index, kTreeSize, leaf, *proof, root).ok()) {
      state.SkipWithError("a proof did not verify");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// The baseline: the tree head from the 10^7 leaf hashes, as a store without interior hashes
// would compute one (a proof needs the heads of subtrees that together cover every leaf).
void BM_TreeHeadFromLeaves10M(benchmark::State& state) {
  const ledger::MemoryHashStore& tree = BigTree();
  std::vector<uint64_t> leaf_index(1);
  std::vector<ledger::Hash> leaf(1);
  for (auto _ : state) {
    ledger::TreeFrontier frontier;
    for (uint64_t i = 0; i < kTreeSize; ++i) {
      leaf_index[0] = ledger::StoredHashIndex(0, i);
      (void)tree.ReadHashes(leaf_index, leaf);
      frontier.Append(leaf[0]);
    }
    benchmark::DoNotOptimize(frontier.Root());
  }
  state.SetItemsProcessed(state.iterations());
}

// A 10^6-entry export in the temp directory, written once: entries of 100 to 300 bytes
// (canonical inventory-change JSON is of that order), about 270 MB of base64.
struct ExportFixture {
  ExportFixture(std::string p, std::string k) : path(std::move(p)), verifier_key(std::move(k)) {}
  ExportFixture(const ExportFixture&) = delete;
  ExportFixture& operator=(const ExportFixture&) = delete;
  ~ExportFixture() { std::filesystem::remove(path); }  // about 270 MB: not left in /tmp
  std::string path;
  std::string verifier_key;
};

const ExportFixture& BigExport() {
  static const std::unique_ptr<ExportFixture> fixture = [] {
    Result<ledger::NoteKeyPair> pair = ledger::GenerateNoteKey("fleet.example/ledger");
    ledger::MemoryLog log(ledger::NoteSigner::Parse(pair->signer_key).value());
    Rng rng(1);
    for (uint64_t i = 0; i < kExportSize; ++i) {
      std::string e = "{\"i\":" + std::to_string(i) + ",\"pad\":\"";
      e.append(100 + rng.Uniform(201), 'x');
      e += "\"}";
      log.Append(std::move(e));
    }
    auto f = std::make_unique<ExportFixture>(
        (std::filesystem::temp_directory_path() /
         ("gpufleet_ledger_bench_" + std::to_string(::getpid()) + ".export"))
            .string(),
        pair->verifier_key);
    if (!ledger::WriteExport(log, f->path).ok()) std::abort();
    return f;
  }();
  return *fixture;
}

void BM_VerifyExport1M(benchmark::State& state) {
  const ExportFixture& f = BigExport();
  const std::vector<ledger::NoteVerifier> keys = {
      ledger::NoteVerifier::Parse(f.verifier_key).value()};
  for (auto _ : state) {
    Result<std::unique_ptr<ledger::FileLogSource>> source = ledger::FileLogSource::Open(f.path);
    Result<ledger::LogVerification> v = ledger::VerifyLog(**source, keys);
    if (!v.ok()) {
      state.SkipWithError(v.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kExportSize));
  state.counters["file_mb"] = static_cast<double>(std::filesystem::file_size(f.path)) / 1e6;
}

BENCHMARK(BM_InclusionProof10M)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(20000)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_InclusionProofAndVerify10M)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(20000)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_TreeHeadFromLeaves10M)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_VerifyExport1M)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace gpufleet
