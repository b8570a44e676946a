#include "gpufleet/service/scheduler_loop.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gpufleet/model/cluster_state.h"
#include "gpufleet/scheduler/cycle.h"
#include "service/cycle_input.h"

namespace gpufleet::service {
namespace {

using SteadyClock = std::chrono::steady_clock;

void Log(const std::string& holder, const std::string& message) {
  std::fprintf(stderr, "gpufleetd scheduler '%s': %s\n", holder.c_str(), message.c_str());
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
        epoch(
            r.AddGauge("gpufleet_scheduler_epoch", "The epoch this scheduler leads under").Get()) {}

  api::Counter& placements;
  api::Counter& preemptions;
  api::Histogram& pass_seconds;
  api::Family<api::Gauge>& queue_depth;
  api::Family<api::Gauge>& allocated_ratio;
  api::Gauge& leader;
  api::Gauge& epoch;
  std::set<std::string> tenants_seen;  // queue_depth series to zero when a queue empties
};

SchedulerLoop::SchedulerLoop(store::Store& store, const FleetContext& ctx, const Clock& clock,
                             SchedulerOptions options)
    : store_(store),
      ctx_(ctx),
      clock_(clock),
      options_(std::move(options)),
      metrics_(options_.metrics ? std::make_unique<Metrics>(*options_.metrics) : nullptr),
      eligibility_(ctx.fleet, ctx.inventory, *ctx.engine, ctx.at) {}

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
  if (report.ok()) {
    report->duration = took;
    next_finish_ms_ = report->next_finish_ms;
  }
  if (metrics_) metrics_->pass_seconds.Observe(std::chrono::duration<double>(took).count());
  return report;
}

Result<PassReport> SchedulerLoop::Pass() {
  const int64_t now = clock_.NowMs();
  PassReport report;
  Result<std::optional<int64_t>> lead = store_.TryLead(options_.holder, now);
  if (!lead.ok()) {
    SetLeader(false, 0);
    return lead.status();
  }
  if (!lead->has_value()) {
    if (leader_.load()) Log(options_.holder, "no longer the leader");
    SetLeader(false, 0);
    return report;
  }
  const int64_t epoch = **lead;
  if (epoch != epoch_) Log(options_.holder, "leading with epoch " + std::to_string(epoch));
  epoch_ = epoch;
  SetLeader(true, epoch);

  Result<std::vector<store::JobRecord>> active = store_.LoadActive();
  if (!active.ok()) return active.status();
  Result<std::vector<store::TenantRecord>> tenant_records = store_.ListTenants();
  if (!tenant_records.ok()) return tenant_records.status();
  Result<std::vector<store::QuotaRecord>> quotas = store_.ListQuotas(std::nullopt);
  if (!quotas.ok()) return quotas.status();

  const scheduler::InventoryFleet& fleet = ctx_.fleet;
  std::vector<std::string> notes;
  const std::vector<scheduler::TenantPolicy> tenants =
      internal::MakeTenantPolicies(fleet, *tenant_records, *quotas, notes);
  for (const std::string& note : notes) {
    if (noted_.insert(note).second) Log(options_.holder, note);
  }

  store::Schedule schedule;
  schedule.epoch = epoch;
  std::unordered_map<uint64_t, const store::JobRecord*> by_id;
  std::vector<scheduler::CycleJob> pending;
  std::vector<scheduler::RunningJob> running;
  // The running jobs bound as the cycle will bind them: a placement the node can no longer
  // hold (the fleet changed under it) is preempted rather than left to over-commit the node.
  ClusterState held(fleet.fleet);
  for (const store::JobRecord& job : *active) {
    by_id.emplace(job.id.value(), &job);
    if (job.state == store::JobState::kPending) {
      if (!internal::ModelsAbsent(job, fleet)) {
        pending.push_back(internal::ToCycleJob(job, fleet));
        continue;
      }
      std::string reason = internal::ModelsAbsentReason(job);
      if (reason != job.pending_reason) {
        schedule.pending_reasons.push_back({job.id, std::move(reason), now});
      }
      continue;
    }
    if (job.state != store::JobState::kRunning) continue;
    if (job.spec.duration_s > 0 && job.started_at_ms + job.spec.duration_s * 1000 <= now) {
      schedule.finishes.push_back({job.id, now});
      continue;
    }
    // A running job whose models left the fleet keeps its nodes while they are there.
    scheduler::CycleJob c = internal::ToCycleJob(job, fleet);
    Result<std::vector<Assignment>> placed = internal::ToAssignments(job, fleet);
    std::string gone;
    if (!placed.ok()) {
      gone = placed.status().message();
    } else if (placed->size() != static_cast<size_t>(job.spec.replicas)) {
      gone = "job has " + std::to_string(placed->size()) + " placements for " +
             std::to_string(job.spec.replicas) + " replicas";
    } else {
      size_t bound = 0;
      while (bound < placed->size() && held.CanBind(c.pod, (*placed)[bound])) {
        held.Bind(c.pod, (*placed)[bound++]);
      }
      if (bound < placed->size()) {
        gone = "node " + fleet.fleet.node((*placed)[bound].node).name +
               " can no longer hold the job's placement";
        for (size_t k = 0; k < bound; ++k) held.Unbind(c.pod, (*placed)[k]);
      }
    }
    if (!gone.empty()) {
      schedule.preemptions.push_back({job.id, gone, now});
      continue;
    }
    running.push_back({std::move(c), std::move(placed).value(), job.started_at_ms});
  }

  Result<std::unique_ptr<placement::Policy>> policy =
      internal::MakeCyclePolicy(options_.policy, pending, running);
  if (!policy.ok()) {
    return Status::InvalidArgument("scheduler policy: " + policy.status().message());
  }
  const scheduler::CycleResult result =
      scheduler::RunCycle(fleet, ctx_.inventory, ctx_.rules, eligibility_, ctx_.at, **policy,
                          tenants, pending, running, options_.seed);

  for (const scheduler::CycleResult::Start& s : result.starts) {
    schedule.starts.push_back({JobId(s.job), internal::ToPlacements(s.placements, fleet), now});
  }
  for (const scheduler::CycleResult::Preempt& p : result.preemptions) {
    schedule.preemptions.push_back({JobId(p.job), p.reason, now});
  }
  for (const auto& [job, reason] : result.pending_reasons) {
    const auto it = by_id.find(job);
    if (it != by_id.end() && it->second->state == store::JobState::kPending &&
        it->second->pending_reason == reason) {
      continue;
    }
    schedule.pending_reasons.push_back({JobId(job), reason, now});
  }

  Result<store::ScheduleOutcome> outcome = store_.ApplySchedule(schedule);
  if (!outcome.ok()) {
    if (!IsFenced(outcome.status())) return outcome.status();
    Log(options_.holder, "resigning: " + outcome.status().message());
    store_.Resign();
    SetLeader(false, 0);
    return report;
  }

  // Tally what was applied, and what runs and pends now.
  const auto skipped = [](const std::vector<JobId>& ids) {
    std::set<uint64_t> out;
    for (JobId id : ids) out.insert(id.value());
    return out;
  };
  const std::set<uint64_t> skipped_finishes = skipped(outcome->skipped_finishes);
  const std::set<uint64_t> skipped_preemptions = skipped(outcome->skipped_preemptions);
  const std::set<uint64_t> skipped_starts = skipped(outcome->skipped_starts);
  report.leader = true;
  report.epoch = epoch;
  report.finished = static_cast<int64_t>(schedule.finishes.size() - skipped_finishes.size());
  report.preempted = static_cast<int64_t>(schedule.preemptions.size() - skipped_preemptions.size());
  report.started = static_cast<int64_t>(schedule.starts.size() - skipped_starts.size());

  std::set<uint64_t> now_pending, now_running;
  for (const store::JobRecord& job : *active) {
    (job.state == store::JobState::kPending ? now_pending : now_running).insert(job.id.value());
  }
  for (const store::Schedule::Finish& f : schedule.finishes) {
    if (!skipped_finishes.contains(f.job.value())) now_running.erase(f.job.value());
  }
  for (const store::Schedule::Preemption& p : schedule.preemptions) {
    if (skipped_preemptions.contains(p.job.value())) continue;
    now_running.erase(p.job.value());
    now_pending.insert(p.job.value());
  }
  for (const store::Schedule::Start& s : schedule.starts) {
    if (skipped_starts.contains(s.job.value())) continue;
    now_pending.erase(s.job.value());
    now_running.insert(s.job.value());
  }
  // A job the store skipped (cancelled through the API meanwhile) counts as this pass read it.
  report.pending = static_cast<int64_t>(now_pending.size());
  report.running = static_cast<int64_t>(now_running.size());

  // Placements by job, for the jobs running after the pass.
  std::unordered_map<uint64_t, const std::vector<Assignment>*> placed_now;
  for (const scheduler::RunningJob& r : running) placed_now.emplace(r.job.id, &r.placements);
  for (const scheduler::CycleResult::Start& s : result.starts) {
    placed_now.emplace(s.job, &s.placements);
  }
  for (uint64_t id : now_running) {
    const store::JobRecord& job = *by_id.at(id);
    if (job.spec.duration_s <= 0) continue;
    const bool started_now = job.state == store::JobState::kPending;
    const int64_t end = (started_now ? now : job.started_at_ms) + job.spec.duration_s * 1000;
    report.next_finish_ms = std::min(report.next_finish_ms.value_or(end), end);
  }

  if (metrics_) {
    metrics_->placements.Increment(static_cast<double>(report.started));
    metrics_->preemptions.Increment(static_cast<double>(report.preempted));
    std::map<std::string, int64_t> depth;
    for (const store::TenantRecord& t : *tenant_records) depth[t.id] = 0;
    for (const std::string& t : metrics_->tenants_seen) depth[t] = 0;
    for (uint64_t id : now_pending) ++depth[by_id.at(id)->spec.tenant];
    for (const auto& [tenant, n] : depth) {
      metrics_->queue_depth.WithLabels({tenant}).Set(static_cast<double>(n));
      metrics_->tenants_seen.insert(tenant);
    }
    // GPU milli allocated and held per (site, model).
    std::map<std::pair<uint32_t, uint16_t>, std::pair<int64_t, int64_t>> cells;
    for (const NodeSpec& n : fleet.fleet.nodes()) {
      cells[{n.site.value(), n.gpu_model.value()}].second += int64_t{n.gpu_count} * kMilliPerGpu;
    }
    for (uint64_t id : now_running) {
      const auto it = placed_now.find(id);
      if (it == placed_now.end()) continue;
      const store::JobSpec& spec = by_id.at(id)->spec;
      const int64_t milli = spec.gpu_count == 0 ? 0 : int64_t{spec.gpu_count} * spec.gpu_milli;
      for (const Assignment& a : *it->second) {
        const NodeSpec& n = fleet.fleet.node(a.node);
        cells[{n.site.value(), n.gpu_model.value()}].first += milli;
      }
    }
    for (const auto& [cell, milli] : cells) {
      if (milli.second == 0) continue;
      metrics_->allocated_ratio
          .WithLabels({fleet.fleet.site(SiteId(cell.first)).name,
                       fleet.fleet.model(ChipModelId(cell.second)).name})
          .Set(static_cast<double>(milli.first) / static_cast<double>(milli.second));
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
    {
      Result<PassReport> r = RunPass();
      if (!r.ok()) Log(options_.holder, "pass failed: " + r.status().ToString());
      if (r.ok() && r->leader) next_finish = r->next_finish_ms;
    }
    std::unique_lock<std::mutex> lock(mu_);
    const SteadyClock::time_point idle_until = SteadyClock::now() + idle;
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
