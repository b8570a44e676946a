#include "gpufleet/sim/saturation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include "gpufleet/model/utf8.h"
#include "gpufleet/placement/fragmentation.h"
#include "gpufleet/sim/workload.h"

namespace gpufleet::sim {

namespace {

constexpr double kPercent = 100.0;
constexpr int kPointOfInterest = 100;  // arrived = 100% of capacity

// Per-bin sums of the metrics sampled after each arrival.
struct BinAccumulator {
  double allocated = 0, fragmentation = 0, failed = 0;
  int64_t samples = 0;
};

std::vector<CurvePoint> Bin(const std::vector<BinAccumulator>& bins) {
  std::vector<CurvePoint> curve(bins.size());
  for (size_t b = 0; b < bins.size(); ++b) {
    BinAccumulator sum = bins[b];
    if (sum.samples == 0) {
      // An empty bin takes the samples of its +-1 neighbourhood, as the reference analysis.
      for (size_t nb : {b - 1, b + 1}) {
        if (nb >= bins.size()) continue;
        sum.allocated += bins[nb].allocated;
        sum.fragmentation += bins[nb].fragmentation;
        sum.failed += bins[nb].failed;
        sum.samples += bins[nb].samples;
      }
    }
    CurvePoint& p = curve[b];
    p.arrived_pct = static_cast<int>(b);
    if (sum.samples == 0) continue;
    const double n = static_cast<double>(sum.samples);
    p.allocated_pct = sum.allocated / n;
    p.fragmentation_pct = sum.fragmentation / n;
    p.failed_pct = sum.failed / n;
  }
  return curve;
}

struct RunInput {
  const Fleet& fleet;
  const std::vector<codec::TracePod>& pods;
  const std::vector<size_t>& arrivals;
  const placement::TieBreakOrder& order;
  const std::vector<placement::TypicalTask>& typical;
  int max_bin;
  bool indexed;
  const std::vector<codec::ArrivalRow>& replay_rows;  // empty unless replaying a recorded run
};

// The name of the j-th arrival: the recorded name when replaying; otherwise the trace pod's,
// with tune-up copies named "<pod>-tuned-<i>" as the reference simulator names them.
std::string ArrivalName(const RunInput& in, size_t j) {
  if (!in.replay_rows.empty()) return in.replay_rows[j].pod;
  const std::string& name = in.pods[in.arrivals[j]].name;
  if (j < in.pods.size()) return name;
  return name + "-tuned-" + std::to_string(j - in.pods.size());
}

SaturationRun RunOne(const RunInput& in, const placement::Policy& policy, uint64_t seed,
                     std::vector<ArrivalDecision>* decisions) {
  const auto started = std::chrono::steady_clock::now();
  ClusterState state(in.fleet);
  const double capacity = static_cast<double>(state.gpu_capacity_milli());
  std::vector<double> node_frag(state.size());
  double frag = 0;
  for (uint32_t i = 0; i < state.size(); ++i) {
    node_frag[i] = placement::NodeFragmentation(state.nodes()[i], in.typical);
    frag += node_frag[i];
  }
  std::unique_ptr<placement::Placer> placer =
      in.indexed ? placement::MakeIndexedPlacer(std::move(state), policy, in.order)
                 : placement::MakeLinearPlacer(std::move(state), policy, in.order);
  // Random's node and GPU draws follow the run's seed, independent of the arrival order.
  Rng rng(seed * 0x9e3779b97f4a7c15ULL + 1);

  SaturationRun run;
  run.policy = std::string(policy.name());
  run.seed = seed;
  std::vector<BinAccumulator> bins(static_cast<size_t>(in.max_bin) + 1);
  int64_t arrived = 0, failed = 0;
  for (size_t j = 0; j < in.arrivals.size(); ++j) {
    const size_t idx = in.arrivals[j];
    const PodRequest& pod = in.pods[idx].pod;
    arrived += pod.total_gpu_milli();
    const std::optional<Assignment> a = placer->Place(pod, rng);
    if (a) {
      const uint32_t n = a->node.value();
      frag -= node_frag[n];
      node_frag[n] = placement::NodeFragmentation(placer->state().nodes()[n], in.typical);
      frag += node_frag[n];
    } else {
      failed += pod.total_gpu_milli();
      ++run.failed_pods;
    }
    if (decisions) decisions->push_back({idx, ArrivalName(in, j), a});
    const auto bin = static_cast<size_t>(std::lround(arrived * kPercent / capacity));
    if (bin < bins.size()) {
      BinAccumulator& b = bins[bin];
      b.allocated += placer->state().gpu_allocated_milli() * kPercent / capacity;
      b.fragmentation += frag * kPercent / capacity;
      b.failed += failed * kPercent / capacity;
      ++b.samples;
    }
  }
  run.curve = Bin(bins);
  run.arrivals = static_cast<int64_t>(in.arrivals.size());
  run.failed_gpus = static_cast<double>(failed) / kMilliPerGpu;
  run.allocated_pct_at_end = placer->state().gpu_allocated_milli() * kPercent / capacity;
  if (static_cast<int>(run.curve.size()) > kPointOfInterest) {
    run.unallocated_pct_at_100 = kPercent - run.curve[kPointOfInterest].allocated_pct;
    run.unallocated_gpus_at_100 = run.unallocated_pct_at_100 / kPercent * (capacity / kMilliPerGpu);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

Result<std::vector<size_t>> ExplicitArrivals(const std::vector<codec::TracePod>& pods,
                                             const std::vector<codec::ArrivalRow>& rows) {
  std::unordered_map<std::string, size_t> by_name;
  for (size_t i = 0; i < pods.size(); ++i) by_name.emplace(pods[i].name, i);
  std::vector<size_t> out;
  out.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto it = by_name.find(rows[r].trace_pod);
    if (it == by_name.end()) {
      return Status::NotFound("arrival " + std::to_string(r) + ": trace pod '" + rows[r].trace_pod +
                              "' is not in the pod list");
    }
    out.push_back(it->second);
  }
  return out;
}

Result<placement::TieBreakOrder> ExplicitOrder(const Fleet& fleet,
                                               const std::vector<std::string>& names) {
  std::vector<NodeId> ids;
  ids.reserve(names.size());
  for (const std::string& name : names) {
    const std::optional<NodeId> id = fleet.FindNode(name);
    if (!id) return Status::NotFound("node order: unknown node '" + Excerpt(name) + "'");
    ids.push_back(*id);
  }
  return placement::TieBreakOrder::FromOrder(fleet.nodes().size(), ids);
}

}  // namespace

Result<SaturationReport> RunSaturation(const Fleet& fleet, const std::vector<codec::TracePod>& pods,
                                       const SaturationOptions& options,
                                       std::vector<std::vector<ArrivalDecision>>* decisions) {
  if (options.tune <= 0) return Status::InvalidArgument("tune must be positive");
  if (fleet.total_gpus() == 0) return Status::InvalidArgument("the fleet has no GPUs");
  if (options.seeds.empty()) return Status::InvalidArgument("no seeds");
  const bool replay = !options.arrival_order.empty();
  if (replay && options.seeds.size() != 1) {
    return Status::InvalidArgument("an explicit arrival order replays exactly one seed");
  }
  placement::PolicyOptions policy_options;
  policy_options.typical_tasks = placement::BuildTypicalTasks(TraceShapes(pods));
  auto made = placement::MakePolicies(options.policies, policy_options);
  if (!made.ok()) return made.status();
  const std::vector<std::unique_ptr<placement::Policy>> policies = std::move(made).value();

  SaturationReport report;
  report.cluster_gpus = fleet.total_gpus();
  report.tune = options.tune;
  const int64_t target =
      std::llround(options.tune * static_cast<double>(fleet.total_gpus()) * kMilliPerGpu);
  const int max_bin = static_cast<int>(std::lround(options.tune * kPercent));
  const size_t total_runs = policies.size() * options.seeds.size();
  for (uint64_t seed : options.seeds) {
    std::vector<size_t> arrivals;
    placement::TieBreakOrder order = placement::TieBreakOrder::Identity(fleet.nodes().size());
    if (replay) {
      auto a = ExplicitArrivals(pods, options.arrival_order);
      if (!a.ok()) return a.status();
      arrivals = std::move(a).value();
    } else {
      arrivals = TunedArrivals(pods, target, seed);
    }
    if (!options.node_order.empty()) {
      auto o = ExplicitOrder(fleet, options.node_order);
      if (!o.ok()) return o.status();
      order = std::move(o).value();
    } else {
      order = placement::TieBreakOrder::Shuffled(fleet.nodes().size(), ~seed);
    }
    const RunInput in{fleet,
                      pods,
                      arrivals,
                      order,
                      policy_options.typical_tasks,
                      max_bin,
                      options.indexed,
                      options.arrival_order};
    for (const auto& policy : policies) {
      std::vector<ArrivalDecision>* d = nullptr;
      if (decisions) d = &decisions->emplace_back();
      report.runs.push_back(RunOne(in, *policy, seed, d));
      if (options.on_progress) options.on_progress(report.runs.size(), total_runs);
    }
  }
  // Policy-major order, seeds ascending within a policy.
  std::stable_sort(report.runs.begin(), report.runs.end(),
                   [&](const SaturationRun& a, const SaturationRun& b) {
                     auto pos = [&](const std::string& n) {
                       for (size_t i = 0; i < policies.size(); ++i) {
                         if (policies[i]->name() == n) return i;
                       }
                       return policies.size();
                     };
                     return pos(a.policy) < pos(b.policy);
                   });
  return report;
}

}  // namespace gpufleet::sim
