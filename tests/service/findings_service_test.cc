// Findings in the service (docs/findings.md): what the checks find becomes ledger entries, the
// operator's policy quarantines hardware the scheduler then stops using (its jobs rescheduled,
// saying which finding), a release is an audited entry, and a restart replays it all.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpufleet/service/findings_reconciler.h"
#include "gpufleet/service/observed_nodes.h"
#include "service/live_fleet_harness.h"

namespace gpufleet::service {
namespace {

using inventory::Change;
using inventory::ChangeKind;
using ::testing::HasSubstr;
using testing::kH100;
using testing::LiveFleet;
using testing::Spec;

// Two nodes of eight H100s at a Singapore site, and a Tokyo site; both with coordinates.
std::string Fleet() {
  std::string y =
      "organisations:\n"
      "  - {id: a, name: A, kind: company, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg-0, name: SG 0, country: SG, ownership: owned, lat: 1.35, lon: 103.82}\n"
      "  - {id: jp-0, name: JP 0, country: JP, ownership: owned, lat: 35.68, lon: 139.69}\n"
      "  - {id: nowhere, name: No coordinates, country: SG, ownership: owned}\n"
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

NodeReport ReportOf(const std::string& node, const std::string& prefix) {
  NodeReport r{.node = node, .agent_version = "t", .provider = "file", .devices = {}};
  for (int g = 0; g < 8; ++g) {
    r.devices.push_back({.vendor = "nvidia",
                         .model = "NVIDIA H100 80GB HBM3",
                         .serial = prefix + std::to_string(g),
                         .memory_bytes = 85'520'809'984});
  }
  return r;
}

class FindingsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SchedulerOptions options;
    options.holder = "live";
    options.policy = "bestfit";
    live_ = LiveFleet::Make(Fleet(), "findings", options);
    ASSERT_NE(live_, nullptr);
    ASSERT_TRUE(live_->store().PutTenant(testing::Tenant("ta", "a")).ok());
    reconciler_ = std::make_unique<FindingsReconciler>(live_->inventory(), observed_,
                                                       *live_->basis().catalog, live_->clock());
  }

  ReconcileSummary Reconcile() {
    Result<ReconcileSummary> r = reconciler_->RunOnce();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ReconcileSummary{};
  }

  void Heard(const std::string& node, const std::string& prefix) {
    ASSERT_TRUE(observed_.Record(ReportOf(node, prefix), live_->clock().NowMs()).ok());
  }

  std::vector<findings::FindingView> All() {
    return live_->inventory().ListFindings([](const findings::FindingView&) { return true; }, 0,
                                           1000);
  }

  ObservedNodes observed_;
  std::unique_ptr<LiveFleet> live_;
  std::unique_ptr<FindingsReconciler> reconciler_;
};

TEST_F(FindingsServiceTest, ASilentNodeIsQuarantinedItsJobRescheduledAndReleaseIsAudited) {
  // Two whole-node jobs: with one node held, the job that ran there has nowhere to go.
  const JobId job = live_->SubmitJob(Spec("ta", "whole", 8));
  const JobId neighbour = live_->SubmitJob(Spec("ta", "whole", 8));
  ASSERT_EQ(live_->Pass().started, 2);
  const std::string node = live_->Job(job).placements.front().node;
  const std::string other = node == "sg-0/n0" ? "sg-0/n1" : "sg-0/n0";
  Heard(node, node == "sg-0/n0" ? "A" : "B");
  Heard(other, other == "sg-0/n0" ? "A" : "B");
  EXPECT_EQ(Reconcile().opened, 0) << "reports that agree with the inventory find nothing";

  live_->clock().Advance(6 * 60'000);  // past the 5-minute default
  Heard(other, other == "sg-0/n0" ? "A" : "B");
  const ReconcileSummary pass = Reconcile();
  EXPECT_EQ(pass.opened, 1);
  EXPECT_EQ(pass.observed_devices, 16);
  std::vector<findings::FindingView> found = All();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].record.kind, "node_silent");
  EXPECT_EQ(found[0].record.node, node);
  EXPECT_EQ(found[0].record.action, "quarantine_node");
  EXPECT_TRUE(found[0].held);

  const PassReport after = live_->Pass();
  EXPECT_EQ(after.preempted, 1);
  const store::JobRecord moved = live_->Job(job);
  EXPECT_EQ(moved.state, store::JobState::kPending);
  EXPECT_THAT(moved.last_preemption_reason, HasSubstr("held with its node by finding f-1"));
  EXPECT_EQ(live_->Job(neighbour).state, store::JobState::kRunning);
  EXPECT_EQ(live_->holder().Get()->fleet.fleet.total_gpus(), 8);

  // A restart replays the log: the same finding, still holding the node.
  InventoryService restarted(live_->store(), live_->clock(), *live_->basis().catalog,
                             *live_->basis().engine);
  ASSERT_TRUE(restarted.Load().ok());
  const std::optional<findings::FindingView> replayed = restarted.FindFinding("f-1");
  ASSERT_TRUE(replayed.has_value());
  EXPECT_TRUE(replayed->held);
  findings::Holds holds;
  ASSERT_TRUE(restarted.Snapshot(nullptr, &holds).ok());
  EXPECT_EQ(holds.nodes.at(node), std::vector<std::string>{"f-1"});

  // The node reports again: the finding resolves by itself, but the node stays out until a
  // person releases it.
  Heard(node, node == "sg-0/n0" ? "A" : "B");
  EXPECT_EQ(Reconcile().resolved, 1);
  EXPECT_EQ(live_->inventory().FindFinding("f-1")->state, findings::State::kResolved);
  live_->Pass();
  EXPECT_EQ(live_->Job(job).state, store::JobState::kPending);
  EXPECT_EQ(live_->inventory().UpdateFinding("f-1", "released", "", "tok_ops").status().code(),
            Status::Code::kInvalidArgument)
      << "a release says why";
  Result<findings::FindingView> released =
      live_->inventory().UpdateFinding("f-1", "released", "power restored", "tok_ops");
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_FALSE(released->held);
  EXPECT_EQ(released->history.back().what, "released");
  EXPECT_EQ(released->history.back().actor, "tok_ops");
  EXPECT_EQ(live_->Pass().started, 1);
  EXPECT_EQ(live_->Job(job).state, store::JobState::kRunning);
}

// A service that comes back after a long outage hears from no node for a while: that is its
// own silence, not the nodes'. A node counts as silent only for the time the service listened.
TEST_F(FindingsServiceTest, AnOutageOfTheServiceIsNotTheNodesSilence) {
  ObservedNode before{.report = ReportOf("sg-0/n0", "A"),
                      .first_seen_ms = live_->clock().NowMs() - 3'600'000,
                      .last_change_ms = live_->clock().NowMs() - 3'600'000,
                      .last_seen_ms = live_->clock().NowMs() - 3'600'000,
                      .reports = 0};
  ASSERT_TRUE(observed_.Restore(before));  // read back from the store at start, an hour old
  EXPECT_EQ(Reconcile().opened, 0);
  live_->clock().Advance(6 * 60'000);  // then five minutes of listening without a word
  EXPECT_EQ(Reconcile().opened, 1);
  EXPECT_EQ(All().at(0).record.kind, "node_silent");
}

TEST_F(FindingsServiceTest, AMoveFasterThanFreightIsALedgerFinding) {
  Change reg = live_->At(ChangeKind::kRegister, "N1");
  reg.asset = live_->inventory().FindAsset("A0")->record;
  reg.asset->serial = "N1";
  reg.asset->node = "";
  reg.asset->acquired = *Date::Parse("2026-03-01");
  ASSERT_TRUE(live_->Submit(reg).status.ok());
  live_->clock().Advance(3'600'000);  // Singapore to Tokyo (~5,300 km) in an hour
  Change move = live_->At(ChangeKind::kMove, "N1");
  move.site = "jp-0";
  const ChangeOutcome moved = live_->Submit(move);
  ASSERT_TRUE(moved.status.ok()) << moved.status.ToString();
  std::vector<findings::FindingView> found = All();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].record.kind, "move_too_fast");
  EXPECT_EQ(found[0].record.subject, "entry " + std::to_string(moved.index));
  EXPECT_EQ(found[0].history.front().index, moved.index + 1) << "recorded right after the move";
  // A move to a site without coordinates cannot be checked, and is counted.
  Change blind = live_->At(ChangeKind::kMove, "A1");
  blind.site = "nowhere";
  ASSERT_TRUE(live_->Submit(blind).status.ok());
  EXPECT_EQ(live_->inventory().moves_unchecked(), 1);
  EXPECT_EQ(All().size(), 1u);
}

TEST_F(FindingsServiceTest, ASecondRegisterOfASerialIsAFindingEvenWhenRefused) {
  Change again = live_->At(ChangeKind::kRegister, "A0");
  again.asset = live_->inventory().FindAsset("A0")->record;
  again.asset->site = "jp-0";
  again.asset->node = "";
  const ChangeOutcome refused = live_->Submit(again);
  EXPECT_EQ(refused.status.code(), Status::Code::kAlreadyExists);
  std::vector<findings::FindingView> found = All();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].record.kind, "serial_at_two_sites");
  EXPECT_EQ(found[0].record.serial, "A0");
  // Refused again: the finding is open already, not opened twice.
  EXPECT_EQ(live_->Submit(again).status.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(All().size(), 1u);
}

TEST_F(FindingsServiceTest, ABoardReportedAsAnotherModelIsQuarantinedAsADevice) {
  NodeReport r = ReportOf("sg-0/n0", "A");
  r.devices[3].model = "NVIDIA H20";
  r.devices[3].memory_bytes = 102'625'181'696;
  ASSERT_TRUE(observed_.Record(r, live_->clock().NowMs()).ok());
  EXPECT_EQ(Reconcile().opened, 1);
  const findings::FindingView f = All().at(0);
  EXPECT_EQ(f.record.kind, "model_differs");
  EXPECT_EQ(f.record.serial, "A3");
  live_->Pass();
  EXPECT_EQ(live_->holder().Get()->fleet.fleet.total_gpus(), 15);
  bool quarantined = false;
  for (const scheduler::Quarantined& q : live_->holder().Get()->fleet.quarantined) {
    quarantined = quarantined || (q.rules == "finding f-1" && q.gpus == 1);
  }
  EXPECT_TRUE(quarantined);
}

}  // namespace
}  // namespace gpufleet::service

namespace gpufleet::service {
namespace {

// A sale allowed when recorded, then a rule in force that refuses it: a pass finds the transfer,
// naming its entry and the rule.
TEST(FindingsTransferTest, ATransferTodaysRulesRefuseIsFound) {
  SchedulerOptions options;
  options.holder = "live";
  std::string fleet = Fleet();
  fleet.replace(fleet.find("sites:"), 0, "  - {id: a2, name: A2, kind: company, hq_country: SG}\n");
  auto live = LiveFleet::Make(fleet, "transfer", options, /*day_follows_clock=*/true,
                              /*rule_book=*/true);
  ASSERT_NE(live, nullptr);
  ObservedNodes observed;
  FindingsReconciler reconciler(live->inventory(), observed, *live->basis().catalog, live->clock());
  Change sale = live->At(ChangeKind::kTransfer, "A0");
  sale.owner = "a2";
  const ChangeOutcome sold = live->Submit(sale);
  ASSERT_TRUE(sold.status.ok()) << sold.status.ToString();
  ASSERT_TRUE(reconciler.RunOnce().ok());
  EXPECT_TRUE(live->inventory().TransfersRefusedAt(live->clock().NowMs()).empty());

  const std::string rule =
      "rules:\n  - id: SG-NO-H100-SALES\n    kind: regulation\n    source: \"test\"\n"
      "    jurisdiction: SG\n    effective_from: 2020-01-01\n"
      "    chip: \"model in {" +
      std::string(kH100) +
      "}\"\n    locations: [SG]\n"
      "    action: prohibited\n";
  Result<RuleChangeView> scheduled =
      live->inventory().ScheduleRuleChange(rule, "no sales", live->clock().NowMs(), "tok_t");
  ASSERT_TRUE(scheduled.ok()) << scheduled.status().ToString();
  live->clock().Advance(1000);
  Result<ReconcileSummary> pass = reconciler.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  std::vector<findings::FindingView> found = live->inventory().ListFindings(
      [](const findings::FindingView& f) { return f.record.kind == "transfer_refused_today"; }, 0,
      10);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].record.subject, "entry " + std::to_string(sold.index));
  EXPECT_EQ(found[0].record.serial, "A0");
  EXPECT_THAT(found[0].record.detail, HasSubstr("SG-NO-H100-SALES"));
}

}  // namespace
}  // namespace gpufleet::service
