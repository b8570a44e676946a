// Property test of the scheduler loop (scheduler_loop.h) over seeded random fleets, tenants
// (some external), guarantees, arrivals, durations and cancellations, for many passes with
// the clock advanced by hand, the loop checking its in-memory copy of the active jobs against
// the store (verify_active) and either keeping or rebuilding its cycle state. After every pass,
// from the store's placements: no GPU is over-committed (whole GPUs disjoint, shared GPUs at most
// 1000 milli), every running job has one placement per replica, and external tenants' allocation
// stays under the resale cap (acme's 10% of compute, measured with scheduler::ResaleCap). In
// scenarios of whole-node jobs of one model each (no fragmentation), the guarantee holds within one
// pass: a pending job of an internal tenant that stays within its guarantee on its model is running
// after the pass. Print the seed on failure (SCOPED_TRACE).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gpufleet/model/rng.h"
#include "gpufleet/scheduler/resale_cap.h"
#include "gpufleet/service/scheduler_loop.h"
#include "service/scheduler_test_fleet.h"

namespace gpufleet::service {
namespace {

constexpr int kSeeds = 12;
constexpr int kPasses = 30;
constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr const char* kModels[] = {testing::kH100, testing::kH20};
constexpr const char* kOrgs[] = {"a", "b", "c", "ext"};

// 1-2 sites in Singapore, each with 1-3 nodes of eight GPUs per model.
std::string RandomInventory(Rng& rng, std::map<std::string, int64_t>& gpus_per_model) {
  std::string y =
      "organisations:\n"
      "  - {id: a, name: A, kind: company, hq_country: SG}\n"
      "  - {id: b, name: B, kind: company, hq_country: SG}\n"
      "  - {id: c, name: C, kind: company, hq_country: SG}\n"
      "  - {id: ext, name: Ext, kind: external_customer, hq_country: SG}\n"
      "sites:\n";
  const int sites = 1 + static_cast<int>(rng.Uniform(2));
  for (int s = 0; s < sites; ++s) {
    y += "  - {id: sg-" + std::to_string(s) + ", name: SG " + std::to_string(s) +
         ", country: SG, ownership: owned}\n";
  }
  y += "assets:\n";
  int serial = 0;
  for (int s = 0; s < sites; ++s) {
    for (const char* model : kModels) {
      const int nodes = 1 + static_cast<int>(rng.Uniform(3));
      gpus_per_model[model] += nodes * 8;
      for (int n = 0; n < nodes; ++n) {
        for (int g = 0; g < 8; ++g) {
          y += "  - {serial: \"SN" + std::to_string(serial++) + "\", model: " + model +
               ", site: sg-" + std::to_string(s) + ", node: " + model + "-n" + std::to_string(n) +
               ", owner: a, operator: a, holding: owned, acquired: 2024-01-01, arrival: export, "
               "from_country: TW}\n";
        }
      }
    }
  }
  return y;
}

struct Scenario {
  bool whole_nodes = false;                   // every job one replica of eight GPUs of one model
  std::map<std::string, std::string> org_of;  // tenant -> org
  std::map<std::pair<std::string, std::string>, int32_t> guaranteed;  // (tenant, model)
};

class SchedulerLoopPropertyTest : public ::testing::TestWithParam<int> {};

store::JobSpec RandomJob(Rng& rng, const Scenario& sc, int64_t now) {
  std::vector<std::string> tenants;
  for (const auto& [t, org] : sc.org_of) tenants.push_back(t);
  store::JobSpec spec = testing::Spec(tenants[rng.Uniform(tenants.size())], "job", 8);
  spec.submitted_at_ms = now;
  spec.priority = static_cast<int32_t>(rng.Uniform(3));
  spec.duration_s = rng.Uniform(3) == 0 ? 0 : 10 + static_cast<int64_t>(rng.Uniform(300));
  spec.models = {kModels[rng.Uniform(2)]};
  if (sc.whole_nodes) return spec;
  constexpr int32_t kShapes[][3] = {{1, 1, 250},  {1, 1, 500},  {1, 1, 1000}, {2, 1, 1000},
                                    {4, 1, 1000}, {8, 1, 1000}, {4, 2, 1000}, {8, 2, 1000}};
  const auto& s = kShapes[rng.Uniform(std::size(kShapes))];
  spec.gpu_count = s[0];
  spec.replicas = s[1];
  spec.gpu_milli = s[2];
  if (rng.Uniform(4) == 0) spec.models.clear();
  return spec;
}

// The pending jobs the guarantee promises to start in the next pass at `now`: in the
// cycle's order, an internal tenant's jobs on a model are promised while its usage there
// (jobs that keep running, plus promised ones) stays within its guarantee.
std::set<uint64_t> Promised(const std::vector<store::JobRecord>& active, const Scenario& sc,
                            int64_t now) {
  std::map<std::pair<std::string, std::string>, int64_t> usage;  // (tenant, model) -> GPUs
  std::vector<const store::JobRecord*> pending;
  for (const store::JobRecord& j : active) {
    if (j.state == store::JobState::kPending) {
      pending.push_back(&j);
    } else if (j.spec.duration_s == 0 || j.started_at_ms + j.spec.duration_s * 1000 > now) {
      usage[{j.spec.tenant, j.spec.models.at(0)}] += j.spec.gpu_count * j.spec.replicas;
    }
  }
  std::stable_sort(pending.begin(), pending.end(), [](auto* x, auto* y) {
    return std::tuple(-x->spec.priority, x->spec.submitted_at_ms, x->id) <
           std::tuple(-y->spec.priority, y->spec.submitted_at_ms, y->id);
  });
  std::set<uint64_t> promised;
  std::set<std::pair<std::string, std::string>> stopped;
  for (const store::JobRecord* j : pending) {
    const std::pair<std::string, std::string> key{j->spec.tenant, j->spec.models.at(0)};
    if (sc.org_of.at(j->spec.tenant) == "ext" || stopped.contains(key)) continue;
    const auto g = sc.guaranteed.find(key);
    const int64_t limit = g == sc.guaranteed.end() ? 0 : g->second;
    if (usage[key] + j->spec.gpu_count > limit) {
      stopped.insert(key);  // it may borrow or not: later usage is unknown
      continue;
    }
    usage[key] += j->spec.gpu_count;
    promised.insert(j->id.value());
  }
  return promised;
}

TEST_P(SchedulerLoopPropertyTest, CapacityGuaranteesAndTheResaleCapHoldOverManyPasses) {
  int64_t promised_total = 0;  // the guarantee property is not vacuous
  bool any_whole_nodes = false;
  for (int k = 0; k < kSeeds / 2; ++k) {
    const uint64_t seed = static_cast<uint64_t>(GetParam() * 1000 + k);
    SCOPED_TRACE("seed " + std::to_string(seed));
    Rng rng(seed);
    std::map<std::string, int64_t> capacity;
    auto ctx = testing::MakeContext(RandomInventory(rng, capacity));
    ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
    const FleetContext& fleet = **ctx;
    FleetHolder holder(std::move(ctx).value());
    Scenario sc;
    sc.whole_nodes = rng.Uniform(2) == 0;
    any_whole_nodes = any_whole_nodes || sc.whole_nodes;
    testing::StoreFile file("seed" + std::to_string(seed));
    std::unique_ptr<store::Store> store = file.Open();
    ASSERT_NE(store, nullptr);
    const int tenants = 2 + static_cast<int>(rng.Uniform(4));
    for (int t = 0; t < tenants; ++t) {
      const std::string id = "t" + std::to_string(t);
      const std::string org = kOrgs[rng.Uniform(std::size(kOrgs))];
      sc.org_of[id] = org;
      ASSERT_TRUE(store->PutTenant(testing::Tenant(id, org, org == "ext")).ok());
    }
    // Guarantees in whole nodes, never more than a model's capacity in all.
    for (const char* model : kModels) {
      int64_t left = capacity[model];
      for (const auto& [id, org] : sc.org_of) {
        const int64_t g =
            8 * static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(left / 8 + 1)));
        if (g == 0 || rng.Uniform(2) == 0) continue;
        left -= g;
        sc.guaranteed[{id, model}] = static_cast<int32_t>(g);
        ASSERT_TRUE(
            store
                ->SetQuota(
                    {.tenant = id, .model = model, .guaranteed_gpus = static_cast<int32_t>(g)})
                .ok());
      }
    }
    SimulatedClock clock(kStartMs, 0);
    SchedulerOptions options;
    options.holder = "prop";
    options.policy = rng.Uniform(2) == 0 ? "fgd" : "bestfit";
    options.seed = seed;
    // The loop's copy of the active jobs is compared with the store's after every read, and
    // half the scenarios rebuild the cycle state every pass, half keep it.
    options.verify_active = true;
    options.rebuild_interval_ms = rng.Uniform(2) == 0 ? 0 : 3'600'000;
    SchedulerLoop loop(*store, holder, clock, options);

    for (int pass = 0; pass < kPasses; ++pass) {
      SCOPED_TRACE("pass " + std::to_string(pass));
      const int arrivals = static_cast<int>(rng.Uniform(5));
      for (int i = 0; i < arrivals; ++i) {
        ASSERT_TRUE(store->SubmitJob(RandomJob(rng, sc, clock.NowMs())).ok());
      }
      Result<std::vector<store::JobRecord>> before = store->LoadActive();
      ASSERT_TRUE(before.ok()) << before.status().ToString();
      if (!before->empty() && rng.Uniform(4) == 0) {
        const store::JobRecord& victim = (*before)[rng.Uniform(before->size())];
        // The executor reports a running job complete; anything may be cancelled.
        ASSERT_TRUE((victim.state == store::JobState::kRunning && rng.Uniform(2) == 0
                         ? store->CompleteJob(victim.id, clock.NowMs())
                         : store->CancelJob(victim.id, clock.NowMs()))
                        .ok());
        before = store->LoadActive();
        ASSERT_TRUE(before.ok()) << before.status().ToString();
      }
      const std::set<uint64_t> promised =
          sc.whole_nodes ? Promised(*before, sc, clock.NowMs()) : std::set<uint64_t>{};

      Result<PassReport> r = loop.RunPass();
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(r->leader);

      testing::ExpectPlacementsWithinCapacity(*store, fleet);
      Result<std::vector<store::JobRecord>> after = store->LoadActive();
      ASSERT_TRUE(after.ok()) << after.status().ToString();
      scheduler::ResaleCap cap(fleet.fleet, *fleet.rules, fleet.at);
      std::set<uint64_t> running;
      for (const store::JobRecord& j : *after) {
        if (j.state != store::JobState::kRunning) continue;
        running.insert(j.id.value());
        if (sc.org_of.at(j.spec.tenant) != "ext") continue;
        for (const store::Placement& p : j.placements) {
          const NodeSpec& n = fleet.fleet.fleet.node(*fleet.fleet.fleet.FindNode(p.node));
          cap.Add(n.site, n.gpu_model, int64_t{j.spec.gpu_count} * j.spec.gpu_milli);
        }
      }
      const scheduler::CapFigure* over = cap.Breached();
      EXPECT_EQ(over, nullptr) << "external use at " << over->scope << " reaches "
                               << over->share_pct() << "%";
      promised_total += static_cast<int64_t>(promised.size());
      for (uint64_t id : promised) {
        EXPECT_TRUE(running.contains(id)) << "job " << id << " is within its tenant's guarantee";
      }
      clock.Advance(1000 * (1 + static_cast<int64_t>(rng.Uniform(60))));
    }
  }
  if (any_whole_nodes) {
    EXPECT_GT(promised_total, 0);
  }
  std::printf("jobs promised by a guarantee and checked: %lld\n",
              static_cast<long long>(promised_total));
}

INSTANTIATE_TEST_SUITE_P(Seeds, SchedulerLoopPropertyTest, ::testing::Range(0, 2));

}  // namespace
}  // namespace gpufleet::service
