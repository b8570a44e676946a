// The scheduler loop (scheduler_loop.h) on a SQLite store and small fleets, passes run by hand
// with a SimulatedClock that stands still until advanced.

#include "gpufleet/service/scheduler_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "service/scheduler_test_fleet.h"

namespace gpufleet::service {
namespace {

using ::testing::HasSubstr;
using testing::kH100;
using testing::Spec;
using ::testing::StartsWith;
using testing::Tenant;

constexpr int64_t kStartMs = 1'700'000'000'000;

class SchedulerLoopTest : public ::testing::Test {
 protected:
  // One site, two nodes of eight H100s: "sg-0/n0", "sg-0/n1".
  void SetUp() override {
    auto ctx = testing::MakeContext(testing::SmallInventory(1, 2));
    ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
    ctx_ = std::move(ctx).value();
    holder_ = std::make_unique<FleetHolder>(ctx_);
    ASSERT_EQ(ctx_->fleet.fleet.nodes().size(), 2u);
    file_ = std::make_unique<testing::StoreFile>("main");
    store_ = file_->Open();
    ASSERT_NE(store_, nullptr);
    for (const auto& [id, org] : {std::pair{"ta", "a"}, {"tb", "b"}, {"tx", "ext"}}) {
      ASSERT_TRUE(store_->PutTenant(Tenant(id, org, org == std::string("ext"))).ok());
    }
  }

  std::unique_ptr<SchedulerLoop> MakeLoop(store::Store& store, const std::string& holder,
                                          api::MetricsRegistry* metrics = nullptr) {
    SchedulerOptions options;
    options.holder = holder;
    options.policy = "bestfit";
    options.metrics = metrics;
    return std::make_unique<SchedulerLoop>(store, *holder_, clock_, options);
  }

  JobId Submit(const store::JobSpec& spec) {
    store::JobSpec s = spec;
    s.submitted_at_ms = clock_.NowMs();
    Result<store::JobRecord> job = store_->SubmitJob(s);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? job->id : JobId();
  }

  store::JobRecord Get(JobId id) {
    Result<store::JobRecord> job = store_->GetJob(id);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? std::move(job).value() : store::JobRecord{};
  }

  PassReport Pass(SchedulerLoop& loop) {
    Result<PassReport> r = loop.RunPass();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : PassReport{};
  }

  int CountEvents(JobId job, const std::string& kind) {
    Result<std::vector<store::EventRecord>> events =
        store_->ListEvents({.after_id = 0, .limit = 1000, .tenant = std::nullopt, .job = job});
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    int n = 0;
    for (const store::EventRecord& e : events.ok() ? *events : std::vector<store::EventRecord>{}) {
      n += e.kind == kind;
    }
    return n;
  }

  std::set<std::string> Nodes(const store::JobRecord& job) {
    std::set<std::string> nodes;
    for (const store::Placement& p : job.placements) nodes.insert(p.node);
    return nodes;
  }

  SimulatedClock clock_{kStartMs, 0};
  std::shared_ptr<const FleetContext> ctx_;
  std::unique_ptr<FleetHolder> holder_;
  std::unique_ptr<testing::StoreFile> file_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SchedulerLoopTest, StartsJobsFinishesThemWhenTheirDurationElapsesAndReusesTheGpus) {
  auto loop = MakeLoop(*store_, "one");
  const JobId timed = Submit(Spec("ta", "timed", 8, 1, /*duration_s=*/60));
  const JobId forever = Submit(Spec("ta", "forever", 8));
  const JobId waiting = Submit(Spec("tb", "waiting", 8));

  const PassReport first = Pass(*loop);
  EXPECT_TRUE(first.leader);
  EXPECT_EQ(first.started, 2);
  EXPECT_EQ(first.pending, 1);
  EXPECT_EQ(first.running, 2);
  EXPECT_EQ(first.next_finish_ms, kStartMs + 60'000);
  const store::JobRecord t = Get(timed);
  ASSERT_EQ(t.state, store::JobState::kRunning);
  EXPECT_EQ(t.started_at_ms, kStartMs);
  ASSERT_EQ(t.placements.size(), 1u);
  EXPECT_EQ(t.placements[0].gpu_mask, 0xFFu) << "all eight GPUs of the node";
  EXPECT_EQ(t.placements[0].epoch, first.epoch);
  const std::set<std::string> timed_nodes = Nodes(t);
  EXPECT_THAT(*timed_nodes.begin(), StartsWith("sg-0/n"));
  EXPECT_EQ(Get(forever).state, store::JobState::kRunning);
  EXPECT_NE(Nodes(Get(forever)), timed_nodes);
  EXPECT_EQ(Get(waiting).state, store::JobState::kPending);
  EXPECT_THAT(Get(waiting).pending_reason, StartsWith("capacity: "));

  // A second before the end nothing changes; at the end the GPUs go to the waiting job.
  clock_.Advance(59'999);
  EXPECT_EQ(Pass(*loop).finished, 0);
  clock_.Advance(1);
  const PassReport later = Pass(*loop);
  EXPECT_EQ(later.finished, 1);
  EXPECT_EQ(later.started, 1);
  EXPECT_EQ(later.pending, 0);
  const store::JobRecord done = Get(timed);
  EXPECT_EQ(done.state, store::JobState::kCompleted);
  EXPECT_EQ(done.finished_at_ms, kStartMs + 60'000);
  EXPECT_TRUE(done.placements.empty());
  EXPECT_EQ(Nodes(Get(waiting)), timed_nodes) << "the finished job's node is reused";
  EXPECT_EQ(testing::ExpectPlacementsWithinCapacity(*store_, *ctx_), 2);
}

// The tenant priority the admin stores decides between tenants; a job priority of 2^31-1 does
// not jump ahead of a higher-priority tenant's job. Changing it takes effect at the next pass.
TEST_F(SchedulerLoopTest, TenantPriorityOrdersBeforeJobPriority) {
  store::TenantRecord favoured = Tenant("tb", "b");
  favoured.priority = 5;
  ASSERT_TRUE(store_->PutTenant(favoured).ok());
  auto loop = MakeLoop(*store_, "one");
  store::JobSpec greedy = Spec("ta", "greedy", 8, 2);
  greedy.priority = std::numeric_limits<int32_t>::max();
  const JobId a = Submit(greedy);
  const JobId b = Submit(Spec("tb", "favoured", 8));

  Pass(*loop);
  EXPECT_EQ(Get(b).state, store::JobState::kRunning);
  EXPECT_EQ(Get(a).state, store::JobState::kPending) << "the whole fleet minus tb's node";

  // Demoted below ta, tb's next job waits behind ta's once tb's first one ends.
  favoured.priority = -1;
  ASSERT_TRUE(store_->PutTenant(favoured).ok());
  const JobId b2 = Submit(Spec("tb", "second", 8, 2));
  ASSERT_TRUE(store_->CompleteJob(b, clock_.NowMs()).ok());
  Pass(*loop);
  EXPECT_EQ(Get(a).state, store::JobState::kRunning);
  EXPECT_EQ(Get(b2).state, store::JobState::kPending);
}

TEST_F(SchedulerLoopTest, CancellingARunningJobFreesItsGpusAtTheNextPass) {
  auto loop = MakeLoop(*store_, "one");
  const JobId a = Submit(Spec("ta", "a", 8));
  const JobId b = Submit(Spec("ta", "b", 8));
  ASSERT_EQ(Pass(*loop).started, 2);
  const JobId c = Submit(Spec("tb", "c", 8));
  EXPECT_EQ(Pass(*loop).started, 0);
  ASSERT_TRUE(store_->CancelJob(b, clock_.NowMs()).ok());
  const std::set<std::string> freed = Nodes(Get(a)) == std::set<std::string>{"sg-0/n0"}
                                          ? std::set<std::string>{"sg-0/n1"}
                                          : std::set<std::string>{"sg-0/n0"};
  const PassReport r = Pass(*loop);
  EXPECT_EQ(r.started, 1);
  EXPECT_EQ(Get(c).state, store::JobState::kRunning);
  EXPECT_EQ(Nodes(Get(c)), freed);
  EXPECT_EQ(testing::ExpectPlacementsWithinCapacity(*store_, *ctx_), 2);
}

TEST_F(SchedulerLoopTest, TenantWithAGuaranteeReclaimsBorrowedGpusAndTheBorrowerRepends) {
  ASSERT_TRUE(store_->SetQuota({.tenant = "ta", .model = kH100, .guaranteed_gpus = 8}).ok());
  auto loop = MakeLoop(*store_, "one");
  const JobId b1 = Submit(Spec("tb", "b1", 8));
  clock_.Advance(1000);
  const JobId b2 = Submit(Spec("tb", "b2", 8));
  ASSERT_EQ(Pass(*loop).started, 2) << "tb borrows the whole fleet";
  clock_.Advance(1000);
  const JobId a = Submit(Spec("ta", "a", 8));
  const PassReport r = Pass(*loop);
  EXPECT_EQ(r.preempted, 1);
  EXPECT_EQ(r.started, 1);
  EXPECT_EQ(Get(a).state, store::JobState::kRunning);
  EXPECT_EQ(Get(b1).state, store::JobState::kRunning) << "the older borrowed job stays";
  const store::JobRecord victim = Get(b2);
  EXPECT_EQ(victim.state, store::JobState::kPending);
  EXPECT_TRUE(victim.placements.empty());
  EXPECT_EQ(victim.preempted_count, 1);
  EXPECT_EQ(victim.last_preemption_reason,
            std::string("preempted: tenant ta reclaims its guaranteed 8 ") + kH100 +
                " GPUs for job " + std::to_string(a.value()));
  EXPECT_EQ(CountEvents(b2, "preempted"), 1);
  // It re-pends, and the next pass says why.
  const PassReport next = Pass(*loop);
  EXPECT_EQ(next.preempted, 0);
  EXPECT_EQ(next.pending, 1);
  EXPECT_THAT(Get(b2).pending_reason, StartsWith("capacity: "));
  EXPECT_EQ(testing::ExpectPlacementsWithinCapacity(*store_, *ctx_), 2);
}

TEST_F(SchedulerLoopTest, GangStartsAllReplicasOrNone) {
  auto loop = MakeLoop(*store_, "one");
  const JobId small = Submit(Spec("ta", "small", 1));
  ASSERT_EQ(Pass(*loop).started, 1);
  // Two replicas of eight GPUs need both nodes, one of which holds a GPU already.
  const JobId gang = Submit(Spec("tb", "gang", 8, 2));
  EXPECT_EQ(Pass(*loop).started, 0);
  EXPECT_EQ(Get(gang).state, store::JobState::kPending);
  EXPECT_TRUE(Get(gang).placements.empty());
  EXPECT_THAT(Get(gang).pending_reason, HasSubstr("2 x 8 GPUs in one site"));
  ASSERT_TRUE(store_->CompleteJob(small, clock_.NowMs()).ok());
  EXPECT_EQ(Pass(*loop).started, 1);
  const store::JobRecord g = Get(gang);
  ASSERT_EQ(g.state, store::JobState::kRunning);
  ASSERT_EQ(g.placements.size(), 2u);
  EXPECT_EQ(Nodes(g), (std::set<std::string>{"sg-0/n0", "sg-0/n1"}));
  EXPECT_EQ(testing::ExpectPlacementsWithinCapacity(*store_, *ctx_), 1);
}

TEST_F(SchedulerLoopTest, JobThatCannotFitPendsWithCountsWrittenOnce) {
  auto loop = MakeLoop(*store_, "one");
  // 24 GPUs in one site; the site has 16.
  const JobId big = Submit(Spec("ta", "big", 8, 3));
  EXPECT_EQ(Pass(*loop).pending, 1);
  EXPECT_EQ(Get(big).pending_reason,
            "capacity: 3 x 8 GPUs in one site does not fit on the 2 allowed nodes (16 of 16 "
            "GPUs free)");
  EXPECT_EQ(CountEvents(big, "pending"), 1);
  clock_.Advance(5000);
  Pass(*loop);
  Pass(*loop);
  EXPECT_EQ(CountEvents(big, "pending"), 1) << "an unchanged reason is not written again";
  // Models the fleet does not hold.
  store::JobSpec h20 = Spec("ta", "h20-only", 1);
  h20.models = {testing::kH20};
  const JobId other = Submit(h20);
  Pass(*loop);
  EXPECT_EQ(Get(other).pending_reason,
            std::string("model: none of the job's models (") + testing::kH20 + ") is in the fleet");
}

TEST_F(SchedulerLoopTest, QuotaOnAModelOutsideTheFleetIsIgnored) {
  ASSERT_TRUE(
      store_->SetQuota({.tenant = "ta", .model = testing::kH20, .guaranteed_gpus = 8}).ok());
  auto loop = MakeLoop(*store_, "one");
  Submit(Spec("tb", "b1", 8));
  Submit(Spec("tb", "b2", 8));
  ASSERT_EQ(Pass(*loop).started, 2);
  Submit(Spec("ta", "a", 8));
  const PassReport r = Pass(*loop);
  EXPECT_EQ(r.preempted, 0) << "no guarantee on the fleet's H100s";
  EXPECT_EQ(r.pending, 1);
}

TEST_F(SchedulerLoopTest, OnlyOneOfTwoLoopsOnOneFileLeadsAndTheOtherTakesOver) {
  std::unique_ptr<store::Store> second = file_->Open();
  ASSERT_NE(second, nullptr);
  auto standby = MakeLoop(*second, "two");
  auto leader = MakeLoop(*store_, "one");
  const PassReport lead = Pass(*leader);
  ASSERT_TRUE(lead.leader);
  EXPECT_TRUE(leader->leader());
  const JobId a = Submit(Spec("ta", "a", 8));
  const JobId b = Submit(Spec("ta", "b", 4, 1, /*duration_s=*/10));
  const PassReport idle = Pass(*standby);
  EXPECT_FALSE(idle.leader);
  EXPECT_FALSE(standby->leader());
  EXPECT_EQ(Get(a).state, store::JobState::kPending) << "a standby writes nothing";
  ASSERT_EQ(Pass(*leader).started, 2);
  const store::JobRecord a_before = Get(a);

  // The leader's store goes away (as its process would); the standby takes over.
  leader.reset();
  store_.reset();
  store_ = std::move(second);
  const JobId c = Submit(Spec("tb", "c", 4));
  const JobId d = Submit(Spec("tb", "d", 8));
  clock_.Advance(10'000);
  const PassReport takeover = Pass(*standby);
  ASSERT_TRUE(takeover.leader);
  EXPECT_GT(takeover.epoch, lead.epoch);
  EXPECT_EQ(takeover.finished, 1);
  EXPECT_EQ(takeover.started, 1) << "c takes b's GPUs; d does not fit";
  EXPECT_EQ(Get(a).placements, a_before.placements) << "running jobs are not placed again";
  EXPECT_EQ(Get(b).state, store::JobState::kCompleted);
  EXPECT_EQ(Get(c).state, store::JobState::kRunning);
  EXPECT_EQ(Get(d).state, store::JobState::kPending);
  EXPECT_EQ(testing::ExpectPlacementsWithinCapacity(*store_, *ctx_), 2);
}

TEST_F(SchedulerLoopTest, FencedLeaderResignsWithoutWriting) {
  std::unique_ptr<store::Store> other = file_->Open();
  ASSERT_NE(other, nullptr);
  auto loop = MakeLoop(*store_, "one");
  const PassReport first = Pass(*loop);
  ASSERT_TRUE(first.leader);
  // Another holder bumps the epoch behind the leader's back.
  ASSERT_TRUE(other->AcquireEpoch("intruder", clock_.NowMs()).ok());
  const JobId a = Submit(Spec("ta", "a", 8));
  const PassReport fenced = Pass(*loop);
  EXPECT_FALSE(fenced.leader);
  EXPECT_FALSE(loop->leader());
  EXPECT_EQ(Get(a).state, store::JobState::kPending);
  // The lead is free again: the next pass takes it with a newer epoch and places the job.
  const PassReport again = Pass(*loop);
  EXPECT_TRUE(again.leader);
  EXPECT_GT(again.epoch, first.epoch + 1);
  EXPECT_EQ(again.started, 1);
}

TEST_F(SchedulerLoopTest, RunningJobOnANodeThatLeftTheFleetIsPreempted) {
  auto loop = MakeLoop(*store_, "one");
  const JobId a = Submit(Spec("ta", "a", 8));
  ASSERT_EQ(Pass(*loop).started, 1);
  const std::string node = Get(a).placements.at(0).node;
  loop.reset();
  // The daemon restarts on a fleet of other nodes.
  std::string renamed = testing::SmallInventory(1, 2);
  for (size_t at = renamed.find("node: n"); at != std::string::npos;
       at = renamed.find("node: n", at)) {
    renamed.replace(at, 7, "node: m");
  }
  auto moved = testing::MakeContext(renamed);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  SchedulerOptions options;
  options.holder = "one";
  FleetHolder moved_fleet(std::move(moved).value());
  SchedulerLoop restarted(*store_, moved_fleet, clock_, options);
  Result<PassReport> r = restarted.RunPass();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const store::JobRecord job = Get(a);
  EXPECT_EQ(job.preempted_count, 1);
  EXPECT_EQ(job.last_preemption_reason, "node " + node + " is no longer in the fleet");
}

TEST_F(SchedulerLoopTest, MetricsCountPlacementsQueuesAndAllocation) {
  api::MetricsRegistry metrics;
  auto loop = MakeLoop(*store_, "one", &metrics);
  Submit(Spec("ta", "a", 8));
  Submit(Spec("ta", "b", 4));
  Submit(Spec("tb", "c", 8));
  const PassReport r = Pass(*loop);
  ASSERT_EQ(r.started, 2);
  EXPECT_EQ(metrics.AddCounter("gpufleet_placements_total", "").Get().Value(), 2);
  EXPECT_EQ(metrics.AddCounter("gpufleet_preemptions_total", "").Get().Value(), 0);
  auto& depth = metrics.AddGauge("gpufleet_queue_depth", "", {"tenant"});
  EXPECT_EQ(depth.WithLabels({"ta"}).Value(), 0);
  EXPECT_EQ(depth.WithLabels({"tb"}).Value(), 1);
  EXPECT_EQ(metrics.AddGauge("gpufleet_gpus_allocated_ratio", "", {"site", "model"})
                .WithLabels({"sg-0", kH100})
                .Value(),
            12.0 / 16.0);
  EXPECT_EQ(metrics.AddGauge("gpufleet_scheduler_leader", "").Get().Value(), 1);
  EXPECT_EQ(metrics.AddGauge("gpufleet_scheduler_epoch", "").Get().Value(), r.epoch);
  EXPECT_THAT(metrics.Render(), HasSubstr("gpufleet_scheduling_pass_seconds_count 1"));
}

TEST_F(SchedulerLoopTest, UnknownPolicyFailsThePass) {
  SchedulerOptions options;
  options.holder = "one";
  options.policy = "no-such-policy";
  SchedulerLoop loop(*store_, *holder_, clock_, options);
  Result<PassReport> r = loop.RunPass();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(SchedulerLoopTest, BackgroundLoopRunsAPassWhenNotifiedAndResignsOnStop) {
  SchedulerOptions options;
  options.holder = "one";
  options.idle_wait_ms = 60'000;  // only Notify wakes it within the test
  SchedulerLoop loop(*store_, *holder_, clock_, options);
  loop.Start();
  const JobId a = Submit(Spec("ta", "a", 8));
  loop.Notify();
  // Waits for the observable effect of the pass, bounded; no sleep stands in for it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (Get(a).state != store::JobState::kRunning && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(Get(a).state, store::JobState::kRunning);
  loop.Stop();
  EXPECT_FALSE(loop.leader());
  std::unique_ptr<store::Store> other = file_->Open();
  ASSERT_NE(other, nullptr);
  Result<std::optional<int64_t>> lead = other->TryLead("two", clock_.NowMs());
  ASSERT_TRUE(lead.ok()) << lead.status().ToString();
  EXPECT_TRUE(lead->has_value()) << "Stop gave the lead up";
}

}  // namespace
}  // namespace gpufleet::service
