// Placement speed on a 1,000,000-GPU synthetic fleet (issue 3, "Speed and scale"): each
// iteration decides where one pod goes and commits it; to hold the fleet at half load, the
// oldest placed pod leaves whenever allocation exceeds 50%. The indexed placer is measured
// against the linear scan on the very same loaded state, so the ratio in docs/benchmarks.md
// comes from one run.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "gpufleet/placement/placer.h"
#include "gpufleet/sim/workload.h"
#include "gpufleet/synth/synthetic.h"

namespace gpufleet {
namespace {

// GPUFLEET_BENCH_GPUS overrides the fleet size (for a quick look on a small machine).
int64_t FleetGpus() {
  const char* env = std::getenv("GPUFLEET_BENCH_GPUS");
  return env ? std::atoll(env) : 1'000'000;
}
constexpr uint64_t kSeed = 1;

struct LoadedFleet {
  Fleet fleet;
  std::vector<codec::TracePod> pods;  // openb-like shapes, in arrival order
  placement::PolicyOptions options;
  ClusterState half_loaded;
  std::deque<std::pair<PodRequest, Assignment>> live;  // placed pods, oldest first
  size_t next_pod = 0;                                 // first pod not yet used
};

// Built once: the fleet, its workload and the half-loaded state (BestFit fills it).
const LoadedFleet& Fixture() {
  static const LoadedFleet* fixture = [] {
    auto fleet = synth::GenerateFleet(synth::LargeFleetSpec(FleetGpus()), kSeed);
    if (!fleet.ok()) std::abort();
    synth::WorkloadSpec spec;
    spec.target_gpu_fraction = 1.5;  // enough pods for loading plus the timed decisions
    auto pods = synth::GenerateWorkload(spec, *fleet, kSeed);
    if (!pods.ok()) std::abort();
    auto* f = new LoadedFleet{
        std::move(fleet).value(), std::move(pods).value(), {}, ClusterState(Fleet()), {}, 0};
    f->options.typical_tasks = placement::BuildTypicalTasks(sim::TraceShapes(f->pods));
    auto bestfit = placement::MakePolicy("bestfit", f->options);
    auto placer = placement::MakeIndexedPlacer(
        ClusterState(f->fleet), **bestfit,
        placement::TieBreakOrder::Shuffled(f->fleet.nodes().size(), kSeed));
    Rng rng(kSeed);
    const int64_t half = placer->state().gpu_capacity_milli() / 2;
    while (placer->state().gpu_allocated_milli() < half && f->next_pod < f->pods.size()) {
      const PodRequest& pod = f->pods[f->next_pod++].pod;
      if (auto a = placer->Place(pod, rng)) f->live.emplace_back(pod, *a);
    }
    f->half_loaded = placer->state();
    return f;
  }();
  return *fixture;
}

void PlaceAtHalfLoad(benchmark::State& bench, const std::string& policy_name, bool indexed) {
  const LoadedFleet& f = Fixture();
  auto policy = placement::MakePolicy(policy_name, f.options);
  if (!policy.ok()) {
    bench.SkipWithError(policy.status().ToString().c_str());
    return;
  }
  auto order = placement::TieBreakOrder::Shuffled(f.fleet.nodes().size(), kSeed);
  std::unique_ptr<placement::Placer> placer =
      indexed ? placement::MakeIndexedPlacer(f.half_loaded, **policy, order)
              : placement::MakeLinearPlacer(f.half_loaded, **policy, order);
  std::deque<std::pair<PodRequest, Assignment>> live = f.live;
  const int64_t half = placer->state().gpu_capacity_milli() / 2;
  Rng rng(kSeed);
  size_t next = f.next_pod;
  int64_t placed = 0;
  for (auto _ : bench) {
    const PodRequest& pod = f.pods[next].pod;
    if (++next == f.pods.size()) next = f.next_pod;
    if (auto a = placer->Place(pod, rng)) {
      ++placed;
      live.emplace_back(pod, *a);
    }
    while (placer->state().gpu_allocated_milli() > half && !live.empty()) {
      placer->Unbind(live.front().first, live.front().second);
      live.pop_front();
    }
  }
  bench.SetItemsProcessed(bench.iterations());
  bench.counters["nodes"] = static_cast<double>(f.fleet.nodes().size());
  bench.counters["placed_pct"] =
      100.0 * static_cast<double>(placed) / static_cast<double>(bench.iterations());
  bench.counters["alloc_pct"] = 100.0 * static_cast<double>(placer->state().gpu_allocated_milli()) /
                                static_cast<double>(placer->state().gpu_capacity_milli());
}

void BM_PlaceIndexed(benchmark::State& s, const char* policy) { PlaceAtHalfLoad(s, policy, true); }
void BM_PlaceLinear(benchmark::State& s, const char* policy) { PlaceAtHalfLoad(s, policy, false); }

BENCHMARK_CAPTURE(BM_PlaceIndexed, bestfit, "bestfit")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PlaceLinear, bestfit, "bestfit")
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(200);
BENCHMARK_CAPTURE(BM_PlaceIndexed, fgd, "fgd")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PlaceLinear, fgd, "fgd")->Unit(benchmark::kMicrosecond)->Iterations(10);

}  // namespace
}  // namespace gpufleet

BENCHMARK_MAIN();
