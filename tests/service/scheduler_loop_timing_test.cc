// How long one scheduling pass takes on a 100,000-GPU fleet (12,500 nodes of eight, ten
// sites, two models) with 5,000 pending jobs of ten tenants on a nearly full fleet. A
// measurement, not a check: it runs only with GPUFLEET_TIMING=1 and prints the pass times.
//
//   GPUFLEET_TIMING=1 build/h-sched/tests/gpufleet_service_tests
//       --gtest_filter='SchedulerLoopTiming.*'

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/model/rng.h"
#include "gpufleet/service/scheduler_loop.h"
#include "service/scheduler_test_fleet.h"

namespace gpufleet::service {
namespace {

constexpr int kSites = 10;
constexpr int kNodesPerSite = 1250;  // x 8 GPUs x 10 sites = 100,000 GPUs
constexpr int kTenants = 10;
constexpr int kFillJobs = 11'000;  // eight GPUs each: 88% of the fleet
constexpr int kPendingJobs = 5'000;
constexpr const char* kModels[] = {"nvidia-h100-sxm5-80gb", "nvidia-h200-sxm-141gb"};

// Writes the fleet as YAML + CSV (as a user's would be) and returns the YAML's path.
std::string WriteFleet(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream yaml(dir / "fleet.yaml");
  yaml << "organisations:\n";
  for (int t = 0; t < kTenants; ++t) {
    yaml << "  - {id: org" << t << ", name: Org " << t
         << ", kind: " << (t == kTenants - 1 ? "external_customer" : "company")
         << ", hq_country: SG}\n";
  }
  yaml << "sites:\n";
  for (int s = 0; s < kSites; ++s) {
    yaml << "  - {id: sg-" << s << ", name: SG " << s << ", country: SG, ownership: owned}\n";
  }
  yaml << "assets_csv: assets.csv\n";
  std::ofstream csv(dir / "assets.csv");
  csv << "serial,model,site,node,owner,operator,holding,acquired,arrival,from_country\n";
  int64_t serial = 0;
  for (int s = 0; s < kSites; ++s) {
    for (int n = 0; n < kNodesPerSite; ++n) {
      for (int g = 0; g < 8; ++g) {
        csv << "SN" << serial++ << ',' << kModels[s % 2] << ",sg-" << s << ",n" << n
            << ",org0,org0,owned,2024-01-01,export,TW\n";
      }
    }
  }
  return (dir / "fleet.yaml").string();
}

// Submits `specs` from eight threads, so the store commits them in groups.
void SubmitAll(store::Store& store, const std::vector<store::JobSpec>& specs) {
  std::vector<std::thread> threads;
  for (size_t k = 0; k < 8; ++k) {
    threads.emplace_back([&store, &specs, k] {
      for (size_t i = k; i < specs.size(); i += 8) {
        Result<store::JobRecord> r = store.SubmitJob(specs[i]);
        if (!r.ok()) std::fprintf(stderr, "submit: %s\n", r.status().ToString().c_str());
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

TEST(SchedulerLoopTiming, PassOn100kGpus) {
  const char* on = std::getenv("GPUFLEET_TIMING");
  if (on == nullptr || std::string(on) != "1") GTEST_SKIP() << "set GPUFLEET_TIMING=1 to run";
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    ("gpufleet_timing_" + std::to_string(::getpid()));
  const std::string fleet_path = WriteFleet(dir);
  auto in = scheduler::testing::LoadShippedInputs();
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  auto rules = in->RulesWithAcme();
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  auto inv = inventory::Inventory::Load(fleet_path, in->catalog);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  auto ctx = BuildFleetContext(std::move(in->catalog), std::move(rules).value(),
                               std::move(inv).value(), testing::kAt);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  ASSERT_EQ((*ctx)->fleet.fleet.total_gpus(), 100'000);

  testing::StoreFile file("timing");
  std::unique_ptr<store::Store> store = file.Open();
  ASSERT_NE(store, nullptr);
  for (int t = 0; t < kTenants; ++t) {
    const std::string id = "t" + std::to_string(t);
    ASSERT_TRUE(store->PutTenant(testing::Tenant(id, "org" + std::to_string(t))).ok());
    if (t < 4) {
      ASSERT_TRUE(
          store->SetQuota({.tenant = id, .model = kModels[t % 2], .guaranteed_gpus = 4000}).ok());
    }
  }
  Rng rng(1);
  std::vector<store::JobSpec> fill;
  for (int i = 0; i < kFillJobs; ++i) {
    fill.push_back(testing::Spec("t" + std::to_string(4 + i % 5), "fill", 8, 1, 0, 0));
  }
  SubmitAll(*store, fill);
  SimulatedClock clock(1'700'000'000'000, 0);
  SchedulerOptions options;
  options.holder = "timing";
  FleetHolder holder(std::move(ctx).value());
  SchedulerLoop loop(*store, holder, clock, options);
  const auto timed = [&loop](const char* what) {
    const auto begin = std::chrono::steady_clock::now();
    Result<PassReport> r = loop.RunPass();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      std::printf("%-40s %7.3f s (started %lld, preempted %lld, pending %lld, running %lld)\n",
                  what, s, static_cast<long long>(r->started), static_cast<long long>(r->preempted),
                  static_cast<long long>(r->pending), static_cast<long long>(r->running));
    }
  };
  timed("fill: 11,000 x 8 GPUs on an empty fleet");

  constexpr int32_t kShapes[][3] = {{1, 1, 1000}, {1, 1, 500},  {2, 1, 1000}, {4, 1, 1000},
                                    {8, 1, 1000}, {8, 2, 1000}, {8, 4, 1000}};
  std::vector<store::JobSpec> pending;
  for (int i = 0; i < kPendingJobs; ++i) {
    const auto& shape = kShapes[rng.Uniform(std::size(kShapes))];
    store::JobSpec spec =
        testing::Spec("t" + std::to_string(rng.Uniform(kTenants)), "job", shape[0], shape[1], 3600,
                      static_cast<int64_t>(i), shape[2]);
    if (rng.Uniform(3) == 0) spec.models = {kModels[rng.Uniform(2)]};
    spec.priority = static_cast<int32_t>(rng.Uniform(3));
    pending.push_back(spec);
  }
  SubmitAll(*store, pending);
  timed("5,000 arrivals on the 88% full fleet");
  for (int i = 0; i < 5; ++i) timed("again, no arrivals");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gpufleet::service
