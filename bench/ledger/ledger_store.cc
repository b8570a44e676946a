// gpufleet_ledger_store: inclusion proofs from a large inventory log in the store, in-process
// (docs/benchmarks.md, "Ledger: proofs from a 10,000,000-entry log in the store").
//
// Opens the store (SQLite file or postgresql:// URL) through an InventoryService, as gpufleetd
// does (replaying whatever log is there). An empty log is seeded with a small demo fleet; the
// log is then grown to --entries with moves (each asset to the other of two racks at its site,
// 1,000 changes per transaction: what the API's batches do, without HTTP). Then --reps
// repetitions of --proofs inclusion proofs at seeded random indexes of the whole log, each
// timed alone (InventoryService::ProveInclusion: the stored hashes read in one query, folded),
// after one untimed pass that warms the page cache. A sample of the proofs is checked against
// the tree head with the entry's own bytes, so a fast wrong answer cannot pass.
//
//   gpufleet_ledger_store --store /tmp/l/g.db --entries 10000000 --proofs 20000 --reps 5
//
// Output: one JSON object per line on stdout: the fill, then each repetition.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/inventory/demo_fleet.h"
#include "gpufleet/ledger/hash.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/store/store.h"

namespace gpufleet {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "gpufleet_ledger_store: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Percentile(std::vector<double> v, double p) {
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// Grows the log to `entries` with moves between two racks; returns the changes written.
int64_t Fill(service::InventoryService& inventory, const service::Clock& clock, int64_t entries) {
  service::AssetQuery all;
  all.limit = 1'000'000;
  std::vector<inventory::LiveAsset> assets = inventory.List(all);
  if (assets.empty()) return 0;
  int64_t written = 0;
  uint64_t turn = 0;
  auto last_report = Clock::now();
  const auto began = Clock::now();
  while (inventory.size() < entries) {
    const int64_t want =
        std::min<int64_t>(service::kMaxChangesPerBatch, entries - inventory.size());
    std::vector<inventory::Change> batch;
    for (int64_t i = 0; i < want; ++i, ++turn) {
      inventory::LiveAsset& a = assets[turn % assets.size()];
      inventory::Change c;
      c.kind = inventory::ChangeKind::kMove;
      c.serial = a.record.serial;
      c.site = a.record.site;
      c.node = a.record.node == "rack-a" ? "rack-b" : "rack-a";
      c.effective_ms = clock.NowMs();
      a.record.node = c.node;
      batch.push_back(std::move(c));
    }
    Result<std::vector<service::ChangeOutcome>> out =
        inventory.Submit(std::move(batch), "bench", /*all_or_nothing=*/true);
    if (!out.ok()) Die("fill", out.status());
    if (!out->front().status.ok()) Die("fill " + out->front().change.serial, out->front().status);
    written += want;
    if (Seconds(last_report) > 30) {
      std::fprintf(stderr, "gpufleet_ledger_store: %lld entries, %.0f changes/s\n",
                   static_cast<long long>(inventory.size()), written / Seconds(began));
      last_report = Clock::now();
    }
  }
  return written;
}

// Checks the proof of `index` in the tree of `size` against `root`, from the entry's bytes.
void CheckProof(store::Store& store, uint64_t index, uint64_t size, const ledger::Hash& root,
                const std::vector<ledger::Hash>& proof) {
  Result<std::vector<store::InventoryEntry>> entry =
      store.ReadInventory(static_cast<int64_t>(index), 1);
  if (!entry.ok() || entry->size() != 1) Die("read entry", entry.ok() ? Status() : entry.status());
  const ledger::Hash leaf = ledger::LeafHash(entry->front().body);
  if (Status s = ledger::VerifyInclusion(index, size, leaf, proof, root); !s.ok()) {
    Die("proof of entry " + std::to_string(index), s);
  }
}

}  // namespace
}  // namespace gpufleet

int main(int argc, char** argv) {
  using namespace gpufleet;
  CLI::App app{"gpufleet_ledger_store: inclusion proofs from a large inventory log in the store"};
  std::string location;
  int64_t entries = 10'000'000;
  int64_t demo = 1024;
  int proofs = 20'000;
  int reps = 5;
  uint64_t seed = 1;
  app.add_option("--store", location, "SQLite file or postgresql:// URL")->required();
  app.add_option("--entries", entries, "grow the log to this many entries")->capture_default_str();
  app.add_option("--demo-gpus", demo, "seed an empty log with this demo fleet")
      ->capture_default_str();
  app.add_option("--proofs", proofs, "proofs per repetition")->capture_default_str();
  app.add_option("--reps", reps, "timed repetitions")->capture_default_str();
  app.add_option("--seed", seed, "random indexes")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const std::string source = GPUFLEET_SOURCE_DIR;
  auto cat = catalog::Catalog::Load(source + "/data/catalog/accelerators.yaml");
  if (!cat.ok()) Die("catalog", cat.status());
  auto rules = compliance::RuleSet::Load(source + "/data/rules/default.yaml", cat->IdsByName());
  if (!rules.ok()) Die("rules", rules.status());
  const std::unique_ptr<compliance::Engine> engine = compliance::MakeIndexedEngine(*rules);
  auto opened = store::OpenStore(location);
  if (!opened.ok()) Die("store", opened.status());
  store::Store& store = **opened;
  const service::SystemClock clock;
  service::InventoryService inventory(store, clock, *cat, *engine);

  auto began = Clock::now();
  if (Status s = inventory.Load(); !s.ok()) Die("load", s);
  const double load_s = Seconds(began);
  if (inventory.size() == 0) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("gpufleet_ledger_store_" + std::to_string(::getpid()));
    Result<std::string> fleet = inventory::WriteDemoFleet(
        *cat, {.accelerators = demo, .per_purchase = 64, .seed = 7, .models = {}}, dir.string());
    if (!fleet.ok()) Die("demo fleet", fleet.status());
    auto inv = inventory::Inventory::Load(*fleet, *cat);
    if (!inv.ok()) Die("demo fleet", inv.status());
    if (auto seeded = inventory.Seed(*inv, "bench"); !seeded.ok()) Die("seed", seeded.status());
    std::filesystem::remove_all(dir);
  }
  const int64_t loaded = inventory.size();
  began = Clock::now();
  const int64_t written = Fill(inventory, clock, entries);
  const double fill_s = Seconds(began);
  const auto [size, root] = inventory.Head();
  nlohmann::ordered_json fill = {{"store", location}, {"loaded_entries", loaded},
                                 {"load_s", load_s},  {"written", written},
                                 {"fill_s", fill_s},  {"entries", size}};
  std::printf("%s\n", fill.dump().c_str());
  std::fflush(stdout);

  Rng rng(seed);
  const auto usize = static_cast<uint64_t>(size);
  auto prove = [&](uint64_t index) {
    Result<std::vector<ledger::Hash>> proof = inventory.ProveInclusion(index, usize);
    if (!proof.ok()) Die("proof of entry " + std::to_string(index), proof.status());
    return std::move(proof).value();
  };
  for (int i = 0; i < proofs; ++i) prove(rng.Uniform(usize));  // warms the page cache
  for (int rep = 1; rep <= reps; ++rep) {
    std::vector<double> us;
    us.reserve(static_cast<size_t>(proofs));
    size_t hashes = 0;
    for (int i = 0; i < proofs; ++i) {
      const uint64_t index = rng.Uniform(usize);
      const auto t = Clock::now();
      const std::vector<ledger::Hash> proof = prove(index);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
      hashes += proof.size();
      if (i % 1000 == 0) CheckProof(store, index, usize, root, proof);
    }
    double sum = 0;
    for (double u : us) sum += u;
    nlohmann::ordered_json row = {{"rep", rep},
                                  {"proofs", proofs},
                                  {"tree_size", size},
                                  {"hashes_per_proof", static_cast<double>(hashes) / proofs},
                                  {"mean_us", sum / proofs},
                                  {"p50_us", Percentile(us, 50)},
                                  {"p99_us", Percentile(us, 99)},
                                  {"max_us", *std::max_element(us.begin(), us.end())}};
    std::printf("%s\n", row.dump().c_str());
    std::fflush(stdout);
  }
  return 0;
}
