#pragma once
// The scheduler of gpufleetd: passes that read the store's active jobs, run one scheduling
// cycle (scheduler/cycle.h) on the fleet and write its decisions back as fenced
// store::Schedules.
//
// Leadership: one scheduler at a time across every process sharing the store. Each pass first
// calls Store::TryLead; a standby (another Store holds the lead) writes nothing and retries
// every idle_wait_ms, so it takes over, with a higher epoch, as soon as the leader's Store is
// gone. A leader whose write is fenced (another holder bumped the epoch) resigns.
//
// The loop keeps the active jobs in memory while it leads under one epoch: a pass reads only
// the jobs submitted, cancelled or completed through the API since the last one
// (Store::LoadActiveChanges) and applies its own decisions to the copy, so its cost follows
// what changed, not the length of the queue. A new epoch, a failed write or a failed check
// reads everything again.
//
// The fleet follows the living inventory: a pass first brings the fleet up to date (with a
// FleetRebuilder, one rebuild when the inventory changed since the last) and works on the
// version the FleetHolder holds then. When that version is new, the active jobs are mapped
// onto it by node name: nodes the change did not touch keep their names, so jobs on them run
// on untouched.
//
// One pass, at the clock's now:
//   1. running jobs whose duration has elapsed finish (their capacity is reused in the pass);
//   2. running jobs that can no longer run where they are are preempted: a node no longer in
//      the fleet, or a placement the node cannot hold. When the fleet changed since the last
//      pass, the reason names the assets that left the node and the ledger entries that
//      recorded it: "preempted: asset S retired (ledger entry 12); node sg-0/n0 can no
//      longer hold the job's placement" (service/fleet_change.h);
//   3. the cycle decides starts, preemptions (borrowed capacity taken back by a tenant within
//      its guarantee) and the reasons of jobs left pending;
//   4. pending reasons are written only when they differ from the stored one, so a stable
//      queue writes no events.
// Tenants and quotas are read each pass: a quota on a model the fleet does not hold is
// ignored (noted once on stderr).
//
// Thread safety: RunPass, Notify, leader() and Start/Stop may be called from any thread;
// passes never overlap. Start and Stop are not to be called concurrently with each other.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/api/metrics.h"
#include "gpufleet/scheduler/cycle.h"
#include "gpufleet/scheduler/eligibility.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/fleet_context.h"
#include "gpufleet/service/fleet_holder.h"
#include "gpufleet/service/fleet_rebuilder.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

struct SchedulerOptions {
  // Who leads, as recorded with the epoch (a host name and pid, say). Required.
  std::string holder;
  // A placement policy name (placement::PolicyNames). Default "fgd", whose typical-task
  // distribution is the shapes of the jobs each pass sees. An unknown name fails every pass
  // with InvalidArgument.
  std::string policy = "fgd";
  // Seed of the random choices of a pass (tie-breaks, the random policy). Default 42.
  uint64_t seed = 42;
  // Upper bound on the wait between passes of the background loop (Start), in wall-clock
  // ms: a standby retries the lead, and a leader re-reads the store (submissions through
  // another process) at least this often. Smaller reacts faster and costs more passes.
  // Default 1000.
  int64_t idle_wait_ms = 1000;
  // Lower bound on the wall-clock time from the start of one background pass to the start of
  // the next. A pass has a fixed cost besides its arrivals (it rebuilds the fleet's state
  // from every running job), so under a stream of submissions, each of which notifies the
  // loop, a floor batches arrivals into fewer passes and leaves the CPU to the API. It adds at most
  // this much to the time from submission to placement. Default 0 (a pass at once after each
  // notification).
  int64_t min_pass_interval_ms = 0;
  // Decisions per store transaction. A pass writes its schedule in order (finishes,
  // preemptions, starts, pending reasons) in transactions of at most this many, so a large
  // pass does not hold the store's writer for long and submissions commit in between. Any
  // prefix of that order is safe to be left by a crash or a takeover: capacity is freed
  // before it is reused. Default 256.
  int32_t max_decisions_per_write = 256;
  // How often, in wall-clock ms, the cycle state (the running jobs bound on the fleet) is
  // built again from the active jobs rather than kept up to date: the policy's view of the
  // typical job shapes (FGD) is taken when it is built. It is also rebuilt when tenants or
  // quotas change. Default 60000.
  int64_t rebuild_interval_ms = 60000;
  // After each incremental read, also read every active job and fail the pass (Corruption)
  // when the copy in memory differs; the next pass then reads everything. For tests and
  // debugging: it costs the full read the copy exists to avoid.
  bool verify_active = false;
  // Where the gpufleet_* scheduler metrics go; nullptr = none. Not owned; must outlive the
  // loop.
  api::MetricsRegistry* metrics = nullptr;
  // Lower bound on the wall-clock time between two rebuilds of the fleet (FleetRebuilder):
  // the first change after a quiet spell is rebuilt at the next pass, changes within the
  // interval after it wait for one rebuild at its end (the background loop wakes then). A
  // rebuild is linear in the inventory (about 130 ms of CPU at 100,000 GPUs), so under a
  // stream of changes this bounds what following them costs, and delays them at most this
  // much. Default 0: every pass that finds the inventory changed rebuilds.
  int64_t min_rebuild_interval_ms = 0;
  // And at least this many times as long as the last rebuild took, so that following a
  // stream of changes (a bulk import into a 1,000,000-asset inventory, where one rebuild takes
  // seconds) keeps the rebuilds to a bounded share of a core, and of the time the
  // inventory's lock is held for their snapshots, whatever the inventory's size. 0: no bound.
  double rebuild_cost_multiple = 0;
  // How long a job running on hardware a rule takes away may run on, draining, before it is
  // preempted, when the rule sets no grace_hours of its own (the operator's policy; gpufleetd
  // --grace-hours). Default 0: preempted in the pass the rule takes effect.
  int64_t default_grace_ms = 0;
  // false: never lead. A pass only brings the fleet up to date and writes nothing, so that an
  // instance that does not schedule (gpufleetd --no-scheduler) still serves the fleet as the
  // inventory stands. Default true.
  bool lead = true;
};

// What one pass did.
struct PassReport {
  bool leader = false;    // false: standby (or fenced during the pass); nothing was written
  int64_t epoch = 0;      // the epoch the pass wrote under; 0 when not leader
  int64_t started = 0;    // jobs started
  int64_t preempted = 0;  // running jobs sent back to pending
  int64_t finished = 0;   // running jobs whose duration elapsed
  int64_t pending = 0;    // jobs pending after the pass
  int64_t running = 0;    // jobs running after the pass (draining ones included)
  int64_t draining = 0;   // of those, draining: on hardware the rules took away, in grace
  // The FleetContext::generation the pass scheduled on, and whether it was new to this loop.
  uint64_t fleet_generation = 0;
  bool fleet_changed = false;
  // Set when the inventory changed but the rebuild waits for min_rebuild_interval_ms: when
  // it may run.
  std::optional<std::chrono::steady_clock::time_point> fleet_rebuild_due;
  // The earliest end (clock ms) of a job running after the pass; nullopt when none has a
  // duration.
  std::optional<int64_t> next_finish_ms;
  // The earliest end (clock ms) of a draining job's grace period; nullopt when none drains.
  std::optional<int64_t> next_drain_end_ms;
  std::chrono::nanoseconds duration{0};  // wall-clock time the pass took
};

class SchedulerLoop {
 public:
  // `store`, `fleet`, `clock` and `rebuilder` must outlive the loop. With `rebuilder` (which
  // Sets `fleet`), each pass first calls its Refresh, and preemption reasons name ledger
  // entries from its inventory; without, the loop follows whatever else Sets `fleet`.
  SchedulerLoop(store::Store& store, FleetHolder& fleet, const Clock& clock,
                SchedulerOptions options, FleetRebuilder* rebuilder = nullptr);
  SchedulerLoop(const SchedulerLoop&) = delete;
  SchedulerLoop& operator=(const SchedulerLoop&) = delete;
  // Stops the background loop if it runs; does not Resign when it never ran (the Store's
  // destruction gives the lead up).
  ~SchedulerLoop();

  // One pass (see the top of this file). Errors: the store's (IOError, ...), or
  // InvalidArgument for an unknown policy; a fenced write is not an error (leader = false).
  Result<PassReport> RunPass();

  // Runs passes on a background thread until Stop: after each pass it waits until Notify,
  // Stop, the clock reaching the earliest end of a running job (polled at least every
  // idle_wait_ms), or idle_wait_ms, and in any case until min_pass_interval_ms after the
  // previous pass began. A failed pass is logged to stderr and the loop goes on.
  // REQUIRES: not already started.
  void Start();
  // Ends the background loop (the pass in progress completes), joins it and resigns the lead.
  void Stop();
  // Something changed in the store (a job submitted, cancelled or completed): run a pass now.
  void Notify();

  // Whether the last pass ran as leader.
  bool leader() const { return leader_.load(); }

 private:
  struct Metrics;
  // A pending or running job as the store holds it, and as the cycle sees it.
  struct ActiveJob {
    store::JobRecord record;
    scheduler::CycleJob cycle;
    std::vector<Assignment> placed;  // running: record.placements on the fleet's nodes
    std::string gone;       // running: why the placement can no longer stand; "" when it can
    std::string gone_node;  // running, when `gone`: the node it names
    // Running, when `gone` because a new version of the fleet took the node: the cause
    // (what took it, and the node), and the grace the rules give the job when they alone
    // took it (FleetChange::GraceMs); nullopt = none, preempt now.
    std::string cause;
    std::optional<int64_t> grace_ms;
  };
  // The active jobs after the last pass, for one epoch, and the cycle state they make.
  struct ActiveJobs {
    int64_t epoch = 0;
    int64_t cursor = 0;                  // Store::LoadActiveChanges's
    std::map<uint64_t, ActiveJob> jobs;  // by id
    // The running jobs of `jobs` bound on the fleet (none of those `gone`), with the policy
    // it was built with; nullptr until a pass builds it.
    std::unique_ptr<placement::Policy> policy;
    std::unique_ptr<scheduler::CycleState> cycle;
    std::chrono::steady_clock::time_point cycle_built;
  };

  Result<PassReport> Pass();
  // Makes `next` the fleet of the loop: maps the active jobs onto it (setting `gone`, with
  // the reason a change of the fleet gives, on those it can no longer hold), and drops what
  // was built on the previous one (cycle state, eligibility, metric cells). No-op when it is
  // the current one. Returns whether it changed.
  bool UseFleet(std::shared_ptr<const FleetContext> next);
  // Rebuilds the fleet when the inventory changed, unless min_rebuild_interval_ms has not
  // passed since the last rebuild (then says when it may, in `report`).
  void RefreshFleet(PassReport& report);
  // Brings active_ up to date for `epoch`: a full read when it is empty or of another epoch.
  Status RefreshActive(int64_t epoch);
  ActiveJob MakeActiveJob(store::JobRecord record) const;
  // Binds every running job's placement on the fleet, in id order, setting `gone` on those
  // a node can no longer hold (the fleet changed under them since they started).
  void CheckPlacements();
  // Builds active_->cycle from the active jobs for `tenants`.
  Status BuildCycle(std::vector<scheduler::TenantPolicy> tenants);
  // Compares active_ with a full read (options_.verify_active).
  Status VerifyActive();
  // Mirrors in active_ what ApplySchedule wrote.
  // schedule.starts[i] is result.starts[i].
  void ApplyToActive(const store::Schedule& schedule, const store::ScheduleOutcome& outcome,
                     const scheduler::CycleResult& result);
  void Loop();
  void SetLeader(bool leader, int64_t epoch);

  store::Store& store_;
  FleetHolder& holder_;
  FleetRebuilder* const rebuilder_;  // may be nullptr
  const Clock& clock_;
  const SchedulerOptions options_;
  std::unique_ptr<Metrics> metrics_;  // nullptr without options_.metrics

  std::mutex pass_mu_;  // held for a whole pass
  // The version of the fleet active_ is mapped on, and the eligibility cache over it.
  std::shared_ptr<const FleetContext> fleet_;                 // guarded by pass_mu_
  std::unique_ptr<scheduler::EligibilityCache> eligibility_;  // guarded by pass_mu_
  int64_t epoch_ = 0;                                         // guarded by pass_mu_
  std::set<std::string> noted_;       // guarded by pass_mu_: notes already logged
  std::optional<ActiveJobs> active_;  // guarded by pass_mu_
  std::string rebuild_error_;         // guarded by pass_mu_: the last Refresh's error; "" when none
  // When the last rebuild ran (the epoch of the steady clock before the first).
  std::chrono::steady_clock::time_point last_rebuild_;       // guarded by pass_mu_
  std::chrono::steady_clock::duration last_rebuild_cost_{};  // guarded by pass_mu_
  std::atomic<bool> leader_{false};

  std::mutex mu_;
  std::condition_variable wake_;
  bool notified_ = false;  // guarded by mu_
  bool stop_ = false;      // guarded by mu_
  std::thread thread_;
};

}  // namespace gpufleet::service
