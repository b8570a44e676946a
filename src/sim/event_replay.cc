// Event replay (event_replay.h). One run is a discrete-event loop over time points: at each
// point the departures due are unbound, the waiting queue is retried if that released
// anything, then the pods arriving at that point are placed or queued. Placing a pod of run
// time 0 schedules a departure at the same point, so a point repeats until nothing is due.
//
// Keeping the queue retry cheap on a long queue (see also EventOptions::max_retries_per_release):
// - the queue is retried only when something was released since the last pass;
// - within a pass capacity only shrinks, so an entry is skipped without calling the placer
//   when its request exceeds, in some resource, the most any node of an allowed model has
//   free at the start of the pass (FreeCapacity), or when a pod of the identical request
//   already failed earlier in the pass. Such entries are certain failures and are not
//   counted as attempts;
// - pods that fit no node even of the empty cluster never enter the queue: they wait for
//   nothing and count as never placed.

#include "gpufleet/sim/event_replay.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <queue>
#include <tuple>

#include "gpufleet/placement/placer.h"
#include "gpufleet/placement/policy.h"
#include "gpufleet/sim/workload.h"

namespace gpufleet::sim {

namespace {

constexpr double kPercent = 100.0;

// A pod of the trace with usable times.
struct Item {
  size_t trace_index = 0;
  int64_t arrival = 0;     // creation time
  int64_t duration = 0;    // >= 0
  uint32_t shape = 0;      // interned request: equal requests, equal shape
  bool placeable = false;  // fits some node of the empty cluster
};

struct Workload {
  std::vector<Item> items;  // by arrival, then trace order
  uint32_t shapes = 0;
  int64_t skipped = 0;
};

Workload Prepare(const Fleet& fleet, const std::vector<codec::TracePod>& pods) {
  Workload w;
  const ClusterState empty(fleet);
  using ShapeKey = std::tuple<int64_t, int64_t, int32_t, int32_t, uint64_t>;
  std::map<ShapeKey, uint32_t> shape_of;
  std::vector<bool> shape_placeable;
  for (size_t i = 0; i < pods.size(); ++i) {
    const codec::TracePod& p = pods[i];
    if (!p.creation_time || !p.deletion_time) {
      ++w.skipped;
      continue;
    }
    const int64_t start = p.scheduled_time.value_or(*p.creation_time);
    Item item;
    item.trace_index = i;
    item.arrival = *p.creation_time;
    item.duration = std::max<int64_t>(0, *p.deletion_time - start);
    const PodRequest& r = p.pod;
    const ShapeKey key{r.cpu_milli, r.memory_mib, r.gpu_count, r.gpu_milli,
                       r.allowed_models.bits()};
    const auto [it, inserted] = shape_of.try_emplace(key, w.shapes);
    if (inserted) {
      ++w.shapes;
      shape_placeable.push_back(
          std::any_of(empty.nodes().begin(), empty.nodes().end(),
                      [&](const NodeState& n) { return placement::Fits(n, r); }));
    }
    item.shape = it->second;
    item.placeable = shape_placeable[item.shape];
    w.items.push_back(item);
  }
  std::stable_sort(w.items.begin(), w.items.end(),
                   [](const Item& a, const Item& b) { return a.arrival < b.arrival; });
  return w;
}

// Per GPU model, the most CPU, memory, GPU milli on one GPU and whole free GPUs that any
// single node of that model has left. A pod asking for more in some resource on every model
// it allows cannot fit anywhere. The four maxima may come from different nodes, so passing
// the check does not mean the pod fits.
class FreeCapacity {
 public:
  explicit FreeCapacity(size_t models) : by_model_(models) {}

  void Measure(const std::vector<NodeState>& nodes) {
    any_ = Most{};
    std::fill(by_model_.begin(), by_model_.end(), Most{});
    for (const NodeState& n : nodes) {
      any_.cpu = std::max(any_.cpu, n.cpu_left);
      any_.memory = std::max(any_.memory, n.memory_left);
      if (n.gpu_count == 0) continue;
      Most& m = by_model_[n.model.value()];
      m.cpu = std::max(m.cpu, n.cpu_left);
      m.memory = std::max(m.memory, n.memory_left);
      int32_t full = 0;
      for (int g = 0; g < n.gpu_count; ++g) {
        m.gpu_left = std::max(m.gpu_left, n.gpu_left[g]);
        full += n.gpu_left[g] == kMilliPerGpu;
      }
      m.full_gpus = std::max(m.full_gpus, full);
    }
  }

  bool MayFit(const PodRequest& pod) const {
    if (pod.cpu_milli > any_.cpu || pod.memory_mib > any_.memory) return false;
    if (pod.cpu_only()) return true;
    for (size_t model = 0; model < by_model_.size(); ++model) {
      if (!pod.allowed_models.Allows(ChipModelId(static_cast<uint16_t>(model)))) continue;
      const Most& m = by_model_[model];
      if (pod.cpu_milli > m.cpu || pod.memory_mib > m.memory) continue;
      // Every pod needs a GPU with gpu_milli left; a whole-GPU pod needs gpu_count of them
      // entirely free on one node.
      if (pod.gpu_milli > m.gpu_left) continue;
      if (pod.gpu_milli == kMilliPerGpu && pod.gpu_count > m.full_gpus) continue;
      return true;
    }
    return false;
  }

 private:
  struct Most {
    int64_t cpu = -1;
    int64_t memory = -1;
    int32_t gpu_left = -1;
    int32_t full_gpus = -1;
  };
  Most any_;
  std::vector<Most> by_model_;
};

struct Running {
  int64_t until = 0;
  uint64_t sequence = 0;  // placement order: departures at one time leave in this order
  uint32_t item = 0;
  Assignment at;
  friend bool operator>(const Running& a, const Running& b) {
    return std::tie(a.until, a.sequence) > std::tie(b.until, b.sequence);
  }
};

// The cluster after all events of one time point.
struct Step {
  int64_t time = 0;
  int64_t allocated_milli = 0;
  int64_t queued = 0;
};

struct RunInput {
  const Fleet& fleet;
  const std::vector<codec::TracePod>& pods;
  const Workload& workload;
  const placement::TieBreakOrder& order;
  const EventOptions& options;
};

class Replay {
 public:
  Replay(const RunInput& in, const placement::Policy& policy, uint64_t seed)
      : in_(in),
        // Random's node and GPU draws follow the run's seed, as in the saturation run.
        rng_(seed * 0x9e3779b97f4a7c15ULL + 1),
        free_(in.fleet.models().size()),
        failed_in_pass_(in.workload.shapes, 0) {
    ClusterState state(in.fleet);
    placer_ = in.options.indexed ? placement::MakeIndexedPlacer(std::move(state), policy, in.order)
                                 : placement::MakeLinearPlacer(std::move(state), policy, in.order);
  }

  void Run() {
    const std::vector<Item>& items = in_.workload.items;
    size_t next = 0;
    while (next < items.size() || !running_.empty()) {
      int64_t now = running_.empty() ? items[next].arrival : running_.top().until;
      if (next < items.size()) now = std::min(now, items[next].arrival);
      do {
        while (!running_.empty() && running_.top().until == now) {
          const Running r = running_.top();
          running_.pop();
          placer_->Unbind(Request(r.item), r.at);
          released_ = true;
        }
        RetryQueue(now);
        for (; next < items.size() && items[next].arrival == now; ++next) Arrive(next, now);
      } while (!running_.empty() && running_.top().until == now);
      steps_.push_back({now, placer_->state().gpu_allocated_milli(),
                        static_cast<int64_t>(queue_.size() + unplaceable_.size())});
    }
  }

  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<int64_t>& delays() const { return delays_; }
  const std::vector<uint32_t>& queue() const { return queue_; }
  const std::vector<uint32_t>& unplaceable() const { return unplaceable_; }
  const ClusterState& state() const { return placer_->state(); }

 private:
  const PodRequest& Request(uint32_t item) const {
    return in_.pods[in_.workload.items[item].trace_index].pod;
  }

  bool TryPlace(uint32_t item, int64_t now) {
    const std::optional<Assignment> a = placer_->Place(Request(item), rng_);
    if (!a) return false;
    const Item& it = in_.workload.items[item];
    delays_.push_back(now - it.arrival);
    running_.push({now + it.duration, sequence_++, item, *a});
    return true;
  }

  void Arrive(size_t index, int64_t now) {
    const auto item = static_cast<uint32_t>(index);
    if (!in_.workload.items[index].placeable) {
      unplaceable_.push_back(item);
      return;
    }
    if (!TryPlace(item, now)) queue_.push_back(item);
  }

  // One pass over the queue in FIFO order, placing every entry that fits now.
  void RetryQueue(int64_t now) {
    if (!released_) return;
    released_ = false;
    if (queue_.empty()) return;
    ++pass_;
    free_.Measure(placer_->state().nodes());
    int64_t attempts = 0;
    size_t kept = 0;
    size_t i = 0;
    for (; i < queue_.size() && attempts < in_.options.max_retries_per_release; ++i) {
      const uint32_t item = queue_[i];
      const uint32_t shape = in_.workload.items[item].shape;
      bool placed = false;
      if (failed_in_pass_[shape] != pass_ && free_.MayFit(Request(item))) {
        ++attempts;
        placed = TryPlace(item, now);
        if (!placed) failed_in_pass_[shape] = pass_;
      }
      if (!placed) queue_[kept++] = item;
    }
    // Entries past the attempt budget keep their place and wait for the next release.
    for (; i < queue_.size(); ++i) queue_[kept++] = queue_[i];
    queue_.resize(kept);
  }

  const RunInput& in_;
  Rng rng_;
  std::unique_ptr<placement::Placer> placer_;
  FreeCapacity free_;
  std::priority_queue<Running, std::vector<Running>, std::greater<>> running_;
  uint64_t sequence_ = 0;
  std::vector<uint32_t> queue_;        // items waiting, FIFO
  std::vector<uint32_t> unplaceable_;  // items no node of the empty cluster can hold
  bool released_ = false;
  uint64_t pass_ = 0;
  std::vector<uint64_t> failed_in_pass_;  // per shape: the pass in which it last failed
  std::vector<int64_t> delays_;
  std::vector<Step> steps_;
};

// Nearest rank: the smallest value with at least p% of values at or below it.
// REQUIRES: `sorted` is non-empty and ascending, 0 < p <= 100.
double NearestRank(const std::vector<int64_t>& sorted, int64_t p) {
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t rank = std::max<int64_t>(1, (p * n + 99) / 100);
  return static_cast<double>(sorted[static_cast<size_t>(rank - 1)]);
}

void FillDelays(std::vector<int64_t> delays, EventRun& run) {
  if (delays.empty()) return;
  std::sort(delays.begin(), delays.end());
  double sum = 0;
  for (int64_t d : delays) sum += static_cast<double>(d);
  run.mean_delay_s = sum / static_cast<double>(delays.size());
  run.p50_delay_s = NearestRank(delays, 50);
  run.p99_delay_s = NearestRank(delays, 99);
  run.max_delay_s = static_cast<double>(delays.back());
}

// Steps are the piecewise-constant allocation: steps[k] holds on [steps[k].time,
// steps[k+1].time), the last one until the end of the replay.
// Time-weighted mean allocation over [from, to), in % of `capacity`; 0 for an empty window.
double TimeWeightedPct(const std::vector<Step>& steps, int64_t from, int64_t to, double capacity) {
  if (to <= from) return 0;
  double integral = 0;  // allocated milli x seconds
  for (size_t k = 0; k < steps.size(); ++k) {
    const int64_t start = std::max(steps[k].time, from);
    const int64_t end = std::min(k + 1 < steps.size() ? steps[k + 1].time : to, to);
    if (end > start) {
      integral += static_cast<double>(steps[k].allocated_milli) * static_cast<double>(end - start);
    }
  }
  return integral / static_cast<double>(to - from) * kPercent / capacity;
}

// The replay span runs from the first arrival (steps[0]) to the last event.
void FillUtilisation(const std::vector<Step>& steps, int64_t last_arrival, double capacity,
                     int samples, EventRun& run) {
  if (steps.empty()) return;
  const int64_t first = steps.front().time;
  const int64_t last = steps.back().time;
  run.mean_allocated_pct = TimeWeightedPct(steps, first, last, capacity);
  run.arrival_allocated_pct = TimeWeightedPct(steps, first, last_arrival, capacity);
  run.utilisation.reserve(static_cast<size_t>(samples));
  size_t k = 0;
  for (int s = 0; s < samples; ++s) {
    const double fraction = samples == 1 ? 0.0 : static_cast<double>(s) / (samples - 1);
    const int64_t t = first + std::llround(static_cast<double>(last - first) * fraction);
    while (k + 1 < steps.size() && steps[k + 1].time <= t) ++k;
    run.utilisation.push_back(
        {t, static_cast<double>(steps[k].allocated_milli) * kPercent / capacity, steps[k].queued});
  }
}

EventRun RunOne(const RunInput& in, const placement::Policy& policy, uint64_t seed) {
  const auto started = std::chrono::steady_clock::now();
  Replay replay(in, policy, seed);
  replay.Run();

  EventRun run;
  run.policy = std::string(policy.name());
  run.seed = seed;
  run.pods = static_cast<int64_t>(in.workload.items.size());
  run.skipped = in.workload.skipped;
  run.placed = static_cast<int64_t>(replay.delays().size());
  int64_t never_placed_milli = 0;
  for (const std::vector<uint32_t>* waiting : {&replay.queue(), &replay.unplaceable()}) {
    for (uint32_t item : *waiting) {
      never_placed_milli += in.pods[in.workload.items[item].trace_index].pod.total_gpu_milli();
    }
    run.never_placed += static_cast<int64_t>(waiting->size());
  }
  run.never_placed_gpus = static_cast<double>(never_placed_milli) / kMilliPerGpu;
  FillDelays(replay.delays(), run);
  const int64_t last_arrival = in.workload.items.empty() ? 0 : in.workload.items.back().arrival;
  FillUtilisation(replay.steps(), last_arrival,
                  static_cast<double>(replay.state().gpu_capacity_milli()), in.options.samples,
                  run);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

}  // namespace

Result<EventReport> RunEventReplay(const Fleet& fleet, const std::vector<codec::TracePod>& pods,
                                   const EventOptions& options) {
  if (fleet.total_gpus() == 0) return Status::InvalidArgument("the fleet has no GPUs");
  if (options.seeds.empty()) return Status::InvalidArgument("no seeds");
  if (options.samples < 0) return Status::InvalidArgument("samples must not be negative");
  if (options.max_retries_per_release <= 0) {
    return Status::InvalidArgument("max_retries_per_release must be positive");
  }
  placement::PolicyOptions policy_options;
  policy_options.typical_tasks = placement::BuildTypicalTasks(TraceShapes(pods));
  auto made = placement::MakePolicies(options.policies, policy_options);
  if (!made.ok()) return made.status();
  const std::vector<std::unique_ptr<placement::Policy>> policies = std::move(made).value();
  std::vector<placement::TieBreakOrder> orders;
  orders.reserve(options.seeds.size());
  for (uint64_t seed : options.seeds) {
    orders.push_back(placement::TieBreakOrder::Shuffled(fleet.nodes().size(), ~seed));
  }

  const Workload workload = Prepare(fleet, pods);
  EventReport report;
  report.cluster_gpus = fleet.total_gpus();
  const size_t total_runs = policies.size() * options.seeds.size();
  for (const auto& policy : policies) {
    for (size_t s = 0; s < options.seeds.size(); ++s) {
      const RunInput in{fleet, pods, workload, orders[s], options};
      report.runs.push_back(RunOne(in, *policy, options.seeds[s]));
      if (options.on_progress) options.on_progress(report.runs.size(), total_runs);
    }
  }
  return report;
}

}  // namespace gpufleet::sim
