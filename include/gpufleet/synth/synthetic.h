#pragma once
// Deterministic generators of synthetic fleets and workloads, for experiments and benchmarks
// beyond the one recorded trace. Every draw comes from gpufleet::Rng, so a seed reproduces the
// output on any standard library. Durations and arrival gaps also go through std::log/std::exp,
// which may differ in the last bit between libms; they are truncated or rounded to whole
// seconds, which hides such differences except at exact rounding boundaries.
// Thread safety: free functions over values; safe to call concurrently.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/codec/alibaba_trace.h"
#include "gpufleet/model/fleet.h"
#include "gpufleet/model/job.h"
#include "gpufleet/status.h"

namespace gpufleet::synth {

// ---------------------------------------------------------------------------------------------
// Fleets

struct SiteSpec {
  std::string name;
  std::string country;  // ISO 3166-1 alpha-2
  std::string provider;
  Ownership ownership = Ownership::kOwned;
  // Relative share of each eligible node type's nodes placed here. REQUIRES: > 0.
  double weight = 1.0;
};

struct ModelSpec {
  std::string vendor;
  std::string name;  // unique; what NodeTypeSpec::model and gpu_spec strings refer to
  int64_t memory_mib = 0;
};

struct NodeTypeSpec {
  std::string name_prefix;    // unique; nodes are named "<site>-<name_prefix>-<nnnn>"
  std::string model;          // a ModelSpec::name
  int32_t gpus_per_node = 8;  // 1..kMaxGpusPerNode
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  // Relative share of the target GPU count carried by this node type. REQUIRES: > 0.
  double weight = 1.0;
  // Sites (by name) that may host this type; empty = every site. Lets a spec say "H100 only in
  // the rented sites abroad".
  std::vector<std::string> sites;
};

struct FleetSpec {
  std::vector<SiteSpec> sites;
  std::vector<ModelSpec> models;  // at most kMaxChipModels
  std::vector<NodeTypeSpec> node_types;
  // The fleet's GPU count. The result lands within one node of it: each type gets its weight's
  // share (largest remainder, rounded to whole nodes), then leftover GPUs are topped up with
  // whichever nodes still fit.
  int64_t target_gpus = 0;
};

// InvalidArgument naming the offending field (e.g. "FleetSpec.node_types[2].model") or OK.
Status ValidateFleetSpec(const FleetSpec& spec);

// Builds the fleet: models and sites in spec order, then nodes grouped by site, then by node
// type. Within a type, nodes are spread over eligible sites by site weight with seeded
// systematic rounding, so each site gets floor or ceil of its exact share and the seed decides
// which; ties between node types for the last few GPUs are also broken by the seed.
// O(nodes); a 1,000,000-GPU spec takes well under a second.
Result<Fleet> GenerateFleet(const FleetSpec& spec, uint64_t seed);

// A small multi-region fleet (about 3,000 GPUs) in the spirit of a large Chinese internet
// company: owned sites in China with H20, H200, Ascend 910B and Cambricon MLU370 nodes, and
// H100 nodes rented from a cloud provider in Malaysia and the UAE.
FleetSpec DemoFleetSpec();
// A scale-benchmark fleet of `gpus` GPUs over eight sites: mostly 8-GPU nodes of several
// models, some 4- and 2-GPU shapes (1,000,000 GPUs -> about 134,000 nodes).
FleetSpec LargeFleetSpec(int64_t gpus);

// ---------------------------------------------------------------------------------------------
// Workloads

enum class TaskKind {
  kCpuOnly,   // no GPU
  kSharing,   // a fraction of one GPU
  kWholeGpu,  // one whole GPU
  kMultiGpu,  // 2..kMaxGpusPerNode whole GPUs on one node
  kGang,      // gang_size replicas of whole GPUs, all placed or none
};
std::string_view TaskKindName(TaskKind kind);

// A value with a relative weight. REQUIRES: weight > 0.
struct WeightedValue {
  int32_t value = 0;
  double weight = 1.0;
};

// Inclusive; values min, min + step, ... <= max are drawn uniformly. Requests in real traces
// come in whole units (openb: 45 distinct CPU sizes over 8,152 pods), and the placement index
// depends on shapes repeating, so the default mix draws whole cores and GiB.
// REQUIRES: 0 <= min <= max, step >= 1.
struct Int64Range {
  int64_t min = 0;
  int64_t max = 0;
  int64_t step = 1;
};

struct TaskClassSpec {
  TaskKind kind = TaskKind::kCpuOnly;
  double weight = 1.0;  // relative share of jobs (a gang counts once). REQUIRES: > 0
  // kSharing: gpu_milli (1..999); kMultiGpu: GPUs per pod (2..kMaxGpusPerNode);
  // kGang: GPUs per replica (1..kMaxGpusPerNode). Must be empty for the other kinds.
  std::vector<WeightedValue> gpu_choices;
  // kGang only: replicas per job (2..kMaxGangSize). Must be empty for the other kinds.
  std::vector<WeightedValue> gang_sizes;
  Int64Range cpu_milli;   // per pod
  Int64Range memory_mib;  // per pod
};

inline constexpr int32_t kMaxGangSize = 4096;

// The published openb task mix (Alibaba GPU trace v2023 default pod list, 8,152 tasks):
// ~13% CPU-only, ~38% sharing (810/470/320/650/230 milli), ~48% one whole GPU, ~1% 2/4/8 GPUs.
// No gangs.
std::vector<TaskClassSpec> OpenbLikeMix();

enum class DurationDistribution { kExponential, kLogNormal };

struct WorkloadSpec {
  std::vector<TaskClassSpec> mix = OpenbLikeMix();
  // How many jobs. job_count > 0: exactly that many. Otherwise jobs are drawn until their
  // summed GPU request (every gang replica counted) reaches target_gpu_fraction x the fleet's
  // GPUs; the last job may overshoot. Default 1.0: the FGD saturation runs fill the cluster.
  int64_t job_count = 0;
  double target_gpu_fraction = 1.0;
  // Poisson arrivals: exponential gaps with mean 1 / arrival_rate_per_s. Default one job every
  // 10 s; with the default 4 h mean duration about 1,440 jobs run at once.
  double arrival_rate_per_s = 0.1;
  DurationDistribution duration_distribution = DurationDistribution::kLogNormal;
  double mean_duration_s = 4 * 3600.0;
  // Spread of the log-normal (sigma of the underlying normal); its mean stays mean_duration_s.
  // Larger = heavier tail of long jobs. Range 0..4.
  double lognormal_sigma = 1.0;
  // Fraction (0..1) of GPU jobs limited to a random proper subset of the fleet's models that
  // have nodes big enough for them (gpu_spec "A|B", allowed_models). Default none; the openb
  // production figure is ~0.33 (gpuspec33).
  double constrained_fraction = 0.0;
  int64_t start_time_s = 0;               // creation time of the clock's origin
  std::string name_prefix = "synth-pod";  // jobs are "<name_prefix>-<index>"
};

// InvalidArgument naming the offending field (e.g. "WorkloadSpec.mix[1].gpu_choices[0]") or OK.
Status ValidateWorkloadSpec(const WorkloadSpec& spec);

// One job. For a gang, `pod` is one replica and the job needs gang_size of them; otherwise
// gang_size is 1. Times: creation = arrival, scheduled = creation (the event simulator decides
// the real start), deletion = creation + drawn duration (>= 1 s). qos and phase stay empty.
struct SyntheticJob {
  codec::TracePod pod;
  int32_t gang_size = 1;
};

// Draws jobs in arrival order. Shapes, model constraints and times come from separate seeded
// streams, so changing the arrival rate or durations leaves every shape unchanged.
// FailedPrecondition when the spec targets a fraction of a fleet without GPUs.
Result<std::vector<SyntheticJob>> GenerateJobs(const WorkloadSpec& spec, const Fleet& fleet,
                                               uint64_t seed);

// The trace-style workload: GenerateJobs with the gang classes dropped from the mix (the trace
// simulator has no gangs), so the demand target is still met by pods it can place.
// InvalidArgument when the mix holds only gang classes.
Result<std::vector<codec::TracePod>> GenerateWorkload(const WorkloadSpec& spec, const Fleet& fleet,
                                                      uint64_t seed);

}  // namespace gpufleet::synth
