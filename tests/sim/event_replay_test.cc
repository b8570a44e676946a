// Event replay: hand-built fleets and traces with delays and utilisation worked out by hand,
// determinism and linear/indexed agreement on random workloads, and invariants on the real
// openb trace.

#include "gpufleet/sim/event_replay.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "gpufleet/placement/policy.h"
#include "support/random_cluster.h"
#include "support/shared_data.h"

namespace gpufleet::sim {
namespace {

constexpr int64_t kCpu = 1000;
constexpr int64_t kMemory = 1024;

// A fleet of one site and one model ("A100"), one node per entry of `gpus`, each with
// `cpu_milli` CPU. A second model ("V100") exists but has no node.
Fleet MakeFleet(const std::vector<int32_t>& gpus, const std::vector<int64_t>& cpu_milli = {}) {
  Fleet fleet;
  const SiteId site = fleet.AddSite("s", "CN", "p", Ownership::kOwned).value();
  const ChipModelId a100 = fleet.AddModel("nvidia", "A100", 81920).value();
  EXPECT_TRUE(fleet.AddModel("nvidia", "V100", 32768).ok());
  for (size_t i = 0; i < gpus.size(); ++i) {
    const int64_t cpu = cpu_milli.empty() ? 64000 : cpu_milli[i];
    EXPECT_TRUE(fleet.AddNode("n" + std::to_string(i), site, a100, gpus[i], cpu, 1 << 20).ok());
  }
  return fleet;
}

codec::TracePod Pod(const std::string& name, int32_t gpu_count, std::optional<int64_t> created,
                    std::optional<int64_t> deleted, std::optional<int64_t> scheduled = {},
                    int64_t cpu_milli = kCpu) {
  codec::TracePod p;
  p.name = name;
  p.pod.cpu_milli = cpu_milli;
  p.pod.memory_mib = kMemory;
  p.pod.gpu_count = gpu_count;
  p.pod.gpu_milli = gpu_count > 0 ? kMilliPerGpu : 0;
  p.creation_time = created;
  p.deletion_time = deleted;
  p.scheduled_time = scheduled;
  return p;
}

EventReport Replay(const Fleet& fleet, const std::vector<codec::TracePod>& pods,
                   EventOptions options = {}) {
  auto report = RunEventReplay(fleet, pods, options);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : EventReport{};
}

// On a one-node fleet every policy must make the same queueing decisions, so the hand-worked
// numbers are checked for all of them.
TEST(EventReplayTest, PodWaitsUntilCapacityFreesWithExactDelay) {
  const Fleet fleet = MakeFleet({1});
  // a holds the only GPU on [0, 100); b arrives at 10 and has no scheduled time, so it runs
  // for deletion - creation = 40 once placed at 100.
  const std::vector<codec::TracePod> pods = {Pod("a", 1, 0, 100, 0), Pod("b", 1, 10, 50)};
  const EventReport report = Replay(fleet, pods);
  ASSERT_EQ(report.runs.size(), placement::PolicyNames().size());
  EXPECT_EQ(report.cluster_gpus, 1);
  for (const EventRun& run : report.runs) {
    SCOPED_TRACE(run.policy);
    EXPECT_EQ(run.pods, 2);
    EXPECT_EQ(run.placed, 2);
    EXPECT_EQ(run.never_placed, 0);
    EXPECT_EQ(run.skipped, 0);
    EXPECT_DOUBLE_EQ(run.mean_delay_s, 45);
    EXPECT_DOUBLE_EQ(run.p50_delay_s, 0);  // nearest rank of {0, 90}: the 1st
    EXPECT_DOUBLE_EQ(run.p99_delay_s, 90);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 90);
    // Busy on [0, 140) without a gap: b leaves at 100 + 40.
    EXPECT_DOUBLE_EQ(run.mean_allocated_pct, 100);
    ASSERT_FALSE(run.utilisation.empty());
    EXPECT_EQ(run.utilisation.back().time, 140);
  }
}

TEST(EventReplayTest, RunTimeStartsAtScheduledTime) {
  const Fleet fleet = MakeFleet({1});
  // a was created at 0 but scheduled at 60 in the trace: it runs 100 - 60 = 40 seconds from
  // its arrival, so b (arriving at 10) waits 30, not 90.
  const std::vector<codec::TracePod> pods = {Pod("a", 1, 0, 100, 60), Pod("b", 1, 10, 20, 10)};
  const EventReport report = Replay(fleet, pods);
  for (const EventRun& run : report.runs) {
    SCOPED_TRACE(run.policy);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 30);
    EXPECT_EQ(run.utilisation.back().time, 50);
  }
}

TEST(EventReplayTest, SmallPodBackfillsPastBigWaitingPod) {
  const Fleet fleet = MakeFleet({2});
  const std::vector<codec::TracePod> pods = {
      Pod("a", 1, 0, 100, 0),    // one GPU until 100
      Pod("d", 1, 0, 50, 0),     // the other until 50
      Pod("big", 2, 10, 20),     // queued first; needs both GPUs; runs 10
      Pod("small", 1, 20, 120),  // queued behind it; runs 100
  };
  // At 50 d leaves: big still does not fit, small does and is placed (delay 30). big waits
  // for both GPUs: a leaves at 100 but small holds the other until 150 (delay 140). In strict
  // FIFO small would wait behind big: big at 100, small at 110, mean delay 45.
  const EventReport report = Replay(fleet, pods);
  for (const EventRun& run : report.runs) {
    SCOPED_TRACE(run.policy);
    EXPECT_EQ(run.placed, 4);
    EXPECT_DOUBLE_EQ(run.mean_delay_s, (0 + 0 + 140 + 30) / 4.0);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 140);
    EXPECT_DOUBLE_EQ(run.p99_delay_s, 140);
    EXPECT_EQ(run.utilisation.back().time, 160);
  }
}

TEST(EventReplayTest, UnplaceablePodsCountAsNeverPlacedAndBlockNothing) {
  const Fleet fleet = MakeFleet({1});
  codec::TracePod other_model = Pod("v100", 1, 0, 10);
  other_model.pod.allowed_models.Add(*fleet.FindModel("V100"));
  const std::vector<codec::TracePod> pods = {
      Pod("two-gpus", 2, 0, 10),  // no node has two GPUs
      other_model,                // no node has the model
      Pod("a", 1, 0, 100, 0),
      Pod("b", 1, 10, 30),  // placed at 100 when a leaves
      Pod("no-creation", 1, std::nullopt, 100),
      Pod("no-deletion", 1, 5, std::nullopt),
  };
  const EventReport report = Replay(fleet, pods);
  for (const EventRun& run : report.runs) {
    SCOPED_TRACE(run.policy);
    EXPECT_EQ(run.pods, 4);
    EXPECT_EQ(run.skipped, 2);
    EXPECT_EQ(run.placed, 2);
    EXPECT_EQ(run.never_placed, 2);
    EXPECT_DOUBLE_EQ(run.never_placed_gpus, 3);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 90);
    // The unplaceable pods wait from time 0 to the end.
    for (const UtilisationSample& s : run.utilisation) EXPECT_GE(s.queued_pods, 2);
  }
}

TEST(EventReplayTest, DeparturesAtTheSameTimeFreeCapacityBeforeArrivals) {
  const Fleet fleet = MakeFleet({1});
  // a leaves at 100 exactly when b arrives. The freed GPU goes first to q, queued since 50,
  // and b (an arrival at 100) waits until q leaves at 110. Were b placed before the
  // departure and the queue retry, b would get delay 0 and q delay 60.
  const std::vector<codec::TracePod> pods = {Pod("a", 1, 0, 100, 0), Pod("q", 1, 50, 60),
                                             Pod("b", 1, 100, 120)};
  const EventReport report = Replay(fleet, pods);
  for (const EventRun& run : report.runs) {
    SCOPED_TRACE(run.policy);
    EXPECT_EQ(run.placed, 3);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 50);
    EXPECT_DOUBLE_EQ(run.mean_delay_s, (0 + 50 + 10) / 3.0);
  }
}

TEST(EventReplayTest, ZeroLengthPodIsPlacedAndLeavesAtOnce) {
  const Fleet fleet = MakeFleet({1});
  // z takes the GPU at 0 and frees it at 0, so a (same arrival time, later in the trace)
  // still starts at 0.
  const std::vector<codec::TracePod> pods = {Pod("z", 1, 0, 0), Pod("a", 1, 0, 10)};
  const EventReport report = Replay(fleet, pods);
  for (const EventRun& run : report.runs) {
    SCOPED_TRACE(run.policy);
    EXPECT_EQ(run.placed, 2);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 0);
    EXPECT_DOUBLE_EQ(run.mean_allocated_pct, 100);
  }
}

TEST(EventReplayTest, RetryBudgetLimitsPlacerCallsPerRelease) {
  // n0: 1 GPU, 8 CPUs; n1: 1 GPU, 1 CPU.
  const Fleet fleet = MakeFleet({1, 1}, {8000, 1000});
  const std::vector<codec::TracePod> pods = {
      Pod("a", 1, 0, 100, 0, 1500),  // only n0 has the CPU; until 100
      Pod("d", 1, 0, 50, 0, 500),    // then n1; until 50
      // Queued at 10: needs 2 CPUs, so only n0 can take it. When d leaves at 50 the largest
      // free CPU (n0) and a free GPU (n1) are on different nodes, so the placer is asked and
      // says no.
      Pod("b", 1, 10, 20, std::nullopt, 2000),
      Pod("c", 1, 20, 30, std::nullopt, 500),  // fits n1 once d leaves
  };
  EventOptions unlimited;
  for (const EventRun& run : Replay(fleet, pods, unlimited).runs) {
    SCOPED_TRACE(run.policy);
    // c at 50 (delay 30), b at 100 (delay 90).
    EXPECT_DOUBLE_EQ(run.mean_delay_s, (0 + 0 + 90 + 30) / 4.0);
  }
  EventOptions one;
  one.max_retries_per_release = 1;
  for (const EventRun& run : Replay(fleet, pods, one).runs) {
    SCOPED_TRACE(run.policy);
    // At 50 the one call goes to b and fails; at 100 it places b on n0, and c waits for the
    // next release, b leaving at 110 (delay 90).
    EXPECT_EQ(run.placed, 4);
    EXPECT_DOUBLE_EQ(run.mean_delay_s, (0 + 0 + 90 + 90) / 4.0);
  }
}

TEST(EventReplayTest, UnplaceablePodsDoNotUseTheRetryBudget) {
  // n0: 2 GPUs, 1 CPU; n1: 1 GPU, 8 CPUs.
  const Fleet fleet = MakeFleet({2, 1}, {1000, 8000});
  const std::vector<codec::TracePod> pods = {
      // 2 GPUs and 4 CPUs: no node has both, although the most free CPU (n1) and the most
      // whole free GPUs (n0) would each allow it.
      Pod("u", 2, 0, 10, std::nullopt, 4000), Pod("a", 1, 0, 50, 0, 5000),  // only n1; until 50
      Pod("w", 1, 10, 20, std::nullopt, 2000),                              // only n1; queued at 10
  };
  EventOptions options;
  options.max_retries_per_release = 1;
  for (const EventRun& run : Replay(fleet, pods, options).runs) {
    SCOPED_TRACE(run.policy);
    // At 50 the single call goes to w, not to u waiting ahead of it: there is no later
    // release that could place w.
    EXPECT_EQ(run.placed, 2);
    EXPECT_EQ(run.never_placed, 1);
    EXPECT_DOUBLE_EQ(run.never_placed_gpus, 2);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 40);
  }
}

TEST(EventReplayTest, ArrivalsFollowCreationTimeWithTiesInTraceOrder) {
  const Fleet fleet = MakeFleet({1});
  const std::vector<codec::TracePod> pods = {
      Pod("b", 1, 10, 20),     // listed first, arrives last; runs 10
      Pod("a", 1, 0, 100, 0),  // arrives at 0 before c (trace order): the GPU until 100
      Pod("c", 1, 0, 5),       // queued at 0, ahead of b; runs 5
  };
  // c at 100 (delay 100), b at 105 (delay 95). Were c first at time 0, a would wait 5.
  for (const EventRun& run : Replay(fleet, pods).runs) {
    SCOPED_TRACE(run.policy);
    EXPECT_EQ(run.placed, 3);
    EXPECT_DOUBLE_EQ(run.max_delay_s, 100);
    EXPECT_DOUBLE_EQ(run.mean_delay_s, (0 + 100 + 95) / 3.0);
    EXPECT_EQ(run.utilisation.front().time, 0);
    EXPECT_EQ(run.utilisation.back().time, 115);
  }
}

TEST(EventReplayTest, TimeWeightedUtilisationAndSamples) {
  const Fleet fleet = MakeFleet({2});  // 2000 milli
  const std::vector<codec::TracePod> pods = {
      Pod("a", 1, 0, 100, 0),    // 1 GPU on [0, 100)
      Pod("b", 1, 50, 100, 50),  // 1 GPU on [50, 100)
      Pod("c", 2, 60, 100),      // queued at 60, both GPUs on [100, 140)
  };
  EventOptions options;
  options.samples = 3;
  for (const EventRun& run : Replay(fleet, pods, options).runs) {
    SCOPED_TRACE(run.policy);
    // (1000 * 50 + 2000 * 50 + 2000 * 40) / 140 / 2000 = 82.142857...%
    EXPECT_NEAR(run.mean_allocated_pct, 230000.0 / 140 / 2000 * 100, 1e-9);
    // Arrivals end at 60: (1000 * 50 + 2000 * 10) / 60 / 2000.
    EXPECT_NEAR(run.arrival_allocated_pct, 70000.0 / 60 / 2000 * 100, 1e-9);
    ASSERT_EQ(run.utilisation.size(), 3u);
    EXPECT_EQ(run.utilisation[0].time, 0);
    EXPECT_DOUBLE_EQ(run.utilisation[0].allocated_pct, 50);
    EXPECT_EQ(run.utilisation[0].queued_pods, 0);
    EXPECT_EQ(run.utilisation[1].time, 70);
    EXPECT_DOUBLE_EQ(run.utilisation[1].allocated_pct, 100);
    EXPECT_EQ(run.utilisation[1].queued_pods, 1);
    EXPECT_EQ(run.utilisation[2].time, 140);
    EXPECT_DOUBLE_EQ(run.utilisation[2].allocated_pct, 0);
    EXPECT_EQ(run.utilisation[2].queued_pods, 0);
  }
}

TEST(EventReplayTest, RejectsBadOptions) {
  const Fleet fleet = MakeFleet({1});
  const std::vector<codec::TracePod> pods = {Pod("a", 1, 0, 10)};
  EventOptions options;
  options.seeds.clear();
  EXPECT_FALSE(RunEventReplay(fleet, pods, options).ok());
  options = {};
  options.max_retries_per_release = 0;
  EXPECT_FALSE(RunEventReplay(fleet, pods, options).ok());
  options = {};
  options.policies = {"no-such-policy"};
  EXPECT_FALSE(RunEventReplay(fleet, pods, options).ok());
  EXPECT_FALSE(RunEventReplay(MakeFleet({0}), pods, {}).ok());
}

// A random fleet under enough load that pods queue, some of them unplaceable.
struct RandomCase {
  Fleet fleet;
  std::vector<codec::TracePod> pods;
};

RandomCase MakeRandomCase(uint64_t seed) {
  Rng rng(seed);
  RandomCase c{testing::RandomFleet(rng, 12), {}};
  for (int i = 0; i < 400; ++i) {
    codec::TracePod p;
    p.name = "p" + std::to_string(i);
    p.pod = testing::RandomPod(rng, c.fleet);
    p.creation_time = static_cast<int64_t>(rng.Uniform(2000));
    p.deletion_time = *p.creation_time + static_cast<int64_t>(rng.Uniform(600));
    if (rng.Uniform(3) != 0) p.scheduled_time = p.creation_time;
    c.pods.push_back(p);
  }
  return c;
}

void ExpectSameRuns(const EventReport& a, const EventReport& b) {
  ASSERT_EQ(a.runs.size(), b.runs.size());
  EXPECT_EQ(a.cluster_gpus, b.cluster_gpus);
  for (size_t i = 0; i < a.runs.size(); ++i) {
    const EventRun& x = a.runs[i];
    const EventRun& y = b.runs[i];
    SCOPED_TRACE(x.policy + " seed " + std::to_string(x.seed));
    EXPECT_EQ(x.policy, y.policy);
    EXPECT_EQ(x.seed, y.seed);
    EXPECT_EQ(x.pods, y.pods);
    EXPECT_EQ(x.placed, y.placed);
    EXPECT_EQ(x.never_placed, y.never_placed);
    EXPECT_EQ(x.never_placed_gpus, y.never_placed_gpus);
    EXPECT_EQ(x.mean_delay_s, y.mean_delay_s);
    EXPECT_EQ(x.p50_delay_s, y.p50_delay_s);
    EXPECT_EQ(x.p99_delay_s, y.p99_delay_s);
    EXPECT_EQ(x.max_delay_s, y.max_delay_s);
    EXPECT_EQ(x.mean_allocated_pct, y.mean_allocated_pct);
    ASSERT_EQ(x.utilisation.size(), y.utilisation.size());
    for (size_t s = 0; s < x.utilisation.size(); ++s) {
      EXPECT_EQ(x.utilisation[s].time, y.utilisation[s].time);
      EXPECT_EQ(x.utilisation[s].allocated_pct, y.utilisation[s].allocated_pct);
      EXPECT_EQ(x.utilisation[s].queued_pods, y.utilisation[s].queued_pods);
    }
  }
}

TEST(EventReplayTest, SameSeedReproducesResults) {
  const RandomCase c = MakeRandomCase(7);
  EventOptions options;
  options.seeds = {1, 2};
  std::vector<std::pair<size_t, size_t>> progress;
  options.on_progress = [&](size_t done, size_t total) { progress.emplace_back(done, total); };
  const EventReport first = Replay(c.fleet, c.pods, options);
  const size_t runs = placement::PolicyNames().size() * 2;
  ASSERT_EQ(first.runs.size(), runs);
  ASSERT_EQ(progress.size(), runs);
  EXPECT_EQ(progress.back(), std::make_pair(runs, runs));
  // Policy-major, then seed.
  EXPECT_EQ(first.runs[0].policy, first.runs[1].policy);
  EXPECT_EQ(first.runs[0].seed, 1u);
  EXPECT_EQ(first.runs[1].seed, 2u);
  bool queued = false;
  for (const EventRun& run : first.runs) queued |= run.max_delay_s > 0;
  EXPECT_TRUE(queued) << "the random case should make pods wait";
  ExpectSameRuns(first, Replay(c.fleet, c.pods, options));
}

TEST(EventReplayTest, LinearAndIndexedPlacersGiveIdenticalReports) {
  for (uint64_t seed : {3, 11, 19}) {
    SCOPED_TRACE("case " + std::to_string(seed));
    const RandomCase c = MakeRandomCase(seed);
    EventOptions options;
    options.seeds = {seed};
    options.indexed = true;
    const EventReport indexed = Replay(c.fleet, c.pods, options);
    options.indexed = false;
    ExpectSameRuns(indexed, Replay(c.fleet, c.pods, options));
  }
}

// What every run must satisfy, whatever the workload.
void ExpectInvariants(const EventRun& run, size_t samples) {
  SCOPED_TRACE(run.policy);
  EXPECT_EQ(run.placed + run.never_placed, run.pods);
  EXPECT_GE(run.never_placed_gpus, 0);
  EXPECT_GE(run.p50_delay_s, 0);
  EXPECT_LE(run.p50_delay_s, run.p99_delay_s);
  EXPECT_LE(run.p99_delay_s, run.max_delay_s);
  EXPECT_GE(run.mean_delay_s, 0);
  EXPECT_LE(run.mean_delay_s, run.max_delay_s);
  EXPECT_GE(run.mean_allocated_pct, 0);
  EXPECT_LE(run.mean_allocated_pct, 100);
  ASSERT_EQ(run.utilisation.size(), samples);
  for (size_t s = 0; s < run.utilisation.size(); ++s) {
    const UtilisationSample& u = run.utilisation[s];
    EXPECT_GE(u.allocated_pct, 0);
    EXPECT_LE(u.allocated_pct, 100);
    EXPECT_GE(u.queued_pods, 0);
    EXPECT_LE(u.queued_pods, run.pods);
    if (s > 0) {
      EXPECT_GE(u.time, run.utilisation[s - 1].time);
    }
  }
}

TEST(EventReplayTest, RandomWorkloadInvariants) {
  const RandomCase c = MakeRandomCase(5);
  for (const EventRun& run : Replay(c.fleet, c.pods).runs) ExpectInvariants(run, 200);
}

struct RealTrace {
  Fleet fleet;
  std::vector<codec::TracePod> pods;
};

std::optional<RealTrace> LoadRealTrace() {
  const std::string data = testing::AlibabaTraceDir();
  if (data.empty()) return std::nullopt;
  auto fleet = codec::ReadAlibabaNodes(data + "/openb_node_list_gpu_node.csv");
  EXPECT_TRUE(fleet.ok()) << fleet.status().ToString();
  if (!fleet.ok()) return std::nullopt;
  auto pods = codec::ReadAlibabaPods(data + "/openb_pod_list_default.csv", *fleet);
  EXPECT_TRUE(pods.ok()) << pods.status().ToString();
  if (!pods.ok()) return std::nullopt;
  return RealTrace{std::move(fleet).value(), std::move(pods).value()};
}

// Replayed in time on the whole openb fleet, the default trace never has more than ~65 GPUs
// in use at once (most pods live minutes, arrivals spread over 149 days), so nothing queues.
TEST(EventReplayTest, RealTraceInvariants) {
  if (testing::AlibabaTraceDir().empty()) {
    GTEST_SKIP() << "../shared/data/alibaba-gpu-v2023 is absent";
  }
  const std::optional<RealTrace> trace = LoadRealTrace();
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->pods.size(), 8152u);
  auto report = RunEventReplay(trace->fleet, trace->pods, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->cluster_gpus, 6212);
  ASSERT_EQ(report->runs.size(), placement::PolicyNames().size());
  for (const EventRun& run : report->runs) {
    EXPECT_EQ(run.pods + run.skipped, 8152);
    ExpectInvariants(run, 200);
    RecordProperty(run.policy, "seconds=" + std::to_string(run.seconds) +
                                   " never_placed=" + std::to_string(run.never_placed) +
                                   " never_placed_gpus=" + std::to_string(run.never_placed_gpus) +
                                   " mean_delay_s=" + std::to_string(run.mean_delay_s) +
                                   " p50_delay_s=" + std::to_string(run.p50_delay_s) +
                                   " p99_delay_s=" + std::to_string(run.p99_delay_s) +
                                   " max_delay_s=" + std::to_string(run.max_delay_s) +
                                   " mean_allocated_pct=" + std::to_string(run.mean_allocated_pct));
  }
}

// The same trace on every 150th node (9 nodes, 36 GPUs): long queues, so the retry path
// runs on real shapes. Linear and indexed placers must still agree.
TEST(EventReplayTest, RealTraceOnASmallFleetQueuesAndKeepsInvariants) {
  if (testing::AlibabaTraceDir().empty()) {
    GTEST_SKIP() << "../shared/data/alibaba-gpu-v2023 is absent";
  }
  const std::optional<RealTrace> trace = LoadRealTrace();
  ASSERT_TRUE(trace);
  Fleet small;
  const SiteId site = small.AddSite("s", "CN", "p", Ownership::kOwned).value();
  for (const AcceleratorModel& m : trace->fleet.models()) {
    ASSERT_TRUE(small.AddModel(m.vendor, m.name, m.memory_mib).ok());
  }
  for (size_t i = 0; i < trace->fleet.nodes().size(); i += 150) {
    const NodeSpec& n = trace->fleet.nodes()[i];
    ASSERT_TRUE(
        small.AddNode(n.name, site, n.gpu_model, n.gpu_count, n.cpu_milli, n.memory_mib).ok());
  }
  EventOptions options;
  options.samples = 50;
  const EventReport indexed = Replay(small, trace->pods, options);
  ASSERT_EQ(indexed.runs.size(), placement::PolicyNames().size());
  for (const EventRun& run : indexed.runs) {
    ExpectInvariants(run, 50);
    EXPECT_GT(run.max_delay_s, 0) << run.policy;
  }
  options.indexed = false;
  ExpectSameRuns(indexed, Replay(small, trace->pods, options));
}

}  // namespace
}  // namespace gpufleet::sim
