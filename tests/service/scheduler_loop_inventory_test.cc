// The scheduler loop follows the living inventory without a restart (scheduler_loop.h,
// fleet_rebuilder.h): a change accepted by the InventoryService reaches the next pass, which
// preempts exactly the running jobs the changed nodes can no longer hold, with a reason that
// names the asset and its ledger entry, leaves every other job where it runs, and starts
// pending jobs on hardware that arrived.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "gpufleet/api/metrics.h"
#include "service/live_fleet_harness.h"

namespace gpufleet::service {
namespace {

using inventory::Change;
using inventory::ChangeKind;
using ::testing::HasSubstr;
using testing::kH100;
using testing::LiveFleet;
using testing::Spec;
using ::testing::StartsWith;

constexpr char kA100[] = "nvidia-a100-sxm4-80gb";

// Organisation a (a company) and a counterparty that buys hardware, two sites in Singapore,
// and eight H100s of a's in each of sg-0's nodes n0 (serials A0..A7) and n1 (B0..B7).
std::string TwoNodes() {
  std::string y =
      "organisations:\n"
      "  - {id: a, name: A, kind: company, hq_country: SG}\n"
      "  - {id: buyer, name: Buyer, kind: counterparty, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg-0, name: SG 0, country: SG, ownership: owned}\n"
      "  - {id: sg-1, name: SG 1, country: SG, ownership: owned}\n"
      "assets:\n";
  for (const auto& [prefix, node] : {std::pair{"A", "n0"}, {"B", "n1"}}) {
    for (int g = 0; g < 8; ++g) {
      y += "  - {serial: " + std::string(prefix) + std::to_string(g) + ", model: " + kH100 +
           ", site: sg-0, node: " + node +
           ", owner: a, operator: a, holding: owned, acquired: 2024-01-01, arrival: export, "
           "from_country: TW}\n";
    }
  }
  return y;
}

inventory::Asset H100(const std::string& serial, const std::string& site, const std::string& node,
                      const std::string& model = kH100) {
  return {.serial = serial,
          .model = model,
          .site = site,
          .node = node,
          .owner = "a",
          .operator_org = "a",
          .holding = inventory::Holding::kOwned,
          .acquired = *Date::Parse("2024-01-01"),
          .arrival = inventory::Arrival::kExport,
          .from_country = "TW",
          .declared_memory_gb = std::nullopt,
          .declared_tpp = std::nullopt,
          .declared_dram_bw_gbs = std::nullopt,
          .file = "",
          .line = 0};
}

class SchedulerLoopInventoryTest : public ::testing::Test {
 protected:
  void Make(const std::string& inventory_yaml) {
    SchedulerOptions options;
    options.holder = "live";
    options.policy = "bestfit";
    options.verify_active = true;  // the remapped copy must still be the store's
    options.metrics = &metrics_;
    live_ = LiveFleet::Make(inventory_yaml, "live", options);
    ASSERT_NE(live_, nullptr);
    ASSERT_TRUE(live_->store().PutTenant(testing::Tenant("ta", "a")).ok());
  }

  // Registers `asset`, effective now; the outcome's ledger index.
  int64_t Register(const inventory::Asset& asset) {
    Change c = live_->At(ChangeKind::kRegister, asset.serial);
    c.asset = asset;
    const ChangeOutcome o = live_->Submit(c);
    EXPECT_TRUE(o.status.ok()) << asset.serial << ": " << o.status.ToString();
    return o.index;
  }

  std::string Node(JobId id) {
    const store::JobRecord job = live_->Job(id);
    return job.placements.empty() ? "" : job.placements.front().node;
  }

  std::vector<store::EventRecord> Events(JobId id) {
    Result<std::vector<store::EventRecord>> events = live_->store().ListEvents(
        {.after_id = 0, .limit = 1000, .tenant = std::nullopt, .job = id});
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<store::EventRecord>{};
  }

  double FleetVersions() {
    return metrics_.AddCounter("gpufleet_fleet_versions_total", "").Get().Value();
  }

  api::MetricsRegistry metrics_;
  std::unique_ptr<LiveFleet> live_;
};

// Sixteen GPUs: an eight-GPU job on one node, eight one-GPU jobs on the other. One board of
// the second node retired: that node holds seven GPUs now, so exactly the job on its GPU 7
// goes back to pending, saying which asset and entry; the other fifteen run on untouched.
TEST_F(SchedulerLoopInventoryTest, RetiringABoardPreemptsExactlyTheJobItsNodeCanNoLongerHold) {
  Make(TwoNodes());
  const JobId whole = live_->SubmitJob(Spec("ta", "whole", 8));
  std::vector<JobId> singles;
  for (int i = 0; i < 8; ++i) singles.push_back(live_->SubmitJob(Spec("ta", "one", 1)));
  ASSERT_EQ(live_->Pass().started, 9);
  const std::string shared = Node(singles.front());
  ASSERT_NE(shared, Node(whole));
  std::map<uint64_t, store::JobRecord> before;
  for (JobId id : singles) before[id.value()] = live_->Job(id);
  const store::JobRecord whole_before = live_->Job(whole);

  const std::string serial = shared == "sg-0/n0" ? "A3" : "B3";
  const ChangeOutcome retired = live_->Submit(live_->At(ChangeKind::kRetire, serial));
  ASSERT_TRUE(retired.status.ok()) << retired.status.ToString();

  const PassReport pass = live_->Pass();
  EXPECT_TRUE(pass.fleet_changed);
  EXPECT_EQ(pass.fleet_generation, live_->inventory().generation());
  EXPECT_EQ(pass.preempted, 1);
  const std::string reason = "preempted: asset " + serial + " retired (ledger entry " +
                             std::to_string(retired.index) + "); node " + shared +
                             " can no longer hold the job's placement";
  int preempted = 0;
  for (JobId id : singles) {
    const store::JobRecord now = live_->Job(id);
    const store::JobRecord& was = before[id.value()];
    if (was.placements.front().gpu_mask == uint64_t{1} << 7) {
      ++preempted;
      EXPECT_EQ(now.state, store::JobState::kPending);
      EXPECT_EQ(now.preempted_count, 1);
      EXPECT_EQ(now.last_preemption_reason, reason);
      const std::vector<store::EventRecord> events = Events(id);
      ASSERT_FALSE(events.empty());
      bool found = false;
      for (const store::EventRecord& e : events) {
        found = found || (e.kind == "preempted" && e.detail == reason);
      }
      EXPECT_TRUE(found) << "no preempted event with the reason";
    } else {
      EXPECT_EQ(now, was) << "job " << id.value() << " on GPU " << was.placements.front().gpu_mask
                          << " was touched";
    }
  }
  EXPECT_EQ(preempted, 1);
  EXPECT_EQ(live_->Job(whole), whole_before);
  const FleetContext& fleet = *live_->holder().Get();
  EXPECT_EQ(fleet.fleet.fleet.node(*fleet.fleet.fleet.FindNode(shared)).gpu_count, 7);
  EXPECT_EQ(testing::ExpectPlacementsWithinCapacity(live_->store(), fleet), 8);  // running jobs

  // Nowhere to go: it waits, saying why, and nothing else moves.
  const PassReport next = live_->Pass();
  EXPECT_FALSE(next.fleet_changed);
  EXPECT_EQ(next.preempted, 0);
  EXPECT_EQ(next.started, 0);
  for (JobId id : singles) {
    const store::JobRecord now = live_->Job(id);
    if (now.state == store::JobState::kPending) {
      EXPECT_THAT(now.pending_reason, StartsWith("capacity: "));
    }
  }
}

struct ChangeCase {
  const char* name;
  ChangeKind kind;
  // What the change does to asset A0, and what the reason then says became of it.
  void (*fill)(Change&);
  const char* fate;
};

class SchedulerLoopInventoryChangeTest : public SchedulerLoopInventoryTest,
                                         public ::testing::WithParamInterface<ChangeCase> {};

// A board leaves node sg-0/n0 in each way the inventory records: the whole-node job there is
// preempted with a reason naming the board, what became of it and the entry; the job on
// sg-0/n1 runs on, untouched.
TEST_P(SchedulerLoopInventoryChangeTest, TheJobOnTheNodeABoardLeftIsPreemptedNamingTheEntry) {
  const ChangeCase& param = GetParam();
  Make(TwoNodes());
  const JobId first = live_->SubmitJob(Spec("ta", "first", 8));
  const JobId second = live_->SubmitJob(Spec("ta", "second", 8));
  ASSERT_EQ(live_->Pass().started, 2);
  const JobId on_n0 = Node(first) == "sg-0/n0" ? first : second;
  const JobId on_n1 = on_n0 == first ? second : first;
  ASSERT_EQ(Node(on_n1), "sg-0/n1");
  const store::JobRecord untouched = live_->Job(on_n1);

  Change c = live_->At(param.kind, "A0");
  param.fill(c);
  const ChangeOutcome o = live_->Submit(c);
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();

  const PassReport pass = live_->Pass();
  EXPECT_EQ(pass.preempted, 1);
  const store::JobRecord job = live_->Job(on_n0);
  EXPECT_EQ(job.state, store::JobState::kPending);
  EXPECT_EQ(job.last_preemption_reason,
            "preempted: asset A0 " + std::string(param.fate) + " (ledger entry " +
                std::to_string(o.index) + "); node sg-0/n0 can no longer hold the job's placement");
  EXPECT_EQ(live_->Job(on_n1), untouched);
  EXPECT_EQ(FleetVersions(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, SchedulerLoopInventoryChangeTest,
    ::testing::Values(ChangeCase{"Retire", ChangeKind::kRetire, [](Change&) {}, "retired"},
                      ChangeCase{"Lost", ChangeKind::kLost, [](Change& c) { c.how = "stolen"; },
                                 "stolen"},
                      ChangeCase{"Move", ChangeKind::kMove,
                                 [](Change& c) {
                                   c.site = "sg-1";
                                   c.node = "n5";
                                 },
                                 "moved to sg-1/n5"},
                      // Sold, the buyer operating it: no longer the fleet's.
                      ChangeCase{"TransferAway", ChangeKind::kTransfer,
                                 [](Change& c) { c.owner = "buyer"; }, "transferred to buyer"}),
    [](const ::testing::TestParamInfo<ChangeCase>& p) { return std::string(p.param.name); });

// A job that fits nowhere starts on hardware registered while the service runs, and eight
// registrations accepted one by one between two passes cost one rebuild.
TEST_F(SchedulerLoopInventoryTest, APendingJobStartsOnANodeRegisteredWithoutARestart) {
  Make(TwoNodes());
  const JobId a = live_->SubmitJob(Spec("ta", "a", 8));
  const JobId b = live_->SubmitJob(Spec("ta", "b", 8));
  const JobId waiting = live_->SubmitJob(Spec("ta", "waiting", 8));
  ASSERT_EQ(live_->Pass().started, 2);
  EXPECT_THAT(live_->Job(waiting).pending_reason, StartsWith("capacity: "));
  const store::JobRecord a_before = live_->Job(a);
  const store::JobRecord b_before = live_->Job(b);

  const uint64_t generation = live_->inventory().generation();
  for (int g = 0; g < 8; ++g) Register(H100("C" + std::to_string(g), "sg-1", "n7"));
  ASSERT_EQ(live_->inventory().generation(), generation + 8);

  const PassReport pass = live_->Pass();
  EXPECT_TRUE(pass.fleet_changed);
  EXPECT_EQ(pass.started, 1);
  EXPECT_EQ(pass.preempted, 0);
  EXPECT_EQ(FleetVersions(), 1) << "one rebuild for eight changes";
  EXPECT_EQ(live_->Job(waiting).state, store::JobState::kRunning);
  EXPECT_EQ(Node(waiting), "sg-1/n7");
  EXPECT_EQ(live_->Job(a), a_before);
  EXPECT_EQ(live_->Job(b), b_before);
  EXPECT_FALSE(live_->Pass().fleet_changed);
}

// With a floor between rebuilds, the first change after a quiet spell is rebuilt at once and
// a change inside the floor waits, the pass saying until when; the jobs stay where they run.
TEST_F(SchedulerLoopInventoryTest, ChangesWithinTheRebuildFloorWaitForTheNextRebuild) {
  SchedulerOptions options;
  options.holder = "floor";
  options.policy = "bestfit";
  options.min_rebuild_interval_ms = 3'600'000;
  live_ = LiveFleet::Make(TwoNodes(), "floor", options);
  ASSERT_NE(live_, nullptr);
  ASSERT_TRUE(live_->store().PutTenant(testing::Tenant("ta", "a")).ok());
  const JobId job = live_->SubmitJob(Spec("ta", "job", 8));
  ASSERT_EQ(live_->Pass().started, 1);

  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, "C0")).status.code() ==
              Status::Code::kNotFound);  // refused: nothing to rebuild
  const PassReport quiet = live_->Pass();
  EXPECT_FALSE(quiet.fleet_changed);
  EXPECT_FALSE(quiet.fleet_rebuild_due.has_value());

  const std::string other = Node(job) == "sg-0/n0" ? "B0" : "A0";
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, other)).status.ok());
  const PassReport first = live_->Pass();
  EXPECT_TRUE(first.fleet_changed) << "the first change after a quiet spell";
  EXPECT_FALSE(first.fleet_rebuild_due.has_value());

  const std::string mine = Node(job) == "sg-0/n0" ? "A0" : "B0";
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, mine)).status.ok());
  const PassReport waiting = live_->Pass();
  EXPECT_FALSE(waiting.fleet_changed);
  EXPECT_EQ(waiting.preempted, 0);
  ASSERT_TRUE(waiting.fleet_rebuild_due.has_value());
  EXPECT_GE(*waiting.fleet_rebuild_due, before + std::chrono::minutes(59));
  EXPECT_EQ(live_->Job(job).state, store::JobState::kRunning) << "not yet: the fleet waits";
  EXPECT_LT(live_->holder().Get()->generation, live_->inventory().generation());
}

// A floor proportional to what the last rebuild cost: with no fixed floor, a change right
// after a rebuild still waits, the pass saying until when (a rebuild takes far more than the
// 3.6 µs that, times 10^9, would make an hour).
TEST_F(SchedulerLoopInventoryTest, RebuildsAreSpacedByWhatTheLastOneCost) {
  SchedulerOptions options;
  options.holder = "cost";
  options.policy = "bestfit";
  options.rebuild_cost_multiple = 1e9;
  live_ = LiveFleet::Make(TwoNodes(), "cost", options);
  ASSERT_NE(live_, nullptr);
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, "A0")).status.ok());
  const PassReport first = live_->Pass();
  EXPECT_TRUE(first.fleet_changed);
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, "B0")).status.ok());
  const PassReport next = live_->Pass();
  EXPECT_FALSE(next.fleet_changed);
  ASSERT_TRUE(next.fleet_rebuild_due.has_value());
  EXPECT_GE(*next.fleet_rebuild_due, std::chrono::steady_clock::now() + std::chrono::hours(1));
}

// The spacing is for following inventory changes: the day turning (as when a scheduled rule
// change's time comes) is rebuilt for at the next pass, however recent the last rebuild.
TEST_F(SchedulerLoopInventoryTest, ANewDayIsNotDeferredByTheRebuildSpacing) {
  SchedulerOptions options;
  options.holder = "day";
  options.policy = "bestfit";
  options.rebuild_cost_multiple = 1e9;
  live_ = LiveFleet::Make(TwoNodes(), "day", options, /*day_follows_clock=*/true);
  ASSERT_NE(live_, nullptr);
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, "A0")).status.ok());
  ASSERT_TRUE(live_->Pass().fleet_changed);
  ASSERT_TRUE(live_->Submit(live_->At(ChangeKind::kRetire, "B0")).status.ok());
  const PassReport deferred = live_->Pass();
  EXPECT_FALSE(deferred.fleet_changed) << "an inventory change waits for the spacing";
  ASSERT_TRUE(deferred.fleet_rebuild_due.has_value());

  live_->clock().Advance(86'400'000);
  const PassReport next_day = live_->Pass();
  EXPECT_TRUE(next_day.fleet_changed) << "the day turned: rebuilt at once";
  EXPECT_EQ(live_->holder().Get()->at, *Date::Parse("2026-03-02"));
  EXPECT_EQ(live_->holder().Get()->generation, live_->inventory().generation())
      << "and the waiting inventory change with it";
}

// Boards with no node recorded are packed eight to a node per (site, model) by count: an
// arrival grows the last node and renames nothing; a departure, whichever board it is, takes
// the last node's last GPU, and the job there is the one preempted.
TEST_F(SchedulerLoopInventoryTest, PackedNodesKeepTheirNamesAndLoseTheirLastGpu) {
  std::string y =
      "organisations:\n"
      "  - {id: a, name: A, kind: company, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg-0, name: SG 0, country: SG, ownership: owned}\n"
      "assets:\n";
  for (int g = 0; g < 12; ++g) {
    y += "  - {serial: U" + std::to_string(g + 10) + ", model: " + kH100 +
         ", site: sg-0, owner: a, operator: a, holding: owned, acquired: 2024-01-01, "
         "arrival: export, from_country: TW}\n";
  }
  Make(y);
  const std::string first = "sg-0/" + std::string(kH100) + "#1";
  const std::string second = "sg-0/" + std::string(kH100) + "#2";
  const JobId eight = live_->SubmitJob(Spec("ta", "eight", 8));
  const JobId four = live_->SubmitJob(Spec("ta", "four", 4));
  ASSERT_EQ(live_->Pass().started, 2);
  ASSERT_EQ(Node(eight), first);
  ASSERT_EQ(Node(four), second);
  const store::JobRecord eight_before = live_->Job(eight);
  const store::JobRecord four_before = live_->Job(four);

  for (int g = 22; g < 26; ++g) Register(H100("U" + std::to_string(g), "sg-0", ""));
  const JobId more = live_->SubmitJob(Spec("ta", "more", 4));
  const PassReport grown = live_->Pass();
  EXPECT_TRUE(grown.fleet_changed);
  EXPECT_EQ(grown.preempted, 0);
  EXPECT_EQ(grown.started, 1);
  EXPECT_EQ(Node(more), second) << "the last node grew to eight";
  EXPECT_EQ(live_->Job(eight), eight_before);
  EXPECT_EQ(live_->Job(four), four_before);

  // U10 is the first board recorded; it is still the last node that shrinks.
  const ChangeOutcome retired = live_->Submit(live_->At(ChangeKind::kRetire, "U10"));
  ASSERT_TRUE(retired.status.ok()) << retired.status.ToString();
  const PassReport shrunk = live_->Pass();
  EXPECT_EQ(shrunk.preempted, 1);
  EXPECT_EQ(live_->Job(eight), eight_before);
  const JobId upper = live_->Job(four).placements.front().gpu_mask == 0xF0u ? four : more;
  const JobId lower = upper == four ? more : four;
  EXPECT_EQ(live_->Job(lower).state, store::JobState::kRunning);
  EXPECT_EQ(live_->Job(upper).state, store::JobState::kPending);
  EXPECT_EQ(live_->Job(upper).last_preemption_reason,
            "preempted: asset U10 retired (ledger entry " + std::to_string(retired.index) +
                "); node " + second + " can no longer hold the job's placement");
}

// A node gaining a second model is renamed ("sg-0/n0" becomes "sg-0/n0/<model>"), so the job
// there is preempted although nothing left: the reason names the arrival. The job runs again
// in the next pass, on the renamed node.
TEST_F(SchedulerLoopInventoryTest, ASecondModelInANodeRenamesItAndTheReasonNamesTheArrival) {
  Make(TwoNodes());
  const JobId first = live_->SubmitJob(Spec("ta", "first", 8));
  const JobId second = live_->SubmitJob(Spec("ta", "second", 8));
  ASSERT_EQ(live_->Pass().started, 2);
  const JobId on_n0 = Node(first) == "sg-0/n0" ? first : second;
  const JobId on_n1 = on_n0 == first ? second : first;
  const store::JobRecord untouched = live_->Job(on_n1);

  const int64_t index = Register(H100("X0", "sg-0", "n0", kA100));
  const PassReport pass = live_->Pass();
  EXPECT_EQ(pass.preempted, 1);
  EXPECT_EQ(live_->Job(on_n0).last_preemption_reason,
            "preempted: asset X0 joined sg-0/n0 (ledger entry " + std::to_string(index) +
                "); node sg-0/n0 is no longer in the fleet");
  EXPECT_EQ(live_->Job(on_n1), untouched);
  EXPECT_EQ(live_->Pass().started, 1);
  EXPECT_EQ(Node(on_n0), "sg-0/n0/" + std::string(kH100));
}

// A site's record changed so that the rules now forbid its boards (sg-0 recorded as being in
// mainland China, where these H100s need a licence): every board there is quarantined, both
// nodes go, and the reason names the boards, the rule and the site's entry, the only one
// between the two versions.
TEST_F(SchedulerLoopInventoryTest, BoardsQuarantinedByASiteChangeNameTheRuleAndTheEntry) {
  Make(TwoNodes());
  const JobId first = live_->SubmitJob(Spec("ta", "first", 8));
  ASSERT_EQ(live_->Pass().started, 1);
  const std::string node = Node(first);
  Change c;
  c.kind = ChangeKind::kSite;
  c.effective_ms = live_->clock().NowMs();
  std::optional<inventory::Site> site = live_->inventory().FindSite("sg-0");
  ASSERT_TRUE(site.has_value());
  site->country = "CN";
  c.place = *site;
  const ChangeOutcome o = live_->Submit(c);
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();

  const PassReport pass = live_->Pass();
  EXPECT_EQ(pass.preempted, 1);
  const std::string reason = live_->Job(first).last_preemption_reason;
  const std::string serial = node == "sg-0/n0" ? "A" : "B";
  const std::string entry = "(ledger entry " + std::to_string(o.index) + ")";
  EXPECT_THAT(reason, StartsWith("preempted: asset " + serial + "0 quarantined by "));
  EXPECT_THAT(reason, HasSubstr(entry + ", asset " + serial + "1 quarantined by "));
  EXPECT_THAT(reason,
              HasSubstr(entry + " and 6 more; node " + node + " is no longer in the fleet"));
  EXPECT_TRUE(live_->holder().Get()->fleet.fleet.nodes().empty());
  EXPECT_FALSE(live_->holder().Get()->fleet.quarantined.empty());
}

}  // namespace
}  // namespace gpufleet::service
