#pragma once
// Shared by the suites of the fleet that follows the living inventory: a SQLite store, an
// InventoryService seeded from an inventory written as a string, the FleetHolder and
// FleetRebuilder over it, and a scheduler loop that brings the fleet up to date at the start
// of each pass, as gpufleetd wires them; the clock stands at the rules' date until advanced.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/inventory/change.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/service/fleet_rebuilder.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/service/scheduler_loop.h"
#include "scheduler/shipped_inputs.h"
#include "service/scheduler_test_fleet.h"

namespace gpufleet::service::testing {

// 2026-03-01T00:00:00Z, kAt: changes take effect on the date the rules are judged on.
inline constexpr int64_t kLiveStartMs = 1'772'323'200'000;

class LiveFleet {
 public:
  // Use Make; this opens the store only.
  explicit LiveFleet(const std::string& tag) : file_(tag), store_(file_.Open()) {}
  LiveFleet(const LiveFleet&) = delete;
  LiveFleet& operator=(const LiveFleet&) = delete;

  // The shipped catalog and rules with acme's overlay on kAt; `inventory_yaml` seeded into an
  // empty store as gpufleetd seeds one from --fleet. With `day_follows_clock`, the rebuilder
  // judges the rules on the clock's day (gpufleetd without --at); else on kAt for good. With
  // `rule_book` too, as gpufleetd runs: the inventory keeps a rule book over those rules (rule
  // changes and licences may be scheduled) and the fleet follows the rules in force.
  static std::unique_ptr<LiveFleet> Make(const std::string& inventory_yaml, const std::string& tag,
                                         SchedulerOptions options, bool day_follows_clock = false,
                                         bool rule_book = false) {
    auto in = scheduler::testing::LoadShippedInputs();
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    auto rules = in.ok() ? in->RulesWithAcme() : Result<compliance::RuleSet>(in.status());
    EXPECT_TRUE(rules.ok()) << rules.status().ToString();
    if (!rules.ok()) return nullptr;
    auto inv = inventory::Inventory::Parse(inventory_yaml, "live.yaml", "", in->catalog);
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    if (!inv.ok()) return nullptr;
    auto out = std::make_unique<LiveFleet>(tag);
    if (out->store_ == nullptr) return nullptr;
    out->basis_ = MakeFleetBasis(std::move(in->catalog), std::move(rules).value(), kAt);
    out->inventory_ = std::make_unique<InventoryService>(*out->store_, out->clock_,
                                                         *out->basis_.catalog, *out->basis_.engine);
    if (rule_book) {
      Result<std::string> text =
          compliance::MergeChange(in->rules_text, "default.yaml", in->overlay_text,
                                  "acme-rules.yaml", out->basis_.catalog->IdsByName());
      EXPECT_TRUE(text.ok()) << text.status().ToString();
      if (!text.ok()) return nullptr;
      out->rules_text_ = *text;
      out->inventory_->SetRuleBase(*text, "default.yaml + acme-rules.yaml");
    }
    Status loaded = out->inventory_->Load();
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
    Result<std::vector<ChangeOutcome>> refused = out->inventory_->Seed(*inv, "live.yaml");
    EXPECT_TRUE(refused.ok()) << refused.status().ToString();
    if (!loaded.ok() || !refused.ok()) return nullptr;
    EXPECT_TRUE(refused->empty()) << refused->front().status.ToString();
    Result<std::shared_ptr<const FleetContext>> fleet =
        BuildFleetFromInventory(out->basis_, *out->inventory_);
    EXPECT_TRUE(fleet.ok()) << fleet.status().ToString();
    if (!fleet.ok()) return nullptr;
    out->holder_ = std::make_unique<FleetHolder>(*fleet);
    out->rebuilder_ = std::make_unique<FleetRebuilder>(out->basis_, *out->inventory_, *out->holder_,
                                                       day_follows_clock ? &out->clock_ : nullptr,
                                                       day_follows_clock);
    out->loop_ = std::make_unique<SchedulerLoop>(*out->store_, *out->holder_, out->clock_,
                                                 std::move(options), out->rebuilder_.get());
    return out;
  }

  store::Store& store() { return *store_; }
  InventoryService& inventory() { return *inventory_; }
  FleetHolder& holder() { return *holder_; }
  FleetRebuilder& rebuilder() { return *rebuilder_; }
  SchedulerLoop& loop() { return *loop_; }
  SimulatedClock& clock() { return clock_; }
  const FleetBasis& basis() const { return basis_; }
  // With rule_book: the document the rule book starts from.
  const std::string& rules_text() const { return rules_text_; }

  // A change of `kind` to `serial`, effective now.
  inventory::Change At(inventory::ChangeKind kind, const std::string& serial) const {
    inventory::Change c;
    c.kind = kind;
    c.serial = serial;
    c.effective_ms = clock_.NowMs();
    return c;
  }

  // Submits `c` alone and returns what became of it (the test fails unless it was answered).
  ChangeOutcome Submit(inventory::Change c) {
    Result<std::vector<ChangeOutcome>> out =
        inventory_->Submit({std::move(c)}, "tok_live", /*all_or_nothing=*/true);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->front() : ChangeOutcome{};
  }

  PassReport Pass() {
    Result<PassReport> r = loop_->RunPass();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : PassReport{};
  }

  JobId SubmitJob(store::JobSpec spec) {
    spec.submitted_at_ms = clock_.NowMs();
    Result<store::JobRecord> job = store_->SubmitJob(spec);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? job->id : JobId();
  }

  store::JobRecord Job(JobId id) {
    Result<store::JobRecord> job = store_->GetJob(id);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? std::move(job).value() : store::JobRecord{};
  }

 private:
  // Declared in the order they are built: destroyed loop first, store last.
  StoreFile file_;
  std::unique_ptr<store::Store> store_;
  SimulatedClock clock_{kLiveStartMs, 0};
  FleetBasis basis_;
  std::string rules_text_;
  std::unique_ptr<InventoryService> inventory_;
  std::unique_ptr<FleetHolder> holder_;
  std::unique_ptr<FleetRebuilder> rebuilder_;
  std::unique_ptr<SchedulerLoop> loop_;
};

}  // namespace gpufleet::service::testing
