#include "gpufleet/service/scheduler_loop.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "gpufleet/log/log.h"
#include "gpufleet/model/cluster_state.h"
#include "gpufleet/scheduler/cycle.h"
#include "service/cycle_input.h"
#include "service/fleet_change.h"

namespace gpufleet::service {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::set<uint64_t> IdSet(const std::vector<JobId>& ids) {
  std::set<uint64_t> out;
  for (JobId id : ids) out.insert(id.value());
  return out;
}

// Writes `schedule` in its order in transactions of at most `chunk` decisions (at least one
// transaction, which checks the epoch); the outcomes merged, or the first error, with what
// came before it written.
Result<store::ScheduleOutcome> ApplyInChunks(store::Store& store, const store::Schedule& schedule,
                                             size_t chunk) {
  store::ScheduleOutcome out;
  store::Schedule part;
  part.epoch = schedule.epoch;
  size_t decisions = 0;
  bool written = false;
  const auto flush = [&]() -> Status {
    Result<store::ScheduleOutcome> r = store.ApplySchedule(part);
    if (!r.ok()) return r.status();
    const auto append = [](std::vector<JobId>& to, const std::vector<JobId>& from) {
      to.insert(to.end(), from.begin(), from.end());
    };
    append(out.skipped_finishes, r->skipped_finishes);
    append(out.skipped_preemptions, r->skipped_preemptions);
    append(out.skipped_drains, r->skipped_drains);
    append(out.skipped_starts, r->skipped_starts);
    append(out.skipped_pending, r->skipped_pending);
    part = store::Schedule{};
    part.epoch = schedule.epoch;
    decisions = 0;
    written = true;
    return Status::Ok();
  };
  const auto add = [&](auto member) -> Status {
    for (const auto& decision : schedule.*member) {
      (part.*member).push_back(decision);
      if (++decisions == chunk) GPUFLEET_RETURN_IF_ERROR(flush());
    }
    return Status::Ok();
  };
  GPUFLEET_RETURN_IF_ERROR(add(&store::Schedule::finishes));
  GPUFLEET_RETURN_IF_ERROR(add(&store::Schedule::preemptions));
  GPUFLEET_RETURN_IF_ERROR(add(&store::Schedule::drains));
  GPUFLEET_RETURN_IF_ERROR(add(&store::Schedule::starts));
  GPUFLEET_RETURN_IF_ERROR(add(&store::Schedule::pending_reasons));
  if (decisions > 0 || !written) GPUFLEET_RETURN_IF_ERROR(flush());
  return out;
}

bool IsFenced(const Status& s) {
  return s.code() == Status::Code::kFailedPrecondition && s.message().starts_with("fenced");
}

}  // namespace

// The scheduler's series, declared once; references stay valid as long as the registry.
struct SchedulerLoop::Metrics {
  explicit Metrics(api::MetricsRegistry& r)
      : placements(r.AddCounter("gpufleet_placements_total",
                                "Jobs started by the scheduler (all replicas of a gang count once)")
                       .Get()),
        preemptions(r.AddCounter("gpufleet_preemptions_total",
                                 "Running jobs the scheduler sent back to pending")
                        .Get()),
        pass_seconds(r.AddHistogram("gpufleet_scheduling_pass_seconds",
                                    "Wall-clock time of one scheduling pass", {},
                                    api::LatencyBucketsSeconds())
                         .Get()),
        queue_depth(r.AddGauge("gpufleet_queue_depth", "Pending jobs per tenant", {"tenant"})),
        allocated_ratio(r.AddGauge("gpufleet_gpus_allocated_ratio",
                                   "Allocated fraction of the GPUs per site and model",
                                   {"site", "model"})),
        leader(r.AddGauge("gpufleet_scheduler_leader", "1 while this scheduler leads, 0 on standby")
                   .Get()),
        fleet_changes(r.AddCounter("gpufleet_fleet_versions_total",
                                   "Versions of the fleet the scheduler has moved to since start "
                                   "(one per pass that found the inventory changed)")
                          .Get()),
        epoch(r.AddGauge("gpufleet_scheduler_epoch", "The epoch this scheduler leads under").Get()),
        draining(r.AddGauge("gpufleet_jobs_draining",
                            "Running jobs on hardware the rules took away, within a grace period")
                     .Get()) {}

  api::Counter& placements;
  api::Counter& preemptions;
  api::Histogram& pass_seconds;
  api::Family<api::Gauge>& queue_depth;
  api::Family<api::Gauge>& allocated_ratio;
  api::Gauge& leader;
  api::Counter& fleet_changes;
  api::Gauge& epoch;
  api::Gauge& draining;
  std::set<std::string> tenants_seen;  // queue_depth series to zero when a queue empties
  // The (site, model) cells of allocated_ratio: each node's cell, each cell's GPU milli and
  // series.
  std::vector<size_t> node_cell;
  std::vector<int64_t> cell_capacity;
  std::vector<api::Gauge*> cell_ratio;

  // Indexes the cells of `fleet`, forgetting those of the previous one (zeroed: a cell the
  // fleet no longer has holds nothing).
  void IndexCells(const Fleet& fleet) {
    for (api::Gauge* g : cell_ratio) {
      if (g != nullptr) g->Set(0);
    }
    node_cell.clear();
    cell_capacity.clear();
    cell_ratio.clear();
    std::map<std::pair<uint32_t, uint16_t>, size_t> cells;
    std::vector<const NodeSpec*> first;  // a node of each cell
    for (const NodeSpec& n : fleet.nodes()) {
      const auto [it, added] =
          cells.try_emplace({n.site.value(), n.gpu_model.value()}, cell_capacity.size());
      if (added) {
        cell_capacity.push_back(0);
        first.push_back(&n);
      }
      cell_capacity[it->second] += int64_t{n.gpu_count} * kMilliPerGpu;
      node_cell.push_back(it->second);
    }
    for (size_t c = 0; c < first.size(); ++c) {
      cell_ratio.push_back(cell_capacity[c] == 0 ? nullptr
                                                 : &allocated_ratio.WithLabels(
                                                       {fleet.site(first[c]->site).name,
                                                        fleet.model(first[c]->gpu_model).name}));
    }
  }
};

SchedulerLoop::SchedulerLoop(store::Store& store, FleetHolder& fleet, const Clock& clock,
                             SchedulerOptions options, FleetRebuilder* rebuilder)
    : store_(store),
      holder_(fleet),
      rebuilder_(rebuilder),
      clock_(clock),
      options_(std::move(options)),
      metrics_(options_.metrics ? std::make_unique<Metrics>(*options_.metrics) : nullptr) {
  const std::lock_guard<std::mutex> lock(pass_mu_);
  UseFleet(holder_.Get());
}

SchedulerLoop::~SchedulerLoop() {
  if (thread_.joinable()) Stop();
}

void SchedulerLoop::SetLeader(bool leader, int64_t epoch) {
  leader_.store(leader);
  if (metrics_) {
    metrics_->leader.Set(leader ? 1 : 0);
    if (leader) metrics_->epoch.Set(static_cast<double>(epoch));
  }
}

Result<PassReport> SchedulerLoop::RunPass() {
  const std::lock_guard<std::mutex> lock(pass_mu_);
  const SteadyClock::time_point begin = SteadyClock::now();
  Result<PassReport> report = Pass();
  const auto took =
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - begin);
  if (report.ok()) report->duration = took;
  if (metrics_) metrics_->pass_seconds.Observe(std::chrono::duration<double>(took).count());
  return report;
}

SchedulerLoop::ActiveJob SchedulerLoop::MakeActiveJob(store::JobRecord record) const {
  const scheduler::InventoryFleet& fleet = fleet_->fleet;
  ActiveJob out{.record = std::move(record),
                .cycle = {},
                .placed = {},
                .gone = {},
                .gone_node = {},
                .cause = {},
                .grace_ms = {}};
  out.cycle = internal::ToCycleJob(out.record, fleet);
  if (out.record.state != store::JobState::kRunning) return out;
  Result<std::vector<Assignment>> placed = internal::ToAssignments(out.record, fleet);
  if (!placed.ok()) {
    out.gone = placed.status().message();
    for (const store::Placement& p : out.record.placements) {
      if (!fleet.fleet.FindNode(p.node)) {
        out.gone_node = p.node;
        break;
      }
    }
  } else if (placed->size() != static_cast<size_t>(out.record.spec.replicas)) {
    out.gone = "job has " + std::to_string(placed->size()) + " placements for " +
               std::to_string(out.record.spec.replicas) + " replicas";
  } else {
    out.placed = std::move(placed).value();
  }
  return out;
}

void SchedulerLoop::CheckPlacements() {
  const Fleet& fleet = fleet_->fleet.fleet;
  ClusterState held(fleet);
  for (auto& [id, job] : active_->jobs) {
    if (job.record.state != store::JobState::kRunning || !job.gone.empty()) continue;
    const PodRequest& pod = job.cycle.pod;
    size_t bound = 0;
    while (bound < job.placed.size() && held.CanBind(pod, job.placed[bound])) {
      held.Bind(pod, job.placed[bound++]);
    }
    if (bound == job.placed.size()) continue;
    job.gone_node = fleet.node(job.placed[bound].node).name;
    job.gone = "node " + job.gone_node + " can no longer hold the job's placement";
    for (size_t k = 0; k < bound; ++k) held.Unbind(pod, job.placed[k]);
  }
}

Status SchedulerLoop::RefreshActive(int64_t epoch) {
  const bool full = !active_ || active_->epoch != epoch;
  Result<store::ActiveChanges> changes =
      store_.LoadActiveChanges(full ? std::nullopt : std::optional<int64_t>(active_->cursor));
  if (!changes.ok()) {
    active_.reset();
    return changes.status();
  }
  if (full) active_.emplace();
  active_->epoch = epoch;
  active_->cursor = changes->cursor;
  for (store::JobRecord& job : changes->jobs) {
    const uint64_t id = job.id.value();
    if (job.state != store::JobState::kPending && job.state != store::JobState::kRunning) {
      active_->jobs.erase(id);
      if (active_->cycle) active_->cycle->RemoveRunning(id);
      continue;
    }
    if (!full && job.state == store::JobState::kRunning) {
      // Only ApplySchedule starts jobs, and this loop's own starts are already here: anything
      // else means the copy went wrong, so read everything again.
      const auto it = active_->jobs.find(id);
      if (it == active_->jobs.end() || !(it->second.record == job)) {
        log::Warn("scheduler.copy_diverged",
                  {{"holder", options_.holder},
                   {"job", id},
                   {"detail", "runs unlike the copy in memory; reading every active job"}});
        active_.reset();
        return RefreshActive(epoch);
      }
      continue;
    }
    active_->jobs.insert_or_assign(id, MakeActiveJob(std::move(job)));
  }
  if (full) CheckPlacements();
  return Status::Ok();
}

Status SchedulerLoop::BuildCycle(std::vector<scheduler::TenantPolicy> tenants) {
  active_->cycle.reset();
  std::vector<scheduler::CycleJob> pending;
  std::vector<scheduler::RunningJob> running;
  for (const auto& [id, job] : active_->jobs) {
    if (job.record.state == store::JobState::kPending) {
      pending.push_back(job.cycle);
    } else if (job.gone.empty()) {
      running.push_back({job.cycle, job.placed, job.record.started_at_ms});
    }
  }
  Result<std::unique_ptr<placement::Policy>> policy =
      internal::MakeCyclePolicy(options_.policy, pending, running);
  if (!policy.ok()) {
    return Status::InvalidArgument("scheduler policy: " + policy.status().message());
  }
  active_->policy = std::move(policy).value();
  const FleetContext& ctx = *fleet_;
  active_->cycle =
      std::make_unique<scheduler::CycleState>(ctx.fleet, ctx.inventory, *ctx.rules, *eligibility_,
                                              ctx.at, *active_->policy, std::move(tenants));
  for (const scheduler::RunningJob& r : running) {
    // CheckPlacements bound the same placements in the same order, so this holds.
    if (!active_->cycle->AddRunning(r)) {
      active_.reset();
      return Status::Corruption("scheduler: job " + std::to_string(r.job.id) +
                                " does not bind although its placement was checked");
    }
  }
  active_->cycle_built = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status SchedulerLoop::VerifyActive() {
  Result<store::ActiveChanges> all = store_.LoadActiveChanges(std::nullopt);
  if (!all.ok()) return all.status();
  // Something committed between the two reads: nothing to compare against.
  if (all->cursor != active_->cursor) return Status::Ok();
  Status mismatch = Status::Ok();
  auto kept = active_->jobs.begin();
  for (const store::JobRecord& job : all->jobs) {
    if (kept == active_->jobs.end() || kept->first != job.id.value()) {
      mismatch = Status::Corruption("active jobs: job " + std::to_string(job.id.value()) +
                                    " is in the store but not in memory");
      break;
    }
    if (!(kept->second.record == job)) {
      mismatch = Status::Corruption("active jobs: job " + std::to_string(job.id.value()) +
                                    " differs between the store and memory");
      break;
    }
    ++kept;
  }
  if (mismatch.ok() && kept != active_->jobs.end()) {
    mismatch = Status::Corruption("active jobs: job " + std::to_string(kept->first) +
                                  " is in memory but no longer active in the store");
  }
  if (!mismatch.ok()) active_.reset();
  return mismatch;
}

void SchedulerLoop::ApplyToActive(const store::Schedule& schedule,
                                  const store::ScheduleOutcome& outcome,
                                  const scheduler::CycleResult& result) {
  std::map<uint64_t, ActiveJob>& jobs = active_->jobs;
  const std::set<uint64_t> skipped_finishes = IdSet(outcome.skipped_finishes);
  for (const store::Schedule::Finish& f : schedule.finishes) {
    if (!skipped_finishes.contains(f.job.value())) jobs.erase(f.job.value());
  }
  const std::set<uint64_t> skipped_preemptions = IdSet(outcome.skipped_preemptions);
  for (const store::Schedule::Preemption& p : schedule.preemptions) {
    if (skipped_preemptions.contains(p.job.value())) continue;
    ActiveJob& job = jobs.at(p.job.value());
    job.record.state = store::JobState::kPending;
    job.record.placements.clear();
    ++job.record.preempted_count;
    job.record.last_preemption_reason = p.reason;
    job.record.draining_until_ms = 0;
    job.record.draining_reason.clear();
    job.placed.clear();
    job.gone.clear();
    job.gone_node.clear();
    job.cause.clear();
    job.grace_ms.reset();
  }
  const std::set<uint64_t> skipped_drains = IdSet(outcome.skipped_drains);
  for (const store::Schedule::Drain& d : schedule.drains) {
    if (skipped_drains.contains(d.job.value())) continue;
    store::JobRecord& record = jobs.at(d.job.value()).record;
    record.draining_until_ms = d.until_ms;
    record.draining_reason = d.reason;
  }
  const std::set<uint64_t> skipped_starts = IdSet(outcome.skipped_starts);
  for (size_t i = 0; i < schedule.starts.size(); ++i) {
    const store::Schedule::Start& s = schedule.starts[i];
    if (skipped_starts.contains(s.job.value())) continue;
    ActiveJob& job = jobs.at(s.job.value());
    job.record.state = store::JobState::kRunning;
    job.record.started_at_ms = s.started_at_ms;
    job.record.pending_reason.clear();
    job.record.draining_until_ms = 0;
    job.record.draining_reason.clear();
    job.record.placements = s.placements;
    for (store::Placement& p : job.record.placements) p.epoch = schedule.epoch;
    job.placed = result.starts[i].placements;
  }
  const std::set<uint64_t> skipped_pending = IdSet(outcome.skipped_pending);
  for (const store::Schedule::PendingReason& p : schedule.pending_reasons) {
    if (!skipped_pending.contains(p.job.value())) {
      jobs.at(p.job.value()).record.pending_reason = p.reason;
    }
  }
}

void SchedulerLoop::RefreshFleet(PassReport& report) {
  const SteadyClock::time_point now = SteadyClock::now();
  const auto spacing = std::max<SteadyClock::duration>(
      std::chrono::milliseconds(std::max<int64_t>(0, options_.min_rebuild_interval_ms)),
      std::chrono::duration_cast<SteadyClock::duration>(last_rebuild_cost_ *
                                                        options_.rebuild_cost_multiple));
  const SteadyClock::time_point due = last_rebuild_ + spacing;
  // The spacing bounds what following a stream of inventory changes costs; a rule change
  // taking effect (or the day turning) is rebuilt for at once, whatever the last rebuild.
  if (now < due && !rebuilder_->RulesOrDayChanged()) {
    if (rebuilder_->inventory().generation() != holder_.Get()->generation) {
      report.fleet_rebuild_due = due;
    }
    return;
  }
  // A failed build leaves the fleet as it was: scheduling goes on with it, and the next pass
  // tries again. Logged when the error first appears, not every pass.
  Result<bool> r = rebuilder_->Refresh();
  if (r.ok() && *r) {
    last_rebuild_ = now;
    last_rebuild_cost_ = SteadyClock::now() - now;
  }
  const std::string error = r.ok() ? "" : r.status().ToString();
  if (!error.empty() && error != rebuild_error_) {
    log::Error("scheduler.fleet_rebuild_failed", {{"holder", options_.holder}, {"error", error}});
  }
  rebuild_error_ = error;
}

bool SchedulerLoop::UseFleet(std::shared_ptr<const FleetContext> next) {
  if (next == fleet_) return false;
  // The cycle state and the cache point into the version they were built on: gone first.
  if (active_) {
    active_->cycle.reset();
    active_->policy.reset();
  }
  std::shared_ptr<const FleetContext> before = std::exchange(fleet_, std::move(next));
  const FleetContext& ctx = *fleet_;
  eligibility_ =
      std::make_unique<scheduler::EligibilityCache>(ctx.fleet, ctx.inventory, *ctx.engine, ctx.at);
  if (metrics_) metrics_->IndexCells(ctx.fleet.fleet);
  if (!active_ || !before) return true;
  for (auto& [id, job] : active_->jobs) job = MakeActiveJob(std::move(job.record));
  CheckPlacements();
  internal::AssetLookup lookup;
  if (rebuilder_ != nullptr) {
    lookup = [inventory = &rebuilder_->inventory()](std::string_view serial) {
      return inventory->FindAsset(serial);
    };
  }
  internal::FleetChange change(*before, ctx, std::move(lookup));
  for (auto& [id, job] : active_->jobs) {
    if (job.gone.empty()) continue;
    const std::string why = change.Why(job.gone_node);
    job.cause = why.empty() ? job.gone : why + "; " + job.gone;
    if (!why.empty()) job.gone = "preempted: " + job.cause;
    job.grace_ms = change.GraceMs(job.gone_node, options_.default_grace_ms);
  }
  return true;
}

Result<PassReport> SchedulerLoop::Pass() {
  PassReport report;
  if (rebuilder_ != nullptr) RefreshFleet(report);
  report.fleet_changed = UseFleet(holder_.Get());
  report.fleet_generation = fleet_->generation;
  if (report.fleet_changed && metrics_) metrics_->fleet_changes.Increment(1);
  if (!options_.lead) return report;
  const int64_t now = clock_.NowMs();
  Result<std::optional<int64_t>> lead = store_.TryLead(options_.holder, now);
  if (!lead.ok()) {
    SetLeader(false, 0);
    active_.reset();
    return lead.status();
  }
  if (!lead->has_value()) {
    if (leader_.load()) log::Warn("scheduler.lost_leadership", {{"holder", options_.holder}});
    SetLeader(false, 0);
    active_.reset();
    return report;
  }
  const int64_t epoch = **lead;
  if (epoch != epoch_) {
    log::Info("scheduler.leading", {{"holder", options_.holder}, {"epoch", epoch}});
  }
  epoch_ = epoch;
  SetLeader(true, epoch);

  GPUFLEET_RETURN_IF_ERROR(RefreshActive(epoch));
  if (options_.verify_active) GPUFLEET_RETURN_IF_ERROR(VerifyActive());
  Result<std::vector<store::TenantRecord>> tenant_records = store_.ListTenants();
  if (!tenant_records.ok()) return tenant_records.status();
  Result<std::vector<store::QuotaRecord>> quotas = store_.ListQuotas(std::nullopt);
  if (!quotas.ok()) return quotas.status();

  const scheduler::InventoryFleet& fleet = fleet_->fleet;
  std::vector<std::string> notes;
  const std::vector<scheduler::TenantPolicy> tenants =
      internal::MakeTenantPolicies(fleet, *tenant_records, *quotas, notes);
  for (const std::string& note : notes) {
    if (noted_.insert(note).second) {
      log::Warn("scheduler.note", {{"holder", options_.holder}, {"detail", note}});
    }
  }

  const auto since_built = std::chrono::steady_clock::now() - active_->cycle_built;
  if (!active_->cycle || active_->cycle->tenants() != tenants ||
      since_built >= std::chrono::milliseconds(options_.rebuild_interval_ms)) {
    GPUFLEET_RETURN_IF_ERROR(BuildCycle(tenants));
  }
  scheduler::CycleState& cycle = *active_->cycle;

  const std::map<uint64_t, ActiveJob>& active = active_->jobs;
  store::Schedule schedule;
  schedule.epoch = epoch;
  std::vector<scheduler::CycleJob> pending;
  for (const auto& [id, a] : active) {
    const store::JobRecord& job = a.record;
    if (job.state == store::JobState::kPending) {
      if (!internal::ModelsAbsent(job, fleet)) {
        pending.push_back(a.cycle);
        continue;
      }
      std::string reason = internal::ModelsAbsentReason(job, fleet);
      if (reason != job.pending_reason) {
        schedule.pending_reasons.push_back({job.id, std::move(reason), now});
      }
      continue;
    }
    if (job.spec.duration_s > 0 && job.started_at_ms + job.spec.duration_s * 1000 <= now) {
      schedule.finishes.push_back({job.id, now});
      cycle.RemoveRunning(id);
      continue;
    }
    // A running job whose models left the fleet keeps its nodes while they are there.
    if (a.gone.empty()) {
      // Draining, and its hardware came back (a licence granted within the grace period).
      if (job.draining_until_ms > 0) schedule.drains.push_back({job.id, 0, "", now});
      continue;
    }
    if (job.draining_until_ms > 0) {
      // Runs out its grace period, however the fleet changed since it began.
      if (now >= job.draining_until_ms) {
        schedule.preemptions.push_back(
            {job.id, "preempted: " + job.draining_reason + " (grace period ended)", now});
      }
      continue;
    }
    if (a.grace_ms.value_or(0) > 0) {
      schedule.drains.push_back({job.id, now + *a.grace_ms, a.cause, now});
      continue;
    }
    schedule.preemptions.push_back({job.id, a.gone, now});
  }

  const scheduler::CycleResult result = cycle.Run(pending, now, options_.seed);

  for (const scheduler::CycleResult::Start& s : result.starts) {
    schedule.starts.push_back({JobId(s.job), internal::ToPlacements(s.placements, fleet), now});
  }
  for (const scheduler::CycleResult::Preempt& p : result.preemptions) {
    schedule.preemptions.push_back({JobId(p.job), p.reason, now});
  }
  for (const auto& [job, reason] : result.pending_reasons) {
    const auto it = active.find(job);
    if (it != active.end() && it->second.record.state == store::JobState::kPending &&
        it->second.record.pending_reason == reason) {
      continue;
    }
    schedule.pending_reasons.push_back({JobId(job), reason, now});
  }

  Result<store::ScheduleOutcome> outcome = ApplyInChunks(
      store_, schedule, static_cast<size_t>(std::max(1, options_.max_decisions_per_write)));
  if (!outcome.ok()) {
    // What was written is not known for every error: read everything next time.
    active_.reset();
    if (!IsFenced(outcome.status())) return outcome.status();
    log::Warn("scheduler.resigning",
              {{"holder", options_.holder}, {"reason", outcome.status().message()}});
    store_.Resign();
    SetLeader(false, 0);
    return report;
  }
  ApplyToActive(schedule, *outcome, result);
  for (JobId id : outcome->skipped_starts) cycle.RemoveRunning(id.value());

  // Tally what was applied, and what runs and pends now. A job the store skipped (cancelled
  // through the API meanwhile) counts as this pass read it.
  report.leader = true;
  report.epoch = epoch;
  report.finished =
      static_cast<int64_t>(schedule.finishes.size() - outcome->skipped_finishes.size());
  report.preempted =
      static_cast<int64_t>(schedule.preemptions.size() - outcome->skipped_preemptions.size());
  report.started = static_cast<int64_t>(schedule.starts.size() - outcome->skipped_starts.size());
  std::map<std::string, int64_t> depth;  // pending jobs per tenant
  std::vector<int64_t> allocated;        // GPU milli per metrics cell
  if (metrics_) allocated.assign(metrics_->cell_capacity.size(), 0);
  for (const auto& [id, a] : active) {
    const store::JobRecord& job = a.record;
    if (job.state == store::JobState::kPending) {
      ++report.pending;
      ++depth[job.spec.tenant];
      continue;
    }
    ++report.running;
    if (job.draining_until_ms > 0) {
      ++report.draining;
      report.next_drain_end_ms =
          std::min(report.next_drain_end_ms.value_or(job.draining_until_ms), job.draining_until_ms);
    }
    if (metrics_) {
      const int64_t milli = int64_t{a.cycle.pod.gpu_count} * a.cycle.pod.gpu_milli;
      for (const Assignment& p : a.placed) allocated[metrics_->node_cell[p.node.value()]] += milli;
    }
    if (job.spec.duration_s <= 0) continue;
    const int64_t end = job.started_at_ms + job.spec.duration_s * 1000;
    report.next_finish_ms = std::min(report.next_finish_ms.value_or(end), end);
  }

  if (metrics_) {
    metrics_->placements.Increment(static_cast<double>(report.started));
    metrics_->preemptions.Increment(static_cast<double>(report.preempted));
    metrics_->draining.Set(static_cast<double>(report.draining));
    for (const store::TenantRecord& t : *tenant_records) depth.try_emplace(t.id, 0);
    for (const std::string& t : metrics_->tenants_seen) depth.try_emplace(t, 0);
    for (const auto& [tenant, n] : depth) {
      metrics_->queue_depth.WithLabels({tenant}).Set(static_cast<double>(n));
      metrics_->tenants_seen.insert(tenant);
    }
    for (size_t c = 0; c < allocated.size(); ++c) {
      if (metrics_->cell_ratio[c] == nullptr) continue;
      metrics_->cell_ratio[c]->Set(static_cast<double>(allocated[c]) /
                                   static_cast<double>(metrics_->cell_capacity[c]));
    }
  }
  return report;
}

void SchedulerLoop::Start() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
    notified_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void SchedulerLoop::Stop() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  const std::lock_guard<std::mutex> lock(pass_mu_);
  store_.Resign();
  SetLeader(false, 0);
}

void SchedulerLoop::Notify() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  wake_.notify_all();
}

void SchedulerLoop::Loop() {
  const std::chrono::milliseconds idle(std::max<int64_t>(1, options_.idle_wait_ms));
  const std::chrono::milliseconds floor(std::max<int64_t>(0, options_.min_pass_interval_ms));
  while (true) {
    const SteadyClock::time_point pass_began = SteadyClock::now();
    std::optional<int64_t> next_finish;
    std::optional<SteadyClock::time_point> rebuild_due;
    {
      Result<PassReport> r = RunPass();
      if (!r.ok()) {
        log::Error("scheduler.pass_failed",
                   {{"holder", options_.holder}, {"error", r.status().ToString()}});
      }
      if (r.ok() && r->leader) {
        next_finish = r->next_finish_ms;
        // A grace period ending is a time to act at too.
        if (r->next_drain_end_ms) {
          next_finish =
              std::min(next_finish.value_or(*r->next_drain_end_ms), *r->next_drain_end_ms);
        }
      }
      if (r.ok()) rebuild_due = r->fleet_rebuild_due;
    }
    std::unique_lock<std::mutex> lock(mu_);
    // A deferred rebuild is due no later than the idle wait.
    const SteadyClock::time_point idle_until =
        std::min(SteadyClock::now() + idle, rebuild_due.value_or(SteadyClock::time_point::max()));
    // Polls the clock until the earliest job end: the clock may run faster than real time
    // (SimulatedClock), so a wait never assumes more than one clock ms per real ms and never
    // exceeds idle_wait_ms.
    while (!stop_ && !notified_) {
      const SteadyClock::time_point real_now = SteadyClock::now();
      if (real_now >= idle_until) break;
      if (next_finish && clock_.NowMs() >= *next_finish) break;
      SteadyClock::time_point until = idle_until;
      if (next_finish) {
        const int64_t left_ms = std::max<int64_t>(1, *next_finish - clock_.NowMs());
        until = std::min(until, real_now + std::chrono::milliseconds(left_ms));
      }
      wake_.wait_until(lock, until);
    }
    // Notifications arriving during this wait are taken by the next pass.
    while (!stop_ && SteadyClock::now() < pass_began + floor) {
      wake_.wait_until(lock, pass_began + floor);
    }
    if (stop_) return;
    notified_ = false;
  }
}

}  // namespace gpufleet::service
