// One saturation run of the openb default trace (the FGD paper's experiment) over all seven
// policies, indexed placer vs linear scan. Needs ../shared/data; skips without it.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "gpufleet/sim/saturation.h"

namespace gpufleet {
namespace {

std::string TraceDir() {
  const char* env = std::getenv("GPUFLEET_SHARED_DIR");
  const std::string shared = env ? env : std::string(GPUFLEET_SOURCE_DIR) + "/../shared";
  return shared + "/data/alibaba-gpu-v2023";
}

void BM_OpenbSaturationAllPolicies(benchmark::State& state, bool indexed) {
  const std::string dir = TraceDir();
  auto fleet = codec::ReadAlibabaNodes(dir + "/openb_node_list_gpu_node.csv");
  if (!fleet.ok()) {
    state.SkipWithError(("trace not found: " + fleet.status().ToString()).c_str());
    return;
  }
  auto pods = codec::ReadAlibabaPods(dir + "/openb_pod_list_default.csv", *fleet);
  if (!pods.ok()) {
    state.SkipWithError(pods.status().ToString().c_str());
    return;
  }
  sim::SaturationOptions options;
  options.indexed = indexed;
  uint64_t seed = 42;
  for (auto _ : state) {
    options.seeds = {seed++};
    auto report = sim::RunSaturation(*fleet, *pods, options);
    if (!report.ok()) state.SkipWithError(report.status().ToString().c_str());
    benchmark::DoNotOptimize(report);
  }
  state.counters["policies"] = 7;
}

BENCHMARK_CAPTURE(BM_OpenbSaturationAllPolicies, indexed, true)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK_CAPTURE(BM_OpenbSaturationAllPolicies, linear, false)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace gpufleet
