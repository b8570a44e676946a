// Property test of the scheduler obeying rules that change while it runs (issue 17; docs/
// service.md, "Rules that change while the fleet runs"): seeded random sequences of rule
// changes (use bans and licence requirements on the H20 and H100 in three countries, each with
// a random grace period or none, and their removal), licences recorded and revoked,
// inventory moves between the countries, job arrivals and clock advances that stop at every
// effective time on the way (service::AdvanceClock, as POST /v1/admin/clock/advance). After
// every pass, at that instant, against an offline evaluator that owes nothing to the service's
// rule book (the base document with every change in force merged in effect order, parsed, and
// the fleet check of `gpufleet check` run on a snapshot of the inventory):
//   - no running job sits on a board the offline check finds in violation, except a draining
//     one, and a draining job is inside a grace period a rule declared (its end is after now
//     and at most the longest grace any rule gave after its start);
//   - no placement exceeds its node (ExpectPlacementsWithinCapacity);
//   - the external customer's running jobs stay under the resale cap of the rules in force.
// Print the seed on failure (SCOPED_TRACE).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/licence_change.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/scheduler/resale_cap.h"
#include "gpufleet/service/clock_advance.h"
#include "service/live_fleet_harness.h"

namespace gpufleet::service {
namespace {

using inventory::Change;
using inventory::ChangeKind;

constexpr int kSeeds = 5;
constexpr int kSteps = 14;
constexpr int64_t kHourMs = 3'600'000;
constexpr int kMaxGraceHours = 48;
constexpr const char* kModels[] = {testing::kH100, testing::kH20};
constexpr const char* kSites[] = {"sg-0", "my-0", "jp-0"};
constexpr const char* kCountries[] = {"SG", "MY", "JP"};

// Two nodes of eight boards per site, of a random model each, the group's.
std::string RandomInventory(Rng& rng) {
  std::string y =
      "organisations:\n"
      "  - {id: co, name: Co, kind: company, hq_country: SG}\n"
      "  - {id: ext, name: Ext, kind: external_customer, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg-0, name: SG 0, country: SG, ownership: owned}\n"
      "  - {id: my-0, name: MY 0, country: MY, ownership: owned}\n"
      "  - {id: jp-0, name: JP 0, country: JP, ownership: owned}\n"
      "assets:\n";
  int serial = 0;
  for (const char* site : kSites) {
    for (const char* node : {"n0", "n1"}) {
      const char* model = rng.Pick(kModels);
      for (int b = 0; b < 8; ++b) {
        y += "  - {serial: S" + std::to_string(serial++) + ", model: " + model + ", site: " + site +
             ", node: " + node +
             ", owner: co, operator: co, holding: owned, acquired: 2024-01-01, arrival: export, "
             "from_country: TW}\n";
      }
    }
  }
  return y;
}

// A rule on using `model` in `country`: prohibited or licence required, with a grace period
// of its own or the operator's (0).
std::string UseRule(const std::string& id, const std::string& model, const std::string& country,
                    bool prohibited, std::optional<int> grace_hours) {
  std::string y =
      "rules:\n  - id: " + id +
      "\n    kind: regulation\n    source: \"property test\"\n    jurisdiction: " + country +
      "\n    effective_from: 2020-01-01\n    chip: \"model in {" + model + "}\"\n    locations: [" +
      country +
      "]\n    transfers: [use]\n    action: " + (prohibited ? "prohibited" : "licence_required") +
      "\n";
  if (grace_hours) y += "    grace_hours: " + std::to_string(*grace_hours) + "\n";
  return y;
}

// What the test scheduled and the service accepted, in the order scheduled.
struct Scheduled {
  int64_t effective_ms = 0;
  std::string yaml;
};

class LiveRulesScenario {
 public:
  explicit LiveRulesScenario(uint64_t seed) : seed_(seed), rng_(seed) {}

  void Run() {
    SchedulerOptions options;
    options.holder = "prop";
    options.policy = rng_.Uniform(2) == 0 ? "fgd" : "bestfit";
    options.seed = seed_;
    options.verify_active = true;
    live_ = testing::LiveFleet::Make(RandomInventory(rng_), "rules" + std::to_string(seed_),
                                     options, /*day_follows_clock=*/true, /*rule_book=*/true);
    ASSERT_NE(live_, nullptr);
    for (int t = 0; t < 2; ++t) {
      ASSERT_TRUE(live_->store().PutTenant(testing::Tenant("t" + std::to_string(t), "co")).ok());
    }
    // An external customer, under the resale cap (acme's overlay: 10% of the fleet).
    ASSERT_TRUE(live_->store().PutTenant(testing::Tenant("t2", "ext", /*external=*/true)).ok());
    for (int step = 0; step < kSteps; ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      for (int i = static_cast<int>(rng_.Uniform(5)); i > 0; --i) SubmitJob();
      for (int i = static_cast<int>(rng_.Uniform(3)); i > 0; --i) ScheduleRuleStep();
      if (rng_.Uniform(3) == 0) MoveABoard();
      const int64_t by = static_cast<int64_t>(rng_.Uniform(72)) * kHourMs;
      AdvanceClock(
          live_->clock(), &live_->inventory(),
          [this]() -> std::optional<int64_t> {
            const PassReport r = live_->Pass();
            Check();
            return r.next_drain_end_ms;
          },
          by, 1000);
      if (::testing::Test::HasFailure()) return;
    }
  }

  int64_t drains() const { return drains_seen_; }
  int64_t rule_preemptions() const { return rule_preemptions_; }
  int64_t accepted() const { return static_cast<int64_t>(scheduled_.size()); }
  int64_t external_running() const { return external_running_; }
  int64_t capped() const { return capped_; }

 private:
  void SubmitJob() {
    store::JobSpec spec = testing::Spec("t" + std::to_string(rng_.Uniform(3)), "job",
                                        1 + static_cast<int32_t>(rng_.Uniform(8)));
    spec.duration_s =
        rng_.Uniform(2) == 0 ? 0 : 3600 * (1 + static_cast<int64_t>(rng_.Uniform(48)));
    if (rng_.Uniform(2) == 0) spec.models = {rng_.Pick(kModels)};
    live_->SubmitJob(spec);
  }

  // A rule change, a licence recorded or revoked, or the removal of an earlier rule, effective
  // now or within three days.
  void ScheduleRuleStep() {
    const int64_t effective =
        live_->clock().NowMs() + static_cast<int64_t>(rng_.Uniform(73)) * kHourMs;
    const std::string country = rng_.Pick(kCountries);
    const std::string model = rng_.Pick(kModels);
    const uint64_t kind = rng_.Uniform(10);
    std::string yaml;
    if (kind < 5 || rule_ids_.empty()) {
      const std::string id = "PROP-" + std::to_string(next_id_++);
      std::optional<int> grace;
      if (rng_.Uniform(3) != 0) grace = static_cast<int>(rng_.Uniform(kMaxGraceHours + 1));
      yaml = UseRule(id, model, country, rng_.Uniform(2) == 0, grace);
      rule_ids_.push_back(id);
    } else if (kind < 7) {
      yaml = "remove_rules: [" + rule_ids_[rng_.Uniform(rule_ids_.size())] + "]\n";
    } else if (kind < 9) {
      nlohmann::json licence = {{"id", "LIC-" + std::to_string(next_id_++)},
                                {"holder", "co"},
                                {"models", {model}},
                                {"locations", {country}},
                                {"status", "granted"},
                                {"valid_from", Day(effective).ToString()}};
      if (rng_.Uniform(2) == 0) {
        licence["valid_to"] =
            Day(effective).AddDays(static_cast<int32_t>(rng_.Uniform(3))).ToString();
      }
      licence_ids_.push_back(licence["id"]);
      yaml = nlohmann::json{{"licences", nlohmann::json::array({licence})}}.dump();
    } else if (!licence_ids_.empty()) {
      const std::optional<RuleVersion> latest =
          live_->inventory().RulesAt(std::numeric_limits<int64_t>::max());
      ASSERT_TRUE(latest.has_value());
      Result<std::string> revoke = compliance::LicenceRevocation(
          latest->layered->text, licence_ids_[rng_.Uniform(licence_ids_.size())], Day(effective));
      if (!revoke.ok()) return;  // revoked already
      yaml = *revoke;
    } else {
      return;
    }
    Result<RuleChangeView> view =
        live_->inventory().ScheduleRuleChange(yaml, "step", effective, "tok_prop");
    // Refused (removing a rule removed already, say): nothing scheduled, nothing to mirror.
    if (view.ok()) scheduled_.push_back({effective, yaml});
  }

  void MoveABoard() {
    const std::string serial = "S" + std::to_string(rng_.Uniform(48));
    Change c = live_->At(ChangeKind::kMove, serial);
    c.site = rng_.Pick(kSites);
    c.node = rng_.Uniform(2) == 0 ? "n0" : "n1";
    live_->Submit(std::move(c));  // refused or not, the invariant must hold
  }

  static Date Day(int64_t ms) { return Date::FromDays(static_cast<int32_t>(ms / 86'400'000)); }

  // The serials in violation now, by the offline evaluator.
  std::set<std::string> OfflineViolations() {
    const int64_t now = live_->clock().NowMs();
    std::vector<const Scheduled*> in_force;
    for (const Scheduled& s : scheduled_) {
      if (s.effective_ms <= now) in_force.push_back(&s);
    }
    std::stable_sort(in_force.begin(), in_force.end(), [](const Scheduled* a, const Scheduled* b) {
      return a->effective_ms < b->effective_ms;
    });
    // Changes take effect no earlier than they are scheduled, so the changes in force only
    // ever grow at the end of that order: the rules are parsed again only when it grows.
    if (!offline_ || offline_count_ != in_force.size()) {
      const auto& ids = live_->basis().catalog->IdsByName();
      std::string text = live_->rules_text();
      for (const Scheduled* s : in_force) {
        Result<std::string> merged = compliance::MergeChange(text, "base", s->yaml, "step", ids);
        EXPECT_TRUE(merged.ok()) << merged.status().ToString();
        if (!merged.ok()) return {};
        text = *merged;
      }
      Result<compliance::RuleSet> rules = compliance::RuleSet::Parse(text, "offline", ids);
      EXPECT_TRUE(rules.ok()) << rules.status().ToString();
      if (!rules.ok()) return {};
      offline_ = std::make_unique<compliance::RuleSet>(std::move(rules).value());
      offline_engine_ = compliance::MakeIndexedEngine(*offline_);
      offline_count_ = in_force.size();
    }
    Result<inventory::Inventory> snapshot = live_->inventory().Snapshot();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    if (!snapshot.ok()) return {};
    const compliance::FleetCheckReport report = compliance::CheckFleet(
        *snapshot, *live_->basis().catalog, *offline_, *offline_engine_, Day(now));
    std::set<std::string> out;
    for (const compliance::AssetFinding& f : report.findings) {
      if (f.situation->severity == compliance::Severity::kViolation) out.insert(f.asset->serial);
    }
    return out;
  }

  void Check() {
    const int64_t now = live_->clock().NowMs();
    const std::shared_ptr<const FleetContext> ctx = live_->holder().Get();
    testing::ExpectPlacementsWithinCapacity(live_->store(), *ctx);
    const std::set<std::string> violating = OfflineViolations();
    Result<std::vector<store::JobRecord>> active = live_->store().LoadActive();
    ASSERT_TRUE(active.ok()) << active.status().ToString();
    scheduler::ResaleCap cap(ctx->fleet, *offline_, Day(now));
    for (const store::JobRecord& j : *active) {
      if (j.state == store::JobState::kPending) {
        if (j.last_preemption_reason.find("quarantined by PROP-") != std::string::npos &&
            counted_.insert(j.id.value() * 1000 + j.preempted_count).second) {
          ++rule_preemptions_;
        }
        continue;
      }
      if (j.draining_until_ms > 0) {
        if (counted_drains_.insert(j.id.value() * 1000 + j.preempted_count).second) {
          ++drains_seen_;
        }
        EXPECT_GT(j.draining_until_ms, now) << "job " << j.id.value() << " drains past its grace";
        EXPECT_LE(j.draining_until_ms, now + kMaxGraceHours * kHourMs)
            << "job " << j.id.value() << ": a grace no rule gave";
        continue;
      }
      for (const store::Placement& p : j.placements) {
        const std::optional<NodeId> node = ctx->fleet.fleet.FindNode(p.node);
        ASSERT_TRUE(node.has_value()) << "job " << j.id.value() << " runs on node " << p.node
                                      << ", which the fleet no longer has";
        const scheduler::NodeGroup& g = ctx->fleet.groups[ctx->fleet.node_groups[node->value()]];
        for (const inventory::Asset* a : g.assets) {
          EXPECT_FALSE(violating.contains(a->serial))
              << "job " << j.id.value() << " runs on " << p.node << ", whose board " << a->serial
              << " the rules in force forbid";
        }
        if (j.spec.tenant == "t2") {
          const NodeSpec& n = ctx->fleet.fleet.node(*node);
          cap.Add(n.site, n.gpu_model, int64_t{j.spec.gpu_count} * j.spec.gpu_milli);
          external_running_ += 1;
        }
      }
    }
    const scheduler::CapFigure* over = cap.Breached();
    EXPECT_EQ(over, nullptr) << "external use " << (over ? over->used : 0) << " of "
                             << (over ? over->capacity : 0) << " at " << (over ? over->scope : "");
    for (const scheduler::CapFigure& f : cap.figures()) capped_ += f.capacity > 0 ? 1 : 0;
  }

  const uint64_t seed_;
  Rng rng_;
  std::unique_ptr<testing::LiveFleet> live_;
  std::vector<Scheduled> scheduled_;
  std::vector<std::string> rule_ids_;
  std::vector<std::string> licence_ids_;
  int next_id_ = 0;
  int64_t drains_seen_ = 0;
  int64_t external_running_ = 0;  // placements of the external customer's running jobs seen
  int64_t capped_ = 0;            // cap figures measured
  int64_t rule_preemptions_ = 0;
  std::set<uint64_t> counted_;
  std::set<uint64_t> counted_drains_;
  // The offline rules of the first offline_count_ changes in force, and their engine.
  std::unique_ptr<compliance::RuleSet> offline_;
  std::unique_ptr<compliance::Engine> offline_engine_;
  size_t offline_count_ = 0;
};

TEST(LiveRulesPropertyTest, NothingRunsWhereTheRulesInForceForbidExceptDrainingInItsGrace) {
  int64_t drains = 0;
  int64_t preemptions = 0;
  int64_t accepted = 0;
  int64_t external = 0;
  int64_t capped = 0;
  for (int k = 0; k < kSeeds; ++k) {
    SCOPED_TRACE("seed " + std::to_string(k));
    LiveRulesScenario scenario(static_cast<uint64_t>(k));
    scenario.Run();
    if (HasFailure()) return;
    drains += scenario.drains();
    preemptions += scenario.rule_preemptions();
    accepted += scenario.accepted();
    external += scenario.external_running();
    capped += scenario.capped();
  }
  RecordProperty("external_placements", std::to_string(external));
  RecordProperty("cap_figures", std::to_string(capped));
  RecordProperty("rule_changes", std::to_string(accepted));
  RecordProperty("rule_preemptions", std::to_string(preemptions));
  RecordProperty("drains", std::to_string(drains));
  // Not vacuous: rules were scheduled, took hardware from running jobs, and let some drain.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(preemptions, 0);
  EXPECT_GT(drains, 0);
  EXPECT_GT(capped, 0) << "the resale cap was measured";
  EXPECT_GT(external, 0) << "the external customer ran under it";
}

}  // namespace
}  // namespace gpufleet::service
