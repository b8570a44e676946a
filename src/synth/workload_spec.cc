// WorkloadSpec validation, the task kind names and the openb-like default mix.

#include <cmath>
#include <iterator>
#include <string>

#include "gpufleet/synth/synthetic.h"
#include "synth/workload_limits.h"

namespace gpufleet::synth {

namespace {

constexpr int64_t kMilliPerCore = 1000;
constexpr int64_t kMiBPerGiB = 1024;

// Task counts of the openb default pod list (8,152 tasks), from the "Quick facts" of
// ../shared/data/alibaba-gpu-v2023/README.md.
constexpr double kOpenbCpuOnlyTasks = 1088;
constexpr double kOpenbSharingTasks = 3078;
constexpr double kOpenbWholeGpuTasks = 3911;
constexpr double kOpenbTwoGpuTasks = 16;
constexpr double kOpenbFourGpuTasks = 15;
constexpr double kOpenbEightGpuTasks = 44;
// The five most common sharing fractions, most common first. The README gives only their
// order, so the weights below fall off linearly by rank: our assumption, not a measurement.
constexpr int32_t kOpenbSharingMilli[] = {810, 470, 320, 650, 230};

// CPU per task, in cores. openb's CPU-only tasks ask for ~17.6 cores on average (17.9% of
// 107,018 cores over 1,088 tasks) and its GPU tasks for ~9.4 ((85,436 - 19,156) / 7,064);
// these uniform ranges give 18 and ~9.
constexpr Int64Range kCpuOnlyCores = {4, 32};
constexpr Int64Range kSharingCores = {2, 12};
constexpr Int64Range kWholeGpuCores = {4, 16};
constexpr Int64Range kMultiGpuCores = {8, 64};
// Memory per task, in GiB. The trace publishes no per-task memory figures; these keep about
// 4 GiB per core, the ratio of its most common node (96 cores, 384 GiB).
constexpr Int64Range kCpuOnlyGiB = {8, 96};
constexpr Int64Range kSharingGiB = {4, 48};
constexpr Int64Range kWholeGpuGiB = {16, 64};
constexpr Int64Range kMultiGpuGiB = {64, 256};

Int64Range Scaled(Int64Range r, int64_t unit) { return {r.min * unit, r.max * unit, unit}; }

TaskClassSpec Class(TaskKind kind, double weight, Int64Range cores, Int64Range gib) {
  TaskClassSpec c;
  c.kind = kind;
  c.weight = weight;
  c.cpu_milli = Scaled(cores, kMilliPerCore);
  c.memory_mib = Scaled(gib, kMiBPerGiB);
  return c;
}

Status Invalid(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("WorkloadSpec." + field + ": " + what);
}

bool PositiveFinite(double x) { return std::isfinite(x) && x > 0; }

Status ValidateChoices(const std::vector<WeightedValue>& choices, const std::string& field,
                       int32_t min, int32_t max) {
  if (choices.empty()) return Invalid(field, "empty; this task kind needs at least one value");
  for (size_t j = 0; j < choices.size(); ++j) {
    const std::string f = field + "[" + std::to_string(j) + "]";
    if (choices[j].value < min || choices[j].value > max) {
      return Invalid(f + ".value", std::to_string(choices[j].value) + " outside " +
                                       std::to_string(min) + ".." + std::to_string(max));
    }
    if (!PositiveFinite(choices[j].weight)) {
      return Invalid(f + ".weight", "must be positive, got " + std::to_string(choices[j].weight));
    }
  }
  return Status::Ok();
}

Status ValidateRange(Int64Range r, const std::string& field) {
  if (r.min < 0 || r.min > r.max) {
    return Invalid(field, "range " + std::to_string(r.min) + ".." + std::to_string(r.max) +
                              " is not 0 <= min <= max");
  }
  if (r.step < 1) return Invalid(field + ".step", "must be >= 1, got " + std::to_string(r.step));
  return Status::Ok();
}

Status ValidateClass(const TaskClassSpec& c, const std::string& field) {
  if (!PositiveFinite(c.weight)) {
    return Invalid(field + ".weight", "must be positive, got " + std::to_string(c.weight));
  }
  const std::string choices = field + ".gpu_choices";
  const std::string gangs = field + ".gang_sizes";
  const std::string kind(TaskKindName(c.kind));
  switch (c.kind) {
    case TaskKind::kCpuOnly:
    case TaskKind::kWholeGpu:
      if (!c.gpu_choices.empty()) return Invalid(choices, "must be empty for kind " + kind);
      break;
    case TaskKind::kSharing:
      GPUFLEET_RETURN_IF_ERROR(ValidateChoices(c.gpu_choices, choices, 1, kMilliPerGpu - 1));
      break;
    case TaskKind::kMultiGpu:
      GPUFLEET_RETURN_IF_ERROR(ValidateChoices(c.gpu_choices, choices, 2, kMaxGpusPerNode));
      break;
    case TaskKind::kGang:
      GPUFLEET_RETURN_IF_ERROR(ValidateChoices(c.gpu_choices, choices, 1, kMaxGpusPerNode));
      GPUFLEET_RETURN_IF_ERROR(ValidateChoices(c.gang_sizes, gangs, 2, kMaxGangSize));
      break;
    default:
      return Invalid(field + ".kind",
                     "unknown task kind " + std::to_string(static_cast<int>(c.kind)));
  }
  if (c.kind != TaskKind::kGang && !c.gang_sizes.empty()) {
    return Invalid(gangs, "must be empty for kind " + kind);
  }
  GPUFLEET_RETURN_IF_ERROR(ValidateRange(c.cpu_milli, field + ".cpu_milli"));
  return ValidateRange(c.memory_mib, field + ".memory_mib");
}

}  // namespace

std::string_view TaskKindName(TaskKind kind) {
  switch (kind) {
    case TaskKind::kCpuOnly:
      return "cpu-only";
    case TaskKind::kSharing:
      return "sharing";
    case TaskKind::kWholeGpu:
      return "whole-gpu";
    case TaskKind::kMultiGpu:
      return "multi-gpu";
    case TaskKind::kGang:
      return "gang";
  }
  return "unknown";
}

std::vector<TaskClassSpec> OpenbLikeMix() {
  TaskClassSpec sharing = Class(TaskKind::kSharing, kOpenbSharingTasks, kSharingCores, kSharingGiB);
  double rank_weight = std::size(kOpenbSharingMilli);
  for (const int32_t milli : kOpenbSharingMilli)
    sharing.gpu_choices.push_back({milli, rank_weight--});
  TaskClassSpec multi =
      Class(TaskKind::kMultiGpu, kOpenbTwoGpuTasks + kOpenbFourGpuTasks + kOpenbEightGpuTasks,
            kMultiGpuCores, kMultiGpuGiB);
  multi.gpu_choices = {{2, kOpenbTwoGpuTasks}, {4, kOpenbFourGpuTasks}, {8, kOpenbEightGpuTasks}};
  return {
      Class(TaskKind::kCpuOnly, kOpenbCpuOnlyTasks, kCpuOnlyCores, kCpuOnlyGiB),
      sharing,
      Class(TaskKind::kWholeGpu, kOpenbWholeGpuTasks, kWholeGpuCores, kWholeGpuGiB),
      multi,
  };
}

Status ValidateWorkloadSpec(const WorkloadSpec& spec) {
  if (spec.mix.empty()) return Invalid("mix", "empty; need at least one task class");
  bool any_gpu = false;
  for (size_t i = 0; i < spec.mix.size(); ++i) {
    GPUFLEET_RETURN_IF_ERROR(ValidateClass(spec.mix[i], "mix[" + std::to_string(i) + "]"));
    any_gpu |= spec.mix[i].kind != TaskKind::kCpuOnly;
  }
  if (spec.job_count < 0 || spec.job_count > kMaxJobs) {
    return Invalid("job_count",
                   std::to_string(spec.job_count) + " outside 0.." + std::to_string(kMaxJobs));
  }
  if (spec.job_count == 0) {
    if (!PositiveFinite(spec.target_gpu_fraction) ||
        spec.target_gpu_fraction > kMaxTargetGpuFraction) {
      return Invalid("target_gpu_fraction",
                     std::to_string(spec.target_gpu_fraction) + " outside (0, " +
                         std::to_string(kMaxTargetGpuFraction) + "] and job_count is 0");
    }
    if (!any_gpu) return Invalid("mix", "no GPU task class, so target_gpu_fraction is never met");
  }
  if (!(spec.arrival_rate_per_s >= kMinArrivalRatePerS &&
        spec.arrival_rate_per_s <= kMaxArrivalRatePerS)) {
    return Invalid("arrival_rate_per_s", std::to_string(spec.arrival_rate_per_s) + " outside " +
                                             std::to_string(kMinArrivalRatePerS) + ".." +
                                             std::to_string(kMaxArrivalRatePerS));
  }
  if (spec.duration_distribution != DurationDistribution::kExponential &&
      spec.duration_distribution != DurationDistribution::kLogNormal) {
    return Invalid("duration_distribution", "unknown distribution");
  }
  if (!PositiveFinite(spec.mean_duration_s) || spec.mean_duration_s > kMaxDurationS) {
    return Invalid("mean_duration_s", std::to_string(spec.mean_duration_s) + " outside (0, " +
                                          std::to_string(kMaxDurationS) + "]");
  }
  if (!(spec.lognormal_sigma >= 0 && spec.lognormal_sigma <= kMaxLogNormalSigma)) {
    return Invalid("lognormal_sigma", std::to_string(spec.lognormal_sigma) + " outside 0.." +
                                          std::to_string(kMaxLogNormalSigma));
  }
  if (!(spec.constrained_fraction >= 0 && spec.constrained_fraction <= 1)) {
    return Invalid("constrained_fraction",
                   std::to_string(spec.constrained_fraction) + " outside 0..1");
  }
  if (spec.start_time_s < 0) return Invalid("start_time_s", "negative");
  if (spec.name_prefix.empty()) return Invalid("name_prefix", "empty");
  return Status::Ok();
}

}  // namespace gpufleet::synth
