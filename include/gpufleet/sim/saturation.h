#pragma once
// The FGD paper's saturation experiment: pods sampled from a trace arrive one by one with no
// departures until the arrived GPU demand reaches `tune` x cluster capacity. After each
// arrival we record allocation and fragmentation; results are binned by arrived demand in
// whole percent of cluster GPU capacity (docs/simulate-output.md).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gpufleet/codec/alibaba_trace.h"
#include "gpufleet/model/fleet.h"
#include "gpufleet/placement/placer.h"
#include "gpufleet/placement/policy.h"

namespace gpufleet::sim {

// One bin of the curve; percentages are of the cluster's GPU capacity.
struct CurvePoint {
  int arrived_pct = 0;           // bin: round(arrived GPU request / capacity * 100)
  double allocated_pct = 0;      // GPU allocation ratio
  double fragmentation_pct = 0;  // expected fragmented GPU milli (FGD measure) / capacity
  double failed_pct = 0;         // GPU request of pods that could not be placed / capacity
};

struct SaturationRun {
  std::string policy;
  uint64_t seed = 0;
  std::vector<CurvePoint> curve;       // one point per bin 0..max
  double unallocated_pct_at_100 = 0;   // 100 - allocated at arrived = 100%
  double unallocated_gpus_at_100 = 0;  // the same in GPUs
  double allocated_pct_at_end = 0;
  int64_t arrivals = 0;
  int64_t failed_pods = 0;
  double failed_gpus = 0;  // GPUs requested by pods never placed (whole run)
  double seconds = 0;      // wall time of the run
};

struct SaturationReport {
  std::string trace;  // label of the workload
  int64_t cluster_gpus = 0;
  double tune = 1.3;
  std::vector<SaturationRun> runs;  // policy-major, then seed
};

struct SaturationOptions {
  double tune = 1.3;                  // stop at this multiple of cluster GPU capacity
  std::vector<std::string> policies;  // registry names; empty = all
  std::vector<uint64_t> seeds = {42};
  bool indexed = true;  // indexed placer (same decisions as linear)
  // Optional explicit arrival order and tie-break order (replay of a recorded run). When
  // set, `seeds` must hold one seed and no shuffling or tuning happens.
  std::vector<codec::ArrivalRow> arrival_order;
  std::vector<std::string> node_order;
  // Called after each finished run with (runs done, runs total) for progress display.
  std::function<void(size_t, size_t)> on_progress;
};

// One arrival of a saturation run, for decision-by-decision comparison.
struct ArrivalDecision {
  size_t trace_index = 0;  // index into the pod list
  std::string pod;         // the arrival's name; tune-up copies are "<pod>-tuned-<i>"
  std::optional<Assignment> assignment;
};

// Runs every (policy, seed). `pods` is the whole original trace: it also defines FGD's
// typical-task distribution.
Result<SaturationReport> RunSaturation(
    const Fleet& fleet, const std::vector<codec::TracePod>& pods, const SaturationOptions& options,
    std::vector<std::vector<ArrivalDecision>>* decisions = nullptr);

}  // namespace gpufleet::sim
