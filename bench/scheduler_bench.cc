// Compliance-aware placement speed: a batch of 20,000 jobs placed on the synthetic
// 1,000,000-accelerator inventory (synthetic_inventory.h) with the shipped rule history and
// examples/acme-rules.yaml (data residency, a 10% resale cap), against the same batch placed
// with no rules at all and against the bare indexed placer with no compliance machinery, in
// the same run: the ratios are what compliance costs placement.

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/placement/placer.h"
#include "gpufleet/scheduler/batch.h"
#include "synthetic_inventory.h"

namespace gpufleet {
namespace {

constexpr int kJobs = 20000;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct SchedulerFixture {
  compliance::RuleSet with_overlay;
  compliance::RuleSet no_rules;
  scheduler::InventoryFleet fleet;
  std::vector<scheduler::JobRequest> jobs;
  std::unique_ptr<placement::Policy> policy;
};

const SchedulerFixture& GetScheduler() {
  static const SchedulerFixture* f = [] {
    const bench::Fixture& b = bench::Get();
    const std::string source = GPUFLEET_SOURCE_DIR;
    auto rules = compliance::ApplyChange(Read(source + "/data/rules/default.yaml"), "default.yaml",
                                         Read(source + "/examples/acme-rules.yaml"),
                                         "acme-rules.yaml", b.catalog.IdsByName());
    auto none = compliance::RuleSet::Parse("rules: []\n", "none", {});
    if (!rules.ok() || !none.ok()) std::abort();
    const auto engine = compliance::MakeIndexedEngine(*rules);
    const compliance::FleetCheckReport check =
        compliance::CheckFleet(*b.fleet, b.catalog, *rules, *engine, bench::kAt);
    auto fleet = scheduler::BuildInventoryFleet(*b.fleet, b.catalog, bench::kAt, check);
    if (!fleet.ok()) std::abort();
    std::vector<scheduler::JobRequest> jobs;
    Rng rng(11);
    const char* tenants[] = {"acme", "acme", "acme-sg", "customer"};
    const char* data[] = {"", "", "cn_personal"};
    const int32_t gpus[] = {1, 1, 2, 4, 8};
    const int32_t replicas[] = {1, 1, 1, 2, 4};
    for (int i = 0; i < kJobs; ++i) {
      scheduler::JobRequest j;
      j.id = "job-" + std::to_string(i);
      j.tenant_org = tenants[rng.Uniform(std::size(tenants))];
      j.data_class = data[rng.Uniform(std::size(data))];
      if (rng.Uniform(5) == 0) {
        j.pod.gpu_count = 1;
        j.pod.gpu_milli = 500;
      } else {
        j.pod.gpu_count = gpus[rng.Uniform(std::size(gpus))];
        j.pod.gpu_milli = kMilliPerGpu;
      }
      j.pod.cpu_milli = 4000 * j.pod.gpu_count;
      j.pod.memory_mib = 32768 * j.pod.gpu_count;
      j.replicas = replicas[rng.Uniform(std::size(replicas))];
      jobs.push_back(std::move(j));
    }
    auto policy = placement::MakePolicy("bestfit", {});
    if (!policy.ok()) std::abort();
    return new SchedulerFixture{std::move(rules).value(), std::move(none).value(),
                                std::move(fleet).value(), std::move(jobs),
                                std::move(policy).value()};
  }();
  return *f;
}

void RunBatch(benchmark::State& state, const compliance::RuleSet& rules) {
  const bench::Fixture& b = bench::Get();
  const SchedulerFixture& f = GetScheduler();
  const auto engine = compliance::MakeIndexedEngine(rules);
  int64_t placed = 0, pending = 0;
  for (auto _ : state) {
    scheduler::EligibilityCache eligibility(f.fleet, *b.fleet, *engine, bench::kAt);
    const scheduler::BatchReport r = scheduler::ScheduleBatch(f.fleet, *b.fleet, rules, eligibility,
                                                              bench::kAt, *f.policy, f.jobs, 1);
    placed = r.placed;
    pending = r.pending;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
  state.counters["nodes"] = static_cast<double>(f.fleet.fleet.nodes().size());
  state.counters["placed"] = static_cast<double>(placed);
  state.counters["pending"] = static_cast<double>(pending);
}

void BM_PlaceBatchCompliant(benchmark::State& state) {
  RunBatch(state, GetScheduler().with_overlay);
}
void BM_PlaceBatchNoRules(benchmark::State& state) { RunBatch(state, GetScheduler().no_rules); }

// The baseline without any compliance machinery: the same pods as gangs on the bare indexed
// placer (no zones, no filter, no site-bound gangs, no cap).
void BM_PlaceGangsBare(benchmark::State& state) {
  const SchedulerFixture& f = GetScheduler();
  int64_t placed = 0;
  for (auto _ : state) {
    auto placer = placement::MakeIndexedPlacer(
        ClusterState(f.fleet.fleet), *f.policy,
        placement::TieBreakOrder::Identity(f.fleet.fleet.nodes().size()));
    Rng rng(1);
    placed = 0;
    for (const scheduler::JobRequest& j : f.jobs) {
      placed += placer->PlaceGang(j.pod, j.replicas, rng).has_value();
    }
    benchmark::DoNotOptimize(placed);
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
  state.counters["placed"] = static_cast<double>(placed);
}

BENCHMARK(BM_PlaceBatchCompliant)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_PlaceBatchNoRules)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_PlaceGangsBare)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace gpufleet
