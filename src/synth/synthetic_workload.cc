// GenerateJobs / GenerateWorkload: draws task shapes, model constraints and arrival times.

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/model/rng.h"
#include "gpufleet/synth/synthetic.h"
#include "synth/sampling.h"
#include "synth/workload_limits.h"

namespace gpufleet::synth {

namespace {

constexpr int64_t kMinDurationS = 1;

std::optional<WeightedPicker> PickerOf(const std::vector<WeightedValue>& choices) {
  if (choices.empty()) return std::nullopt;
  std::vector<double> weights;
  for (const WeightedValue& c : choices) weights.push_back(c.weight);
  return WeightedPicker(weights);
}

// One mix entry with its pickers built once.
struct PreparedClass {
  const TaskClassSpec* spec;
  std::optional<WeightedPicker> gpu;
  std::optional<WeightedPicker> gang;
};

// Limits a GPU pod to a random proper subset of the models that can host it.
class ModelConstrainer {
 public:
  explicit ModelConstrainer(const Fleet& fleet)
      : fleet_(fleet), largest_node_(fleet.models().size()) {
    for (const NodeSpec& n : fleet.nodes()) {
      if (n.gpu_count == 0) continue;
      int32_t& largest = largest_node_[n.gpu_model.value()];
      largest = std::max(largest, n.gpu_count);
    }
  }

  void MaybeConstrain(Rng& rng, double fraction, codec::TracePod& out) const {
    if (rng.UniformDouble() >= fraction) return;
    // Only models with a node big enough: a constraint should make placement harder, not
    // impossible.
    std::vector<ChipModelId> eligible;
    for (const AcceleratorModel& m : fleet_.models()) {
      if (largest_node_[m.id.value()] >= out.pod.gpu_count) eligible.push_back(m.id);
    }
    if (eligible.empty()) return;
    // A proper subset when there is a choice, so the constraint actually excludes something.
    const size_t size = eligible.size() == 1 ? 1 : 1 + rng.Uniform(eligible.size() - 1);
    for (size_t i = 0; i < size; ++i) {
      std::swap(eligible[i], eligible[i + rng.Uniform(eligible.size() - i)]);
    }
    eligible.resize(size);
    std::sort(eligible.begin(), eligible.end());
    for (const ChipModelId id : eligible) {
      out.pod.allowed_models.Add(id);
      if (!out.gpu_spec.empty()) out.gpu_spec += '|';
      out.gpu_spec += fleet_.model(id).name;
    }
  }

 private:
  const Fleet& fleet_;
  std::vector<int32_t> largest_node_;  // by model id: most GPUs on one of its nodes
};

// Fills the request and gang size of one job of class `c`.
void DrawShape(Rng& rng, const PreparedClass& c, SyntheticJob& job) {
  PodRequest& pod = job.pod.pod;
  const std::vector<WeightedValue>& choices = c.spec->gpu_choices;
  switch (c.spec->kind) {
    case TaskKind::kCpuOnly:
      break;
    case TaskKind::kSharing:
      pod.gpu_count = 1;
      pod.gpu_milli = choices[c.gpu->Pick(rng)].value;
      break;
    case TaskKind::kWholeGpu:
      pod.gpu_count = 1;
      pod.gpu_milli = kMilliPerGpu;
      break;
    case TaskKind::kMultiGpu:
      pod.gpu_count = choices[c.gpu->Pick(rng)].value;
      pod.gpu_milli = kMilliPerGpu;
      break;
    case TaskKind::kGang:
      pod.gpu_count = choices[c.gpu->Pick(rng)].value;
      pod.gpu_milli = kMilliPerGpu;
      job.gang_size = c.spec->gang_sizes[c.gang->Pick(rng)].value;
      break;
  }
  pod.cpu_milli = UniformInRange(rng, c.spec->cpu_milli);
  pod.memory_mib = UniformInRange(rng, c.spec->memory_mib);
}

int64_t DrawDurationS(Rng& rng, const WorkloadSpec& spec) {
  const double d = spec.duration_distribution == DurationDistribution::kExponential
                       ? Exponential(rng, spec.mean_duration_s)
                       : LogNormalWithMean(rng, spec.mean_duration_s, spec.lognormal_sigma);
  // Clamped before conversion: a far log-normal tail must not overflow int64.
  return std::max<int64_t>(kMinDurationS, std::llround(std::min(d, kMaxDurationS)));
}

}  // namespace

Result<std::vector<SyntheticJob>> GenerateJobs(const WorkloadSpec& spec, const Fleet& fleet,
                                               uint64_t seed) {
  GPUFLEET_RETURN_IF_ERROR(ValidateWorkloadSpec(spec));
  if (spec.constrained_fraction > 0 &&
      fleet.models().size() > static_cast<size_t>(kMaxChipModels)) {
    return Status::InvalidArgument("WorkloadSpec.constrained_fraction: the fleet has " +
                                   std::to_string(fleet.models().size()) +
                                   " accelerator models, constraints support " +
                                   std::to_string(kMaxChipModels));
  }
  int64_t target_milli = 0;
  if (spec.job_count == 0) {
    if (fleet.total_gpus() == 0) {
      return Status::FailedPrecondition(
          "WorkloadSpec.target_gpu_fraction: the fleet has no GPUs; set job_count instead");
    }
    target_milli = static_cast<int64_t>(std::ceil(
        spec.target_gpu_fraction * static_cast<double>(fleet.total_gpus()) * kMilliPerGpu));
  }

  std::vector<PreparedClass> classes;
  std::vector<double> class_weights;
  for (const TaskClassSpec& c : spec.mix) {
    classes.push_back({&c, PickerOf(c.gpu_choices), PickerOf(c.gang_sizes)});
    class_weights.push_back(c.weight);
  }
  const WeightedPicker class_picker(class_weights);
  const ModelConstrainer constrainer(fleet);
  // Independent streams per concern: changing the arrival rate, durations or the constrained
  // fraction leaves every other draw, and so every shape, unchanged.
  Rng root(seed);
  Rng shape_rng(root.Next());
  Rng constraint_rng(root.Next());
  Rng time_rng(root.Next());

  std::vector<SyntheticJob> jobs;
  if (spec.job_count > 0) jobs.reserve(static_cast<size_t>(spec.job_count));
  const double mean_gap_s = 1.0 / spec.arrival_rate_per_s;
  double clock_s = 0;
  int64_t demand_milli = 0;
  while (spec.job_count > 0 ? static_cast<int64_t>(jobs.size()) < spec.job_count
                            : demand_milli < target_milli) {
    if (static_cast<int64_t>(jobs.size()) >= kMaxJobs) {
      return Status::InvalidArgument(
          "WorkloadSpec.target_gpu_fraction: " + std::to_string(spec.target_gpu_fraction) +
          " of the fleet needs more than " + std::to_string(kMaxJobs) + " jobs");
    }
    SyntheticJob job;
    DrawShape(shape_rng, classes[class_picker.Pick(shape_rng)], job);
    if (!job.pod.pod.cpu_only()) {
      constrainer.MaybeConstrain(constraint_rng, spec.constrained_fraction, job.pod);
    }
    clock_s += Exponential(time_rng, mean_gap_s);
    const int64_t created = spec.start_time_s + static_cast<int64_t>(clock_s);
    job.pod.creation_time = created;
    job.pod.scheduled_time = created;
    job.pod.deletion_time = created + DrawDurationS(time_rng, spec);
    job.pod.name = spec.name_prefix + "-" + std::to_string(jobs.size());
    demand_milli += job.pod.pod.total_gpu_milli() * job.gang_size;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<std::vector<codec::TracePod>> GenerateWorkload(const WorkloadSpec& spec, const Fleet& fleet,
                                                      uint64_t seed) {
  // Validated before filtering, so errors name the caller's mix indexes.
  GPUFLEET_RETURN_IF_ERROR(ValidateWorkloadSpec(spec));
  WorkloadSpec without_gangs = spec;
  std::erase_if(without_gangs.mix,
                [](const TaskClassSpec& c) { return c.kind == TaskKind::kGang; });
  if (without_gangs.mix.empty()) {
    return Status::InvalidArgument(
        "WorkloadSpec.mix: only gang classes, and the trace-style workload has no gangs; use "
        "GenerateJobs");
  }
  auto jobs = GenerateJobs(without_gangs, fleet, seed);
  if (!jobs.ok()) return jobs.status();
  std::vector<codec::TracePod> pods;
  pods.reserve(jobs->size());
  for (SyntheticJob& j : *jobs) pods.push_back(std::move(j.pod));
  return pods;
}

}  // namespace gpufleet::synth
