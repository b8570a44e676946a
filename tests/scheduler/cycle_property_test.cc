// Property test of RunCycle (cycle.h) over seeded random tenants, guarantees, fleets and
// arrivals: a first cycle on an empty fleet gives the running jobs, a second cycle takes more
// arrivals. A CycleState kept through the same cycles (and some jobs ending) decides exactly
// as RunCycle rebuilt each time. Whatever the second decides, the surviving and started jobs fit
// the nodes, starts sit on nodes the rules allow (checked against the naive engine), external use
// stays under the resale cap, and preemptions are taken back by another tenant. In scenarios of
// whole-node jobs (no fragmentation), the guarantee holds within the cycle: a job of an internal
// tenant that stays within its guarantee on a model whose nodes the rules all allow it starts.
// Print the seed on failure (SCOPED_TRACE).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/compliance/workload.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/scheduler/cycle.h"
#include "gpufleet/scheduler/resale_cap.h"
#include "scheduler/shipped_inputs.h"

namespace gpufleet::scheduler {
namespace {

constexpr int kSeeds = 30;
constexpr const char* kCountries[] = {"CN", "SG", "US"};
constexpr const char* kModels[] = {"nvidia-h20-96gb", "nvidia-h100-sxm5-80gb"};
constexpr const char* kOrgs[] = {"co", "sub", "other", "ext"};
constexpr int32_t kGpuChoicesMilli[] = {250, 500, 1000, 2000, 4000, 8000};

// 1-3 sites, each with 1-4 named nodes of eight GPUs per model it holds.
std::string RandomInventory(Rng& rng) {
  std::string y =
      "organisations:\n"
      "  - {id: co, name: Co, kind: company, hq_country: CN}\n"
      "  - {id: sub, name: Sub, kind: subsidiary, parent: co, hq_country: SG}\n"
      "  - {id: other, name: Other, kind: company, hq_country: SG}\n"
      "  - {id: ext, name: Ext, kind: external_customer, hq_country: SG}\n"
      "sites:\n";
  const int sites = 1 + static_cast<int>(rng.Uniform(3));
  for (int i = 0; i < sites; ++i) {
    y += "  - {id: site-" + std::to_string(i) + ", name: Site " + std::to_string(i) +
         ", country: " + rng.Pick(kCountries) + ", ownership: owned}\n";
  }
  y += "assets:\n";
  int serial = 0;
  for (int i = 0; i < sites; ++i) {
    for (const char* model : kModels) {
      if (rng.Uniform(3) == 0) continue;
      const int nodes = 1 + static_cast<int>(rng.Uniform(4));
      for (int n = 0; n < nodes * kMaxGpusPerNode; ++n) {
        y += "  - {serial: \"SN" + std::to_string(serial++) + "\", model: " + model +
             ", site: site-" + std::to_string(i) + ", node: " + model + "-" +
             std::to_string(n / kMaxGpusPerNode) +
             ", owner: other, operator: other, holding: owned, acquired: 2024-01-01, arrival: "
             "export, from_country: TW}\n";
      }
    }
  }
  return y;
}

class CyclePropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto in = testing::LoadShippedInputs();
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    inputs_ = std::make_unique<testing::ShippedInputs>(std::move(in).value());
    catalog_ = &inputs_->catalog;
    auto policy = placement::MakePolicy("bestfit", placement::PolicyOptions{});
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    policy_ = std::move(policy).value();
  }

  void RunScenario(uint64_t seed);
  void ExpectKeptStateDecidesAsRebuilt(const InventoryFleet& fleet, const inventory::Inventory& inv,
                                       const compliance::RuleSet& rules, EligibilityCache& cache,
                                       Date at, const std::vector<TenantPolicy>& tenants,
                                       const std::vector<CycleJob>& first, uint64_t first_seed,
                                       const std::vector<CycleJob>& pending, uint64_t cycle_seed,
                                       Rng& rng);

  std::unique_ptr<testing::ShippedInputs> inputs_;
  const catalog::Catalog* catalog_ = nullptr;  // inputs_->catalog
  std::unique_ptr<placement::Policy> policy_;
  // Tallies over every scenario, so the suite can tell it exercised each property.
  int64_t preemptions_ = 0, borrowed_starts_ = 0, guarantee_cases_ = 0, cap_pending_ = 0,
          reclaim_cases_ = 0;
};

void ExpectSameDecisions(const CycleResult& kept, const CycleResult& rebuilt) {
  ASSERT_EQ(kept.starts.size(), rebuilt.starts.size());
  for (size_t i = 0; i < kept.starts.size(); ++i) {
    EXPECT_EQ(kept.starts[i].job, rebuilt.starts[i].job);
    EXPECT_EQ(kept.starts[i].placements, rebuilt.starts[i].placements);
    EXPECT_EQ(kept.starts[i].borrowed, rebuilt.starts[i].borrowed);
  }
  ASSERT_EQ(kept.preemptions.size(), rebuilt.preemptions.size());
  for (size_t i = 0; i < kept.preemptions.size(); ++i) {
    EXPECT_EQ(kept.preemptions[i].job, rebuilt.preemptions[i].job);
    EXPECT_EQ(kept.preemptions[i].reason, rebuilt.preemptions[i].reason);
  }
  EXPECT_EQ(kept.pending_reasons, rebuilt.pending_reasons);
}

// One CycleState kept over three cycles, with some running jobs ending between them, decides
// each cycle exactly as RunCycle rebuilt from the jobs that run at that point.
void CyclePropertyTest::ExpectKeptStateDecidesAsRebuilt(
    const InventoryFleet& fleet, const inventory::Inventory& inv, const compliance::RuleSet& rules,
    EligibilityCache& cache, Date at, const std::vector<TenantPolicy>& tenants,
    const std::vector<CycleJob>& first, uint64_t first_seed, const std::vector<CycleJob>& pending,
    uint64_t cycle_seed, Rng& rng) {
  CycleState kept(fleet, inv, rules, cache, at, *policy_, tenants);
  std::vector<RunningJob> running;  // what runs in `kept`, as RunCycle takes it
  const auto advance = [&](const std::vector<CycleJob>& jobs, int64_t now, uint64_t seed) {
    const CycleResult rebuilt =
        RunCycle(fleet, inv, rules, cache, at, *policy_, tenants, jobs, running, seed);
    const CycleResult decided = kept.Run(jobs, now, seed);
    ExpectSameDecisions(decided, rebuilt);
    std::set<uint64_t> preempted;
    for (const CycleResult::Preempt& p : decided.preemptions) preempted.insert(p.job);
    std::erase_if(running, [&](const RunningJob& j) { return preempted.contains(j.job.id); });
    for (const CycleResult::Start& s : decided.starts) {
      for (const CycleJob& j : jobs) {
        if (j.id == s.job) running.push_back({j, s.placements, now});
      }
    }
    EXPECT_EQ(kept.running(), running.size());
    // Some jobs end before the next cycle.
    std::erase_if(running, [&](const RunningJob& j) {
      if (rng.Uniform(4) != 0) return false;
      EXPECT_TRUE(kept.RemoveRunning(j.job.id));
      return true;
    });
  };
  advance(first, 7, first_seed);
  advance(pending, 9, cycle_seed);
  std::vector<CycleJob> left;  // the second cycle's jobs that did not start, once more
  for (const CycleJob& j : pending) {
    const bool runs = std::any_of(running.begin(), running.end(),
                                  [&](const RunningJob& r) { return r.job.id == j.id; });
    if (!runs && !kept.RemoveRunning(j.id)) left.push_back(j);
  }
  advance(left, 11, cycle_seed + 1);
}

void CyclePropertyTest::RunScenario(uint64_t seed) {
  Rng rng(seed);
  const bool whole_nodes = seed % 2 == 0;
  auto inv_or = inventory::Inventory::Parse(RandomInventory(rng), "random.yaml", "", *catalog_);
  ASSERT_TRUE(inv_or.ok()) << inv_or.status().ToString();
  const inventory::Inventory inv = std::move(inv_or).value();
  std::string overlay = inputs_->overlay_text;
  const size_t at_threshold = overlay.find("threshold_pct: 10");
  ASSERT_NE(at_threshold, std::string::npos);
  overlay.replace(at_threshold, 17, "threshold_pct: " + std::to_string(5 + rng.Uniform(26)));
  auto rules_or = inputs_->RulesWith(overlay);
  ASSERT_TRUE(rules_or.ok()) << rules_or.status().ToString();
  const compliance::RuleSet rules = std::move(rules_or).value();
  const auto engine = compliance::MakeIndexedEngine(rules);
  const auto naive = compliance::MakeNaiveEngine(rules);
  const Date at = *Date::Parse("2026-03-01");
  const compliance::FleetCheckReport check =
      compliance::CheckFleet(inv, *catalog_, rules, *engine, at);
  auto fleet_or = BuildInventoryFleet(inv, *catalog_, at, check);
  ASSERT_TRUE(fleet_or.ok()) << fleet_or.status().ToString();
  const InventoryFleet fleet = std::move(fleet_or).value();
  const size_t models = fleet.fleet.models().size();
  if (models == 0) return;

  // Tenants: one per organisation (two for co); guarantees per model sum to at most the GPUs
  // of its full nodes; the external tenant has none.
  std::vector<TenantPolicy> tenants = {{"T-co", "co", 0, {}},
                                       {"T-co2", "co", 0, {}},
                                       {"T-sub", "sub", 0, {}},
                                       {"T-other", "other", 0, {}},
                                       {"T-ext", "ext", 0, {}}};
  for (size_t m = 0; m < models; ++m) {
    const ChipModelId model(static_cast<uint16_t>(m));
    int64_t full_nodes = 0;
    for (const NodeSpec& n : fleet.fleet.nodes()) {
      full_nodes += n.gpu_model == model && n.gpu_count == kMaxGpusPerNode ? 1 : 0;
    }
    int64_t left = full_nodes;
    for (size_t t = 0; t + 1 < tenants.size() && left > 0; ++t) {
      const int64_t nodes = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(left) + 1));
      tenants[t].guaranteed_gpus[model] = static_cast<int32_t>(nodes * kMaxGpusPerNode);
      left -= nodes;
    }
  }
  const std::map<std::string, const TenantPolicy*> tenant_of = [&] {
    std::map<std::string, const TenantPolicy*> m;
    for (const TenantPolicy& t : tenants) m[t.id] = &t;
    return m;
  }();

  uint64_t next_id = 1;
  auto random_jobs = [&](int n) {
    std::vector<CycleJob> jobs;
    for (int i = 0; i < n; ++i) {
      CycleJob j;
      j.id = next_id++;
      j.tenant = tenants[rng.Uniform(tenants.size())].id;
      j.data_class = rng.Uniform(3) == 0 ? "cn_personal" : "";
      j.priority = static_cast<int32_t>(rng.Uniform(3));
      j.submitted_at = static_cast<int64_t>(rng.Uniform(100));
      const int32_t milli =
          whole_nodes ? kMaxGpusPerNode * kMilliPerGpu : rng.Pick(kGpuChoicesMilli);
      j.pod.gpu_count = milli < kMilliPerGpu ? 1 : milli / kMilliPerGpu;
      j.pod.gpu_milli = milli < kMilliPerGpu ? milli : kMilliPerGpu;
      if (!whole_nodes) {
        j.replicas = 1 + static_cast<int32_t>(rng.Uniform(3));
        j.pod.cpu_milli = 1000 * static_cast<int64_t>(rng.Uniform(9));
      }
      if (rng.Uniform(4) == 0) {
        j.pod.allowed_models.Add(ChipModelId(static_cast<uint16_t>(rng.Uniform(models))));
      }
      jobs.push_back(std::move(j));
    }
    return jobs;
  };

  // The first cycle, on an empty fleet, gives the running jobs.
  EligibilityCache cache(fleet, inv, *engine, at);
  const std::vector<CycleJob> first = random_jobs(5 + static_cast<int>(rng.Uniform(20)));
  const uint64_t first_seed = rng.Next();
  const CycleResult r1 =
      RunCycle(fleet, inv, rules, cache, at, *policy_, tenants, first, {}, first_seed);
  ASSERT_TRUE(r1.preemptions.empty());
  std::vector<RunningJob> running;
  for (const CycleResult::Start& s : r1.starts) {
    for (const CycleJob& j : first) {
      if (j.id == s.job)
        running.push_back({j, s.placements, static_cast<int64_t>(rng.Uniform(50))});
    }
  }
  const std::vector<CycleJob> pending = random_jobs(3 + static_cast<int>(rng.Uniform(15)));
  const uint64_t cycle_seed = rng.Next();
  const CycleResult r =
      RunCycle(fleet, inv, rules, cache, at, *policy_, tenants, pending, running, cycle_seed);
  ExpectKeptStateDecidesAsRebuilt(fleet, inv, rules, cache, at, tenants, first, first_seed, pending,
                                  cycle_seed, rng);

  std::map<std::tuple<std::string, std::string, uint32_t, uint16_t>, bool> allowed_memo;
  auto allowed = [&](const CycleJob& j, SiteId site, ChipModelId model) {
    const std::string& org = tenant_of.at(j.tenant)->org;
    auto [it, fresh] = allowed_memo.try_emplace({org, j.data_class, site.value(), model.value()});
    if (fresh) {
      const compliance::Situation sit = compliance::WorkloadSituation(
          inv, *catalog_->Find(fleet.fleet.model(model).name),
          *inv.FindSite(fleet.fleet.site(site).name), org, j.data_class, at);
      it->second = !compliance::BlocksPlacement(naive->Evaluate(sit));
    }
    return it->second;
  };
  auto external = [&](const CycleJob& j) { return tenant_of.at(j.tenant)->org == "ext"; };

  // Every pending job either starts or says why; preemptions are of running jobs.
  std::map<uint64_t, const CycleJob*> pending_by_id, running_by_id;
  for (const CycleJob& j : pending) pending_by_id[j.id] = &j;
  for (const RunningJob& j : running) running_by_id[j.job.id] = &j.job;
  std::set<uint64_t> started, preempted;
  for (const CycleResult::Start& s : r.starts) {
    ASSERT_TRUE(pending_by_id.contains(s.job));
    EXPECT_TRUE(started.insert(s.job).second);
    EXPECT_FALSE(r.pending_reasons.contains(s.job));
    borrowed_starts_ += s.borrowed ? 1 : 0;
  }
  for (const CycleJob& j : pending) {
    EXPECT_TRUE(started.contains(j.id) || r.pending_reasons.contains(j.id)) << j.id;
    if (r.pending_reasons.contains(j.id)) {
      EXPECT_FALSE(r.pending_reasons.at(j.id).empty());
      cap_pending_ += r.pending_reasons.at(j.id).starts_with("resale cap:") ? 1 : 0;
    }
  }
  for (const CycleResult::Preempt& p : r.preemptions) {
    ASSERT_TRUE(running_by_id.contains(p.job));
    EXPECT_TRUE(preempted.insert(p.job).second);
    ++preemptions_;
    const std::string prefix = "preempted: tenant ";
    ASSERT_TRUE(p.reason.starts_with(prefix)) << p.reason;
    const std::string reclaimer =
        p.reason.substr(prefix.size(), p.reason.find(' ', prefix.size()) - prefix.size());
    EXPECT_TRUE(tenant_of.contains(reclaimer)) << p.reason;
    EXPECT_NE(reclaimer, running_by_id.at(p.job)->tenant) << "a tenant does not preempt itself";
  }

  // Capacity, compliance and the resale cap over what runs after the cycle.
  ClusterState state(fleet.fleet);
  ResaleCap cap(fleet, rules, at);
  auto take = [&](const CycleJob& j, const std::vector<Assignment>& placements) {
    ASSERT_EQ(placements.size(), static_cast<size_t>(j.replicas));
    for (const Assignment& a : placements) {
      ASSERT_LT(a.node.value(), fleet.fleet.nodes().size());
      ASSERT_TRUE(state.CanBind(j.pod, a))
          << "job " << j.id << " over-commits " << fleet.fleet.node(a.node).name;
      state.Bind(j.pod, a);
      const NodeSpec& n = fleet.fleet.node(a.node);
      if (external(j)) cap.Add(n.site, n.gpu_model, j.pod.total_gpu_milli());
    }
  };
  for (const RunningJob& j : running) {
    if (!preempted.contains(j.job.id)) take(j.job, j.placements);
  }
  for (const CycleResult::Start& s : r.starts) {
    const CycleJob& j = *pending_by_id.at(s.job);
    take(j, s.placements);
    const SiteId site = fleet.fleet.node(s.placements[0].node).site;
    for (const Assignment& a : s.placements) {
      const NodeSpec& n = fleet.fleet.node(a.node);
      EXPECT_EQ(n.site, site) << "a gang stays on one site";
      EXPECT_TRUE(allowed(j, n.site, n.gpu_model))
          << "the rules keep job " << j.id << " off " << n.name;
      EXPECT_TRUE(j.pod.allowed_models.Allows(n.gpu_model));
      EXPECT_EQ(std::popcount(a.gpu_mask), j.pod.gpu_count);
    }
  }
  const CapFigure* over = cap.Breached();
  EXPECT_EQ(over, nullptr) << "external use " << (over ? over->used : 0) << " of "
                           << (over ? over->capacity : 0) << " at " << (over ? over->scope : "");

  // The guarantee within one cycle (whole-node jobs): a job of an internal tenant that, even
  // counting every earlier job of its tenant in the cycle, stays within its guarantee on a
  // model whose nodes the rules all allow it, starts.
  if (!whole_nodes) return;
  std::vector<const CycleJob*> order;
  for (const CycleJob& j : pending) order.push_back(&j);
  std::stable_sort(order.begin(), order.end(), [](const CycleJob* a, const CycleJob* b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    if (a->submitted_at != b->submitted_at) return a->submitted_at < b->submitted_at;
    return a->id < b->id;
  });
  for (size_t k = 0; k < order.size(); ++k) {
    const CycleJob& j = *order[k];
    if (external(j)) continue;
    const TenantPolicy& t = *tenant_of.at(j.tenant);
    for (const auto& [model, gpus] : t.guaranteed_gpus) {
      if (!j.pod.allowed_models.Allows(model)) continue;
      bool all_allowed = true, any_node = false;
      for (const NodeSpec& n : fleet.fleet.nodes()) {
        if (n.gpu_model != model) continue;
        any_node = true;
        all_allowed = all_allowed && allowed(j, n.site, model);
      }
      if (!any_node || !all_allowed) continue;
      int64_t bound = j.pod.total_gpu_milli() * j.replicas;
      for (const RunningJob& rj : running) {
        if (rj.job.tenant != t.id) continue;
        for (const Assignment& a : rj.placements) {
          if (fleet.fleet.node(a.node).gpu_model == model) bound += rj.job.pod.total_gpu_milli();
        }
      }
      for (size_t e = 0; e < k; ++e) {
        if (order[e]->tenant == t.id && order[e]->pod.allowed_models.Allows(model)) {
          bound += order[e]->pod.total_gpu_milli() * order[e]->replicas;
        }
      }
      if (bound > int64_t{gpus} * kMilliPerGpu) continue;
      ++guarantee_cases_;
      reclaim_cases_ += r.preemptions.empty() ? 0 : 1;
      EXPECT_TRUE(started.contains(j.id))
          << "job " << j.id << " of " << t.id << " within its guarantee of " << gpus << " "
          << fleet.fleet.model(model).name << " GPUs did not start: " << r.pending_reasons.at(j.id);
      break;
    }
  }
}

TEST_F(CyclePropertyTest, CapacityRulesCapAndGuaranteesHold) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunScenario(seed);
    if (HasFailure()) break;  // one failing seed is enough to read
  }
  EXPECT_GT(preemptions_, 0);
  EXPECT_GT(borrowed_starts_, 0);
  EXPECT_GT(cap_pending_, 0);
  EXPECT_GT(guarantee_cases_, 0);
  EXPECT_GT(reclaim_cases_, 0) << "some guaranteed job needed a preemption";
  std::printf(
      "cycle property: %lld preemptions, %lld borrowed starts, %lld guarantee cases (%lld with "
      "preemptions), %lld held by the cap\n",
      static_cast<long long>(preemptions_), static_cast<long long>(borrowed_starts_),
      static_cast<long long>(guarantee_cases_), static_cast<long long>(reclaim_cases_),
      static_cast<long long>(cap_pending_));
}

}  // namespace
}  // namespace gpufleet::scheduler
