// GenerateJobs / GenerateWorkload: determinism, the openb-like mix, demand targets, arrival and
// duration statistics, model constraints, gangs, and spec validation.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "gpufleet/synth/synthetic.h"

namespace gpufleet::synth {
namespace {

constexpr uint64_t kFleetSeed = 99;
constexpr int64_t kDraws = 20'000;

const Fleet& DemoFleet() {
  static const Fleet fleet = std::move(GenerateFleet(DemoFleetSpec(), kFleetSeed)).value();
  return fleet;
}

std::vector<SyntheticJob> MustGenerate(const WorkloadSpec& spec, uint64_t seed) {
  auto jobs = GenerateJobs(spec, DemoFleet(), seed);
  EXPECT_TRUE(jobs.ok()) << jobs.status().ToString();
  return jobs.ok() ? std::move(jobs).value() : std::vector<SyntheticJob>{};
}

WorkloadSpec CountSpec(int64_t count) {
  WorkloadSpec spec;
  spec.mix = OpenbLikeMix();
  spec.job_count = count;
  return spec;
}

bool SameJob(const SyntheticJob& a, const SyntheticJob& b) {
  return a.pod.name == b.pod.name && a.pod.pod == b.pod.pod && a.pod.gpu_spec == b.pod.gpu_spec &&
         a.pod.qos == b.pod.qos && a.pod.phase == b.pod.phase &&
         a.pod.creation_time == b.pod.creation_time && a.pod.deletion_time == b.pod.deletion_time &&
         a.pod.scheduled_time == b.pod.scheduled_time && a.gang_size == b.gang_size;
}

TaskKind KindOf(const SyntheticJob& j) {
  const PodRequest& p = j.pod.pod;
  if (j.gang_size > 1) return TaskKind::kGang;
  if (p.cpu_only()) return TaskKind::kCpuOnly;
  if (p.sharing()) return TaskKind::kSharing;
  return p.gpu_count == 1 ? TaskKind::kWholeGpu : TaskKind::kMultiGpu;
}

TEST(GenerateJobsTest, SameSeedGivesIdenticalJobsAndOtherSeedsDiffer) {
  WorkloadSpec spec = CountSpec(2000);
  spec.constrained_fraction = 0.3;
  const auto a = MustGenerate(spec, 5);
  const auto b = MustGenerate(spec, 5);
  const auto c = MustGenerate(spec, 6);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(SameJob(a[i], b[i])) << i;
  ASSERT_EQ(a.size(), c.size());
  size_t differing = 0;
  for (size_t i = 0; i < a.size(); ++i) differing += SameJob(a[i], c[i]) ? 0 : 1;
  EXPECT_GT(differing, a.size() / 2);
}

TEST(GenerateJobsTest, OpenbLikeMixProportionsHoldOverManyDraws) {
  const auto jobs = MustGenerate(CountSpec(kDraws), 17);
  ASSERT_EQ(static_cast<int64_t>(jobs.size()), kDraws);
  std::map<TaskKind, double> kinds;
  std::map<int32_t, double> sharing_milli;
  std::map<int32_t, double> multi_gpus;
  for (const SyntheticJob& j : jobs) {
    ++kinds[KindOf(j)];
    if (j.pod.pod.sharing()) ++sharing_milli[j.pod.pod.gpu_milli];
    if (KindOf(j) == TaskKind::kMultiGpu) ++multi_gpus[j.pod.pod.gpu_count];
  }
  // Published openb counts over 8,152 tasks; 0.012 is about four standard deviations at 20k.
  constexpr double kTolerance = 0.012;
  const double n = static_cast<double>(kDraws);
  EXPECT_NEAR(kinds[TaskKind::kCpuOnly] / n, 1088.0 / 8152, kTolerance);
  EXPECT_NEAR(kinds[TaskKind::kSharing] / n, 3078.0 / 8152, kTolerance);
  EXPECT_NEAR(kinds[TaskKind::kWholeGpu] / n, 3911.0 / 8152, kTolerance);
  EXPECT_NEAR(kinds[TaskKind::kMultiGpu] / n, 75.0 / 8152, kTolerance / 2);
  EXPECT_EQ(kinds.count(TaskKind::kGang), 0u);
  // Sharing fractions: only the five published ones, weighted 5:4:3:2:1 by rank.
  const std::map<int32_t, double> rank_share = {
      {810, 5 / 15.0}, {470, 4 / 15.0}, {320, 3 / 15.0}, {650, 2 / 15.0}, {230, 1 / 15.0}};
  ASSERT_EQ(sharing_milli.size(), rank_share.size());
  for (const auto& [milli, share] : rank_share) {
    EXPECT_NEAR(sharing_milli[milli] / kinds[TaskKind::kSharing], share, 2 * kTolerance) << milli;
  }
  for (const auto& [gpus, count] : multi_gpus) {
    EXPECT_TRUE(gpus == 2 || gpus == 4 || gpus == 8) << gpus;
    EXPECT_GT(count, 0);
  }
  EXPECT_GT(multi_gpus[8], multi_gpus[2]);  // 44 vs 16 in openb
}

TEST(GenerateJobsTest, EveryPodIsValidAndItsConstraintMatchesItsSpec) {
  WorkloadSpec spec = CountSpec(kDraws);
  spec.constrained_fraction = 0.33;
  const Fleet& fleet = DemoFleet();
  std::map<ChipModelId, int32_t> largest_node;
  for (const NodeSpec& n : fleet.nodes()) {
    largest_node[n.gpu_model] = std::max(largest_node[n.gpu_model], n.gpu_count);
  }
  double gpu_jobs = 0;
  double constrained = 0;
  for (const SyntheticJob& j : MustGenerate(spec, 23)) {
    const PodRequest& p = j.pod.pod;
    EXPECT_TRUE(ValidatePodRequest(p, j.pod.name).ok()) << j.pod.name;
    EXPECT_GT(p.cpu_milli, 0);
    EXPECT_GT(p.memory_mib, 0);
    if (p.cpu_only()) {
      EXPECT_TRUE(j.pod.gpu_spec.empty());
      continue;
    }
    ++gpu_jobs;
    if (j.pod.gpu_spec.empty()) {
      EXPECT_TRUE(p.allowed_models.empty());
      continue;
    }
    ++constrained;
    // gpu_spec lists exactly the allowed models, a proper subset, each big enough.
    std::string expected_spec;
    size_t allowed = 0;
    for (const AcceleratorModel& m : fleet.models()) {
      if (!p.allowed_models.Allows(m.id)) continue;
      ++allowed;
      EXPECT_GE(largest_node[m.id], p.gpu_count) << j.pod.name << " " << m.name;
      expected_spec += (expected_spec.empty() ? "" : "|") + m.name;
    }
    EXPECT_EQ(j.pod.gpu_spec, expected_spec);
    EXPECT_LT(allowed, fleet.models().size());
  }
  EXPECT_NEAR(constrained / gpu_jobs, 0.33, 0.02);
}

TEST(GenerateJobsTest, StopsOnceTheGpuDemandTargetIsReached) {
  WorkloadSpec spec;
  spec.mix = OpenbLikeMix();
  spec.target_gpu_fraction = 0.9;
  const auto jobs = MustGenerate(spec, 31);
  ASSERT_FALSE(jobs.empty());
  const int64_t target = DemoFleet().total_gpus() * kMilliPerGpu * 9 / 10;
  int64_t demand = 0;
  for (const SyntheticJob& j : jobs) demand += j.pod.pod.total_gpu_milli() * j.gang_size;
  const SyntheticJob& last = jobs.back();
  EXPECT_GE(demand, target);
  EXPECT_LT(demand - last.pod.pod.total_gpu_milli() * last.gang_size, target);
}

TEST(GenerateJobsTest, ArrivalsArePoissonAndDurationsHaveTheRequestedMean) {
  for (const DurationDistribution d :
       {DurationDistribution::kExponential, DurationDistribution::kLogNormal}) {
    WorkloadSpec spec = CountSpec(kDraws);
    spec.arrival_rate_per_s = 0.5;
    spec.mean_duration_s = 3600;
    spec.duration_distribution = d;
    spec.start_time_s = 1000;
    const auto jobs = MustGenerate(spec, 37);
    double duration_sum = 0;
    int64_t previous = spec.start_time_s;
    for (const SyntheticJob& j : jobs) {
      ASSERT_TRUE(j.pod.creation_time && j.pod.deletion_time && j.pod.scheduled_time);
      EXPECT_GE(*j.pod.creation_time, previous);
      EXPECT_EQ(*j.pod.scheduled_time, *j.pod.creation_time);
      EXPECT_GE(*j.pod.deletion_time, *j.pod.creation_time + 1);
      previous = *j.pod.creation_time;
      duration_sum += static_cast<double>(*j.pod.deletion_time - *j.pod.creation_time);
    }
    const double span = static_cast<double>(previous - spec.start_time_s);
    EXPECT_NEAR(span / kDraws, 1 / spec.arrival_rate_per_s, 0.05 / spec.arrival_rate_per_s);
    EXPECT_NEAR(duration_sum / kDraws, spec.mean_duration_s, 0.05 * spec.mean_duration_s);
  }
}

TEST(GenerateJobsTest, TimingChangesLeaveShapesUnchanged) {
  WorkloadSpec slow = CountSpec(500);
  WorkloadSpec fast = slow;
  fast.arrival_rate_per_s = 10;
  fast.duration_distribution = DurationDistribution::kExponential;
  const auto a = MustGenerate(slow, 41);
  const auto b = MustGenerate(fast, 41);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].pod.pod, b[i].pod.pod) << i;
}

TEST(GenerateJobsTest, GangJobsAppearInJobsButNotInTheTraceWorkload) {
  WorkloadSpec spec = CountSpec(kDraws);
  TaskClassSpec gang;
  gang.kind = TaskKind::kGang;
  gang.weight = 1000;
  gang.gpu_choices = {{8, 1}};
  gang.gang_sizes = {{2, 1}, {4, 1}};
  gang.cpu_milli = {64000, 96000};
  gang.memory_mib = {262144, 524288};
  spec.mix.push_back(gang);
  int gangs = 0;
  for (const SyntheticJob& j : MustGenerate(spec, 43)) {
    if (j.gang_size == 1) continue;
    ++gangs;
    EXPECT_TRUE(j.gang_size == 2 || j.gang_size == 4);
    EXPECT_EQ(j.pod.pod.gpu_count, 8);
    EXPECT_EQ(j.pod.pod.gpu_milli, kMilliPerGpu);
  }
  EXPECT_GT(gangs, 0);

  spec.job_count = 0;
  spec.target_gpu_fraction = 1.0;
  const auto pods = GenerateWorkload(spec, DemoFleet(), 43);
  ASSERT_TRUE(pods.ok()) << pods.status().ToString();
  int64_t demand = 0;
  for (const codec::TracePod& p : *pods) demand += p.pod.total_gpu_milli();
  EXPECT_GE(demand, DemoFleet().total_gpus() * kMilliPerGpu);

  spec.mix = {gang};
  const auto only_gangs = GenerateWorkload(spec, DemoFleet(), 43);
  ASSERT_FALSE(only_gangs.ok());
  EXPECT_NE(only_gangs.status().message().find("WorkloadSpec.mix"), std::string::npos);
}

TEST(GenerateJobsTest, TargetOnAFleetWithoutGpusIsAFailedPrecondition) {
  Fleet cpu_fleet;
  const SiteId site = *cpu_fleet.AddSite("s", "CN", "self", Ownership::kOwned);
  ASSERT_TRUE(cpu_fleet.AddNode("cpu-0", site, ChipModelId(0), 0, 64000, 262144).ok());
  WorkloadSpec spec;
  spec.mix = OpenbLikeMix();
  const auto jobs = GenerateJobs(spec, cpu_fleet, 1);
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.status().code(), Status::Code::kFailedPrecondition);
  spec.job_count = 10;
  EXPECT_TRUE(GenerateJobs(spec, cpu_fleet, 1).ok());
}

struct BadWorkloadCase {
  const char* name;
  void (*mutate)(WorkloadSpec&);
  const char* field;
};

TEST(GenerateJobsTest, BadSpecsNameTheField) {
  const BadWorkloadCase cases[] = {
      {"empty mix", [](WorkloadSpec& s) { s.mix.clear(); }, "WorkloadSpec.mix"},
      {"zero class weight", [](WorkloadSpec& s) { s.mix[0].weight = 0; },
       "WorkloadSpec.mix[0].weight"},
      {"whole GPU as a share", [](WorkloadSpec& s) { s.mix[1].gpu_choices[2].value = 1000; },
       "WorkloadSpec.mix[1].gpu_choices[2].value"},
      {"zero choice weight", [](WorkloadSpec& s) { s.mix[1].gpu_choices[0].weight = 0; },
       "WorkloadSpec.mix[1].gpu_choices[0].weight"},
      {"one-GPU multi", [](WorkloadSpec& s) { s.mix[3].gpu_choices[0].value = 1; },
       "WorkloadSpec.mix[3].gpu_choices[0].value"},
      {"choices on CPU-only",
       [](WorkloadSpec& s) {
         s.mix[0].gpu_choices = {{1, 1}};
       },
       "WorkloadSpec.mix[0].gpu_choices"},
      {"gang without sizes", [](WorkloadSpec& s) { s.mix[3].kind = TaskKind::kGang; },
       "WorkloadSpec.mix[3].gang_sizes"},
      {"inverted CPU range",
       [](WorkloadSpec& s) {
         s.mix[2].cpu_milli = {2000, 1000};
       },
       "WorkloadSpec.mix[2].cpu_milli"},
      {"negative memory", [](WorkloadSpec& s) { s.mix[2].memory_mib.min = -1; },
       "WorkloadSpec.mix[2].memory_mib"},
      {"no target", [](WorkloadSpec& s) { s.target_gpu_fraction = 0; },
       "WorkloadSpec.target_gpu_fraction"},
      {"target without GPU classes", [](WorkloadSpec& s) { s.mix.resize(1); }, "WorkloadSpec.mix"},
      {"negative count", [](WorkloadSpec& s) { s.job_count = -1; }, "WorkloadSpec.job_count"},
      {"zero rate", [](WorkloadSpec& s) { s.arrival_rate_per_s = 0; },
       "WorkloadSpec.arrival_rate_per_s"},
      {"zero duration", [](WorkloadSpec& s) { s.mean_duration_s = 0; },
       "WorkloadSpec.mean_duration_s"},
      {"negative sigma", [](WorkloadSpec& s) { s.lognormal_sigma = -1; },
       "WorkloadSpec.lognormal_sigma"},
      {"fraction above one", [](WorkloadSpec& s) { s.constrained_fraction = 1.5; },
       "WorkloadSpec.constrained_fraction"},
      {"empty name prefix", [](WorkloadSpec& s) { s.name_prefix.clear(); },
       "WorkloadSpec.name_prefix"},
  };
  for (const BadWorkloadCase& c : cases) {
    WorkloadSpec spec;
    spec.mix = OpenbLikeMix();
    c.mutate(spec);
    for (const Status& status : {GenerateJobs(spec, DemoFleet(), 1).status(),
                                 GenerateWorkload(spec, DemoFleet(), 1).status()}) {
      EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << c.name;
      EXPECT_NE(status.message().find(c.field), std::string::npos)
          << c.name << ": " << status.message();
    }
  }
}

}  // namespace
}  // namespace gpufleet::synth
