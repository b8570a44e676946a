#include "gpufleet/scheduler/cycle.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "gpufleet/placement/placer.h"
#include "gpufleet/scheduler/resale_cap.h"
#include "scheduler/gang_placer.h"
#include "scheduler/pending_reason.h"

namespace gpufleet::scheduler {
namespace {

// Jobs started in this cycle are younger than every running one.
constexpr int64_t kStartedNow = std::numeric_limits<int64_t>::max();

// "8", or "0.5" for fractions of a GPU.
std::string Gpus(int64_t milli) {
  if (milli % kMilliPerGpu == 0) return std::to_string(milli / kMilliPerGpu);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(milli) / kMilliPerGpu);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  return s;
}

// A job holding (or having held) capacity in this cycle: running at the start or started now.
struct Live {
  uint64_t id = 0;
  int32_t priority = 0;
  int32_t replicas = 1;
  const TenantPolicy* tenant = nullptr;  // nullptr: unknown tenant
  PodRequest pod;                        // with the tenant profile's zones
  std::vector<Assignment> placements;
  int64_t started_at = 0;
  bool external = false;
  bool bound = false;
  std::optional<size_t> start;  // index into CycleResult::starts when started now
};

}  // namespace

class CycleState::Impl {
 public:
  Impl(const InventoryFleet& fleet, const inventory::Inventory& inv,
       const compliance::RuleSet& rules, EligibilityCache& eligibility, Date at,
       const placement::Policy& policy, std::vector<TenantPolicy> tenants)
      : fleet_(fleet),
        inv_(inv),
        eligibility_(eligibility),
        placer_(placement::MakeIndexedPlacer(
            ClusterState(fleet.fleet, Zones::kSite), policy,
            placement::TieBreakOrder::Identity(fleet.fleet.nodes().size()))),
        cap_(fleet, rules, at),
        gangs_(*placer_, fleet.fleet.sites().size()),
        rng_(0),
        tenant_list_(std::move(tenants)) {
    for (const TenantPolicy& t : tenant_list_) tenants_.emplace(t.id, &t);
  }

  const std::vector<TenantPolicy>& tenants() const { return tenant_list_; }

  // A tenant not in the list ranks as a tenant of the default priority, 0.
  int32_t TenantPriority(const std::string& tenant) const {
    const auto it = tenants_.find(tenant);
    return it == tenants_.end() ? 0 : it->second->priority;
  }
  size_t running() const { return lives_.size(); }

  bool AddRunning(const RunningJob& r) {
    Live l = MakeLive(r.job);
    l.placements = r.placements;
    l.started_at = r.started_at;
    for (const Assignment& a : l.placements) {
      if (a.node.value() >= fleet_.fleet.nodes().size() || !placer_->state().CanBind(l.pod, a)) {
        return false;  // breaks the REQUIRES; left out rather than over-committing a node
      }
    }
    Bind(l);
    index_[l.id] = lives_.size();
    lives_.push_back(std::move(l));
    return true;
  }

  bool RemoveRunning(uint64_t job) {
    const auto it = index_.find(job);
    if (it == index_.end()) return false;
    const size_t i = it->second;
    index_.erase(it);
    if (lives_[i].bound) Unbind(lives_[i]);
    if (i + 1 != lives_.size()) {
      lives_[i] = std::move(lives_.back());
      index_[lives_[i].id] = i;
    }
    lives_.pop_back();
    return true;
  }

  CycleResult Run(const std::vector<CycleJob>& pending, int64_t now, uint64_t seed) {
    result_ = CycleResult{};
    explained_.clear();
    started_.clear();
    rng_ = Rng(seed);
    std::vector<size_t> order(pending.size());
    std::iota(order.begin(), order.end(), size_t{0});
    // The admin's tenant priority first: a job's own priority only orders it among its
    // tenant's jobs, so no tenant can buy its way ahead of another with a large number.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const CycleJob &x = pending[a], &y = pending[b];
      const int32_t tx = TenantPriority(x.tenant), ty = TenantPriority(y.tenant);
      if (tx != ty) return tx > ty;
      if (x.priority != y.priority) return x.priority > y.priority;
      if (x.submitted_at != y.submitted_at) return x.submitted_at < y.submitted_at;
      return x.id < y.id;
    });
    for (size_t i : order) Schedule(pending[i]);
    // What started runs from now on; what this cycle unbound (preempted, or started and then
    // reclaimed) leaves the state.
    std::vector<uint64_t> unbound;
    for (size_t i : started_) {
      lives_[i].start.reset();
      lives_[i].started_at = now;
    }
    for (const Live& l : lives_) {
      if (!l.bound) unbound.push_back(l.id);
    }
    for (uint64_t id : unbound) RemoveRunning(id);
    return Finish();
  }

  void Schedule(const CycleJob& job) {
    Live l = MakeLive(job);
    if (!l.tenant) {
      result_.pending_reasons[job.id] = "tenant: no tenant '" + job.tenant + "'";
      return;
    }
    const Eligibility& e = eligibility_.For({l.tenant->org, job.data_class});
    if (auto placed = gangs_.Place(l.pod, job.replicas, rng_)) {
      if (const CapFigure* over = TakeCap(l, *placed)) {
        for (const Assignment& a : *placed) placer_->Unbind(l.pod, a);
        result_.pending_reasons[job.id] = CapReason(*over);
        return;
      }
      Start(std::move(l), std::move(*placed));
      return;
    }
    // Within its guarantee on a model it accepts: take borrowed capacity back.
    const int64_t need = l.pod.total_gpu_milli() * job.replicas;
    bool tried = false;
    for (const auto& [model, gpus] : l.tenant->guaranteed_gpus) {
      if (!l.pod.allowed_models.Allows(model) || need == 0) continue;
      if (Usage(*l.tenant, model) + need > int64_t{gpus} * kMilliPerGpu) continue;
      tried = true;
      if (Reclaim(l, model, need)) return;
    }
    JobRequest request;
    request.id = std::to_string(job.id);
    request.tenant_org = l.tenant->org;
    request.data_class = job.data_class;
    request.priority = job.priority;
    request.pod = job.pod;
    request.replicas = job.replicas;
    // Would the rules be all that stands in the way? Try without them, then undo.
    PodRequest unfiltered = job.pod;
    unfiltered.zones = nullptr;
    const std::optional<std::vector<Assignment>> without =
        gangs_.Place(unfiltered, job.replicas, rng_);
    if (without) {
      for (const Assignment& a : *without) placer_->Unbind(unfiltered, a);
    }
    JobOutcome out;
    // The explanation walks every node, and a long queue asks for the same one many times:
    // jobs of one profile and shape on an unchanged state get the same words.
    const ExplainKey key{l.pod.zones.get(), l.pod.allowed_models.bits(),
                         l.pod.gpu_count,   l.pod.gpu_milli,
                         job.replicas,      l.tenant->org,
                         job.data_class,    without.has_value()};
    auto cached = explained_.find(key);
    if (cached != explained_.end() && cached->second.first == version_) {
      out.reason = cached->second.second;
    } else {
      internal::ExplainPending(fleet_, *placer_, request, l.pod, e, without.has_value(), out);
      explained_[key] = {version_, out.reason};
    }
    if (tried) out.reason += "; preempting the borrowed GPUs of other tenants would not make room";
    result_.pending_reasons[job.id] = out.reason;
  }

  CycleResult Finish() {
    CycleResult r;
    for (CycleResult::Start& s : result_.starts) {
      if (!result_.pending_reasons.contains(s.job)) r.starts.push_back(std::move(s));
    }
    r.preemptions = std::move(result_.preemptions);
    r.pending_reasons = std::move(result_.pending_reasons);
    return r;
  }

 private:
  Live MakeLive(const CycleJob& job) {
    Live l;
    l.id = job.id;
    l.priority = job.priority;
    l.replicas = job.replicas;
    l.pod = job.pod;
    l.pod.zones = nullptr;
    if (auto it = tenants_.find(job.tenant); it != tenants_.end()) {
      l.tenant = it->second;
      l.pod.zones = eligibility_.For({l.tenant->org, job.data_class}).filter;
      const inventory::Organisation* org = inv_.FindOrg(l.tenant->org);
      l.external = org && org->kind == inventory::OrgKind::kExternalCustomer;
    }
    return l;
  }

  void Bind(Live& l) {
    ++version_;
    AddUsage(l, 1);
    for (const Assignment& a : l.placements) {
      placer_->Bind(l.pod, a);
      if (l.external) AddCap(a, l.pod.total_gpu_milli());
    }
    l.bound = true;
  }
  void Unbind(Live& l) {
    ++version_;
    AddUsage(l, -1);
    for (const Assignment& a : l.placements) {
      placer_->Unbind(l.pod, a);
      if (l.external) AddCap(a, -l.pod.total_gpu_milli());
    }
    l.bound = false;
  }
  void AddCap(const Assignment& a, int64_t milli) {
    const NodeSpec& n = fleet_.fleet.node(a.node);
    cap_.Add(n.site, n.gpu_model, milli);
  }

  // Counts `placed` (already bound) against the cap for an external tenant; when that breaks
  // a cap, releases it again and returns the cap.
  const CapFigure* TakeCap(const Live& l, const std::vector<Assignment>& placed) {
    if (!l.external) return nullptr;
    for (const Assignment& a : placed) AddCap(a, l.pod.total_gpu_milli());
    const CapFigure* over = cap_.Breached();
    if (over) {
      for (const Assignment& a : placed) AddCap(a, -l.pod.total_gpu_milli());
    }
    return over;
  }

  std::string CapReason(const CapFigure& over) const {
    return "resale cap: external use at " + over.scope + " would reach " +
           internal::Pct(over.share_pct()) + " of " +
           std::string(compliance::QuotaBasisName(over.quota->basis)) + ", above " +
           internal::Pct(over.quota->threshold_pct) + " (" + over.quota->id + ")";
  }

  int64_t OnModel(const Live& l, ChipModelId model) const {
    int64_t milli = 0;
    for (const Assignment& a : l.placements) {
      if (fleet_.fleet.node(a.node).gpu_model == model) milli += l.pod.total_gpu_milli();
    }
    return milli;
  }

  // The GPUs of `t`'s bound jobs on `model`, kept up to date by Bind, Unbind and Start
  // (summing over every live job per question made a long queue quadratic).
  int64_t Usage(const TenantPolicy& t, ChipModelId model) const {
    const auto it = usage_.find({&t, model});
    return it == usage_.end() ? 0 : it->second;
  }
  void AddUsage(const Live& l, int64_t sign) {
    if (!l.tenant) return;
    for (const Assignment& a : l.placements) {
      usage_[{l.tenant, fleet_.fleet.node(a.node).gpu_model}] += sign * l.pod.total_gpu_milli();
    }
  }

  int64_t Guaranteed(const TenantPolicy& t, ChipModelId model) const {
    auto it = t.guaranteed_gpus.find(model);
    return it == t.guaranteed_gpus.end() ? 0 : int64_t{it->second} * kMilliPerGpu;
  }

  // Indices of the bound jobs that are borrowed on `model`: per tenant, highest priority
  // then oldest first, those from the first that takes the sum over the guarantee.
  std::vector<size_t> BorrowedOn(ChipModelId model) const {
    std::map<const TenantPolicy*, std::vector<size_t>> by_tenant;
    for (size_t i = 0; i < lives_.size(); ++i) {
      if (lives_[i].bound && OnModel(lives_[i], model) > 0)
        by_tenant[lives_[i].tenant].push_back(i);
    }
    std::vector<size_t> borrowed;
    for (auto& [tenant, jobs] : by_tenant) {
      std::sort(jobs.begin(), jobs.end(), [&](size_t a, size_t b) {
        const Live &x = lives_[a], &y = lives_[b];
        if (x.priority != y.priority) return x.priority > y.priority;
        if (x.started_at != y.started_at) return x.started_at < y.started_at;
        return x.id < y.id;
      });
      const int64_t guaranteed = tenant ? Guaranteed(*tenant, model) : 0;
      int64_t sum = 0;
      bool over = false;
      for (size_t i : jobs) {
        sum += OnModel(lives_[i], model);
        over = over || sum > guaranteed;
        if (over) borrowed.push_back(i);
      }
    }
    return borrowed;
  }

  void Start(Live l, std::vector<Assignment> placed) {
    ++version_;
    l.placements = std::move(placed);
    l.started_at = kStartedNow;
    l.bound = true;
    AddUsage(l, 1);
    CycleResult::Start s{l.id, l.placements, false};
    lives_.push_back(std::move(l));
    const Live& added = lives_.back();
    for (const Assignment& a : added.placements) {
      const ChipModelId m = fleet_.fleet.node(a.node).gpu_model;
      s.borrowed = s.borrowed || Usage(*added.tenant, m) > Guaranteed(*added.tenant, m);
    }
    lives_.back().start = result_.starts.size();
    index_[added.id] = lives_.size() - 1;
    started_.push_back(lives_.size() - 1);
    result_.starts.push_back(std::move(s));
  }

  // Preempts borrowed jobs of other tenants on `model`, on nodes the rules allow `l`, until
  // `l` fits there; true when it started. Otherwise everything stays as it was.
  bool Reclaim(Live& l, ChipModelId model, int64_t need) {
    ++version_;
    PodRequest pod = l.pod;
    pod.allowed_models = ModelSet::Of({model});
    std::vector<size_t> victims;
    for (size_t i : BorrowedOn(model)) {
      const Live& v = lives_[i];
      if (v.tenant == l.tenant) continue;
      const bool reachable = std::any_of(v.placements.begin(), v.placements.end(), [&](auto& a) {
        const NodeSpec& n = fleet_.fleet.node(a.node);
        return n.gpu_model == model && (!pod.zones || pod.zones->Allows(n.site.value(), model));
      });
      if (reachable) victims.push_back(i);
    }
    std::sort(victims.begin(), victims.end(), [&](size_t a, size_t b) {
      const Live &x = lives_[a], &y = lives_[b];
      if (x.priority != y.priority) return x.priority < y.priority;
      if (x.started_at != y.started_at) return x.started_at > y.started_at;
      return x.id > y.id;
    });
    std::vector<size_t> removed;
    std::optional<std::vector<Assignment>> placed;
    for (size_t i : victims) {
      Unbind(lives_[i]);
      removed.push_back(i);
      placed = gangs_.Place(pod, l.replicas, rng_);
      if (!placed) continue;
      if (!TakeCap(l, *placed)) break;
      for (const Assignment& a : *placed) placer_->Unbind(pod, a);
      placed.reset();
    }
    if (!placed) {
      for (auto it = removed.rbegin(); it != removed.rend(); ++it) Bind(lives_[*it]);
      return false;
    }
    // Victims whose room the job did not need after all stay (youngest preempted last first).
    // The job's replicas are bound with `pod`; rebinding them under l.pod keeps Unbind exact.
    for (const Assignment& a : *placed) {
      placer_->Unbind(pod, a);
      placer_->Bind(l.pod, a);
    }
    std::vector<size_t> preempted;
    for (auto it = removed.rbegin(); it != removed.rend(); ++it) {
      Live& v = lives_[*it];
      // Replica by replica: each must fit on the state the others leave.
      size_t bound = 0;
      while (bound < v.placements.size() && placer_->state().CanBind(v.pod, v.placements[bound])) {
        placer_->Bind(v.pod, v.placements[bound++]);
      }
      for (size_t k = 0; k < bound; ++k) placer_->Unbind(v.pod, v.placements[k]);
      bool ok = bound == v.placements.size();
      if (ok && v.external) {
        for (const Assignment& a : v.placements) AddCap(a, v.pod.total_gpu_milli());
        ok = cap_.Breached() == nullptr;
        for (const Assignment& a : v.placements) AddCap(a, -v.pod.total_gpu_milli());
      }
      if (ok) {
        Bind(v);
      } else {
        preempted.push_back(*it);
      }
    }
    const std::string reason = "preempted: tenant " + l.tenant->id + " reclaims its guaranteed " +
                               Gpus(need) + " " + fleet_.fleet.model(model).name +
                               " GPUs for job " + std::to_string(l.id);
    for (size_t i : preempted) {
      const Live& v = lives_[i];
      if (v.start) {
        result_.pending_reasons[v.id] = reason + " (started in this cycle, so not started)";
      } else {
        result_.preemptions.push_back({v.id, reason});
      }
    }
    Start(std::move(l), std::move(*placed));
    return true;
  }

  const InventoryFleet& fleet_;
  const inventory::Inventory& inv_;
  EligibilityCache& eligibility_;
  std::unique_ptr<placement::Placer> placer_;
  ResaleCap cap_;
  internal::GangPlacer gangs_;
  Rng rng_;
  std::map<std::string, const TenantPolicy*> tenants_;
  std::vector<TenantPolicy> tenant_list_;
  std::vector<Live> lives_;
  std::unordered_map<uint64_t, size_t> index_;  // lives_ by job id
  std::vector<size_t> started_;                 // lives_ started in this Run
  CycleResult result_;
  // Pending explanations by what they read: the pod's filter and shape, the gang, the
  // profile and whether the rules alone stand in the way; valid while version_ (bumped by
  // every change of the placer's state that outlives a call) is unchanged.
  using ExplainKey = std::tuple<const ZoneFilter*, uint64_t, int32_t, int32_t, int32_t, std::string,
                                std::string, bool>;
  std::map<ExplainKey, std::pair<uint64_t, std::string>> explained_;
  uint64_t version_ = 0;
  std::map<std::pair<const TenantPolicy*, ChipModelId>, int64_t> usage_;  // see Usage
};

CycleState::CycleState(const InventoryFleet& fleet, const inventory::Inventory& inv,
                       const compliance::RuleSet& rules, EligibilityCache& eligibility, Date at,
                       const placement::Policy& policy, std::vector<TenantPolicy> tenants)
    : impl_(
          std::make_unique<Impl>(fleet, inv, rules, eligibility, at, policy, std::move(tenants))) {}
CycleState::~CycleState() = default;
bool CycleState::AddRunning(const RunningJob& r) { return impl_->AddRunning(r); }
bool CycleState::RemoveRunning(uint64_t job) { return impl_->RemoveRunning(job); }
CycleResult CycleState::Run(const std::vector<CycleJob>& pending, int64_t now, uint64_t seed) {
  return impl_->Run(pending, now, seed);
}
size_t CycleState::running() const { return impl_->running(); }
const std::vector<TenantPolicy>& CycleState::tenants() const { return impl_->tenants(); }

CycleResult RunCycle(const InventoryFleet& fleet, const inventory::Inventory& inv,
                     const compliance::RuleSet& rules, EligibilityCache& eligibility, Date at,
                     const placement::Policy& policy, const std::vector<TenantPolicy>& tenants,
                     const std::vector<CycleJob>& pending, const std::vector<RunningJob>& running,
                     uint64_t seed) {
  CycleState state(fleet, inv, rules, eligibility, at, policy, tenants);
  for (const RunningJob& r : running) state.AddRunning(r);
  return state.Run(pending, 0, seed);
}

}  // namespace gpufleet::scheduler
