// What following the living inventory costs gpufleetd (docs/benchmarks.md, "Fleet rebuild"):
// on the demo fleet gpufleetd serves with --demo-gpus N (purchases of 64, seed 7), held by an
// InventoryService on a SQLite store, with the shipped rules and acme's overlay on 2026-03-01:
//   - BM_FleetRebuild: one board retired, then FleetRebuilder::Refresh (the snapshot of the
//     living inventory, the fleet check and the placement fleet): what a pass pays once when
//     the inventory changed, however many changes came in;
//   - BM_InventorySnapshot and BM_FleetContextBuild: its two parts;
//   - BM_PassAfterChange against BM_PassUnchanged, in the same run on the same loop: a
//     scheduling pass on a fleet 80% full of eight-GPU jobs after one board was retired
//     (rebuild, every active job mapped onto the new version, the cycle state rebuilt, the job
//     on the board's node preempted with its reason), and a pass with nothing changed.
// Each retirement takes a board out for good, so the fixtures are built once per size and the
// iteration counts are fixed.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/inventory/demo_fleet.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/service/fleet_rebuilder.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/service/scheduler_loop.h"
#include "gpufleet/store/store.h"

namespace gpufleet {
namespace {

constexpr int64_t kStartMs = 1'772'323'200'000;  // 2026-03-01T00:00:00Z
constexpr double kFill = 0.8;                    // of the placement fleet's GPUs

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "fleet_rebuild_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::abort();
}

// One size's service state, built once: the store, the inventory, the fleet and a loop that
// placed its fill.
struct LiveFixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  service::SimulatedClock clock{kStartMs, 0};
  service::FleetBasis basis;
  std::unique_ptr<service::InventoryService> inventory;
  std::unique_ptr<service::FleetHolder> holder;
  std::unique_ptr<service::FleetRebuilder> rebuilder;
  std::unique_ptr<service::SchedulerLoop> loop;
  std::vector<std::string> serials;  // active boards, retired from the back
  double seed_s = 0;

  // Retires the next board.
  void RetireOne() {
    inventory::Change c;
    c.kind = inventory::ChangeKind::kRetire;
    c.serial = serials.back();
    serials.pop_back();
    c.effective_ms = clock.NowMs();
    Result<std::vector<service::ChangeOutcome>> out = inventory->Submit({c}, "bench", true);
    if (!out.ok()) Die("retire", out.status());
    if (!out->front().status.ok()) Die("retire " + c.serial, out->front().status);
  }
};

LiveFixture& Get(int64_t gpus) {
  static std::map<int64_t, std::unique_ptr<LiveFixture>> fixtures;
  std::unique_ptr<LiveFixture>& f = fixtures[gpus];
  if (f) return *f;
  f = std::make_unique<LiveFixture>();
  const std::string source = GPUFLEET_SOURCE_DIR;
  auto cat = catalog::Catalog::Load(source + "/data/catalog/accelerators.yaml");
  if (!cat.ok()) Die("catalog", cat.status());
  auto rules = compliance::ApplyChange(Read(source + "/data/rules/default.yaml"), "default.yaml",
                                       Read(source + "/examples/acme-rules.yaml"),
                                       "acme-rules.yaml", cat->IdsByName());
  if (!rules.ok()) Die("rules", rules.status());
  f->dir = std::filesystem::temp_directory_path() /
           ("gpufleet_rebuild_bench_" + std::to_string(::getpid()) + "_" + std::to_string(gpus));
  std::filesystem::remove_all(f->dir);
  Result<std::string> path = inventory::WriteDemoFleet(
      *cat, {.accelerators = gpus, .per_purchase = 64, .seed = 7, .models = {}}, f->dir.string());
  if (!path.ok()) Die("demo fleet", path.status());
  auto inv = inventory::Inventory::Load(*path, *cat);
  if (!inv.ok()) Die("inventory", inv.status());
  auto opened = store::OpenSqliteStore((f->dir / "gpufleet.db").string());
  if (!opened.ok()) Die("store", opened.status());
  f->store = std::move(opened).value();
  f->basis = service::MakeFleetBasis(std::move(cat).value(), std::move(rules).value(),
                                     Date::FromDays(20513));  // 2026-03-01
  f->inventory = std::make_unique<service::InventoryService>(*f->store, f->clock, *f->basis.catalog,
                                                             *f->basis.engine);
  if (Status s = f->inventory->Load(); !s.ok()) Die("load", s);
  const auto began = std::chrono::steady_clock::now();
  Result<std::vector<service::ChangeOutcome>> refused = f->inventory->Seed(*inv, "bench");
  if (!refused.ok()) Die("seed", refused.status());
  f->seed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  auto ctx = service::BuildFleetFromInventory(f->basis, *f->inventory);
  if (!ctx.ok()) Die("fleet", ctx.status());
  f->holder = std::make_unique<service::FleetHolder>(*ctx);
  f->rebuilder = std::make_unique<service::FleetRebuilder>(f->basis, *f->inventory, *f->holder);
  // Boards to retire: every placed one, spread over the fleet.
  for (const scheduler::NodeGroup& g : (*ctx)->fleet.groups) {
    for (const inventory::Asset* a : g.assets) f->serials.push_back(a->serial);
  }
  Rng rng(3);
  for (size_t i = f->serials.size(); i > 1; --i)
    std::swap(f->serials[i - 1], f->serials[rng.Uniform(i)]);

  for (const char* org : {"acme", "acme-sg"}) {
    store::TenantRecord t{.id = std::string("t-") + org,
                          .name = org,
                          .org = org,
                          .external = false,
                          .priority = 0,
                          .max_job_priority = store::kDefaultMaxJobPriority,
                          .created_at_ms = 0};
    if (Status s = f->store->PutTenant(t); !s.ok()) Die("tenant", s);
  }
  const int64_t jobs = static_cast<int64_t>((*ctx)->fleet.fleet.total_gpus() * kFill / 8);
  for (int64_t i = 0; i < jobs; ++i) {
    store::JobSpec spec;
    spec.tenant = i % 4 == 0 ? "t-acme-sg" : "t-acme";
    spec.name = "fill";
    spec.data_class = "public";
    spec.gpu_count = 8;
    spec.gpu_milli = 1000;
    spec.replicas = 1;
    spec.submitted_at_ms = kStartMs;
    if (Result<store::JobRecord> r = f->store->SubmitJob(spec); !r.ok()) Die("submit", r.status());
  }
  f->loop = std::make_unique<service::SchedulerLoop>(
      *f->store, *f->holder, f->clock,
      service::SchedulerOptions{.holder = "bench", .policy = "bestfit", .seed = 1},
      f->rebuilder.get());
  Result<service::PassReport> first = f->loop->RunPass();
  if (!first.ok()) Die("first pass", first.status());
  std::fprintf(stderr, "fleet_rebuild_bench: %lld GPUs: seeded in %.1f s; %lld jobs running\n",
               static_cast<long long>(gpus), f->seed_s, static_cast<long long>(first->running));
  return *f;
}

void Counters(benchmark::State& state, const LiveFixture& f) {
  const service::FleetContext& ctx = *f.holder->Get();
  state.counters["assets"] = static_cast<double>(ctx.inventory.assets().size());
  state.counters["placed_gpus"] = static_cast<double>(ctx.fleet.fleet.total_gpus());
  state.counters["nodes"] = static_cast<double>(ctx.fleet.fleet.nodes().size());
}

void BM_FleetRebuild(benchmark::State& state) {
  LiveFixture& f = Get(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    f.RetireOne();
    state.ResumeTiming();
    Result<bool> r = f.rebuilder->Refresh();
    if (!r.ok() || !*r) state.SkipWithError("no rebuild");
  }
  Counters(state, f);
}

void BM_InventorySnapshot(benchmark::State& state) {
  LiveFixture& f = Get(state.range(0));
  for (auto _ : state) {
    Result<inventory::Inventory> inv = f.inventory->Snapshot();
    if (!inv.ok()) state.SkipWithError("snapshot");
    benchmark::DoNotOptimize(inv);
  }
  Counters(state, f);
}

void BM_FleetContextBuild(benchmark::State& state) {
  LiveFixture& f = Get(state.range(0));
  const inventory::Inventory& inv = f.holder->Get()->inventory;
  for (auto _ : state) {
    state.PauseTiming();
    inventory::Inventory copy = inv;
    state.ResumeTiming();
    auto ctx = service::BuildFleetContext(f.basis, std::move(copy));
    if (!ctx.ok()) state.SkipWithError("build");
    benchmark::DoNotOptimize(ctx);
  }
  Counters(state, f);
}

void RunPasses(benchmark::State& state, bool change) {
  LiveFixture& f = Get(state.range(0));
  // Untimed: catch up with whatever an earlier benchmark changed, so that the first timed
  // pass of the unchanged case finds nothing new.
  if (Result<service::PassReport> r = f.loop->RunPass(); !r.ok()) Die("pass", r.status());
  int64_t preempted = 0;
  for (auto _ : state) {
    state.PauseTiming();
    if (change) f.RetireOne();
    state.ResumeTiming();
    Result<service::PassReport> r = f.loop->RunPass();
    if (!r.ok() || r->fleet_changed != change) state.SkipWithError("pass");
    if (r.ok()) preempted += r->preempted;
    if (r.ok()) state.counters["running"] = static_cast<double>(r->running);
  }
  state.counters["preempted"] = static_cast<double>(preempted);
  Counters(state, f);
}

void BM_PassAfterChange(benchmark::State& state) { RunPasses(state, true); }
void BM_PassUnchanged(benchmark::State& state) { RunPasses(state, false); }

BENCHMARK(BM_FleetRebuild)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_InventorySnapshot)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_FleetContextBuild)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_PassUnchanged)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_PassAfterChange)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace gpufleet
