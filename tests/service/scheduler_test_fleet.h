#pragma once
// Shared by the scheduler-loop suites: a FleetContext built from an inventory written as a
// string (with the shipped catalog, rule history and acme's overlay, whose resale cap is 10%
// of compute), a fresh SQLite file per test, and job-spec builders.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gpufleet/service/fleet_context.h"
#include "gpufleet/store/store.h"
#include "scheduler/shipped_inputs.h"

namespace gpufleet::service::testing {

inline constexpr char kH100[] = "nvidia-h100-sxm5-80gb";
inline constexpr char kH20[] = "nvidia-h20-96gb";
inline const Date kAt = *Date::Parse("2026-03-01");

// organisations a, b, c (companies in SG) and ext (external customer), and `sites` sites
// sg-0.. in Singapore, each holding `nodes_per_site` nodes n0.. of eight `model`
// accelerators: node names "sg-<i>/n<j>".
inline std::string SmallInventory(int sites, int nodes_per_site, const std::string& model = kH100) {
  std::string y =
      "organisations:\n"
      "  - {id: a, name: A, kind: company, hq_country: SG}\n"
      "  - {id: b, name: B, kind: company, hq_country: SG}\n"
      "  - {id: c, name: C, kind: company, hq_country: SG}\n"
      "  - {id: ext, name: Ext, kind: external_customer, hq_country: SG}\n"
      "sites:\n";
  for (int s = 0; s < sites; ++s) {
    y += "  - {id: sg-" + std::to_string(s) + ", name: SG " + std::to_string(s) +
         ", country: SG, ownership: owned}\n";
  }
  y += "assets:\n";
  int serial = 0;
  for (int s = 0; s < sites; ++s) {
    for (int n = 0; n < nodes_per_site; ++n) {
      for (int g = 0; g < 8; ++g) {
        y += "  - {serial: \"SN" + std::to_string(serial++) + "\", model: " + model +
             ", site: sg-" + std::to_string(s) + ", node: n" + std::to_string(n) +
             ", owner: a, operator: a, holding: owned, acquired: 2024-01-01, arrival: export, "
             "from_country: TW}\n";
      }
    }
  }
  return y;
}

// The context on kAt for `inventory_yaml` (assets inline; no CSV).
inline Result<std::unique_ptr<const FleetContext>> MakeContext(const std::string& inventory_yaml) {
  auto in = scheduler::testing::LoadShippedInputs();
  if (!in.ok()) return in.status();
  auto rules = in->RulesWithAcme();
  if (!rules.ok()) return rules.status();
  auto inv = inventory::Inventory::Parse(inventory_yaml, "test.yaml", "", in->catalog);
  if (!inv.ok()) return inv.status();
  return BuildFleetContext(std::move(in->catalog), std::move(rules).value(), std::move(inv).value(),
                           kAt);
}

// A database path unique to the running test; the file and its companions are removed
// before and after.
class StoreFile {
 public:
  explicit StoreFile(const std::string& tag) {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(test->test_suite_name()) + "_" + test->name() + "_" + tag;
    std::replace(name.begin(), name.end(), '/', '_');  // parameterised tests: "Suite/0"
    path_ =
        ::testing::TempDir() + "/gpufleet_sched_" + name + "_" + std::to_string(::getpid()) + ".db";
    Remove();
  }
  ~StoreFile() { Remove(); }
  StoreFile(const StoreFile&) = delete;
  StoreFile& operator=(const StoreFile&) = delete;

  const std::string& path() const { return path_; }
  std::unique_ptr<store::Store> Open() const {
    Result<std::unique_ptr<store::Store>> s = store::OpenSqliteStore(path_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

 private:
  void Remove() const {
    for (const char* suffix : {"", "-wal", "-shm", ".leader"}) {
      std::remove((path_ + suffix).c_str());
    }
  }
  std::string path_;
};

inline store::TenantRecord Tenant(const std::string& id, const std::string& org,
                                  bool external = false) {
  return {.id = id,
          .name = "Tenant " + id,
          .org = org,
          .external = external,
          .priority = 0,
          .max_job_priority = store::kDefaultMaxJobPriority,
          .created_at_ms = 0};
}

// `gpus` whole GPUs per replica (or, below 1000 with gpus == 1, `milli` of one shared GPU).
inline store::JobSpec Spec(const std::string& tenant, const std::string& name, int32_t gpus,
                           int32_t replicas = 1, int64_t duration_s = 0, int64_t at_ms = 0,
                           int32_t milli = 1000) {
  store::JobSpec spec;
  spec.tenant = tenant;
  spec.name = name;
  spec.data_class = "public";
  spec.gpu_count = gpus;
  spec.gpu_milli = gpus == 0 ? 0 : milli;
  spec.replicas = replicas;
  spec.duration_s = duration_s;
  spec.submitted_at_ms = at_ms;
  return spec;
}

// Checks the store's running placements against the fleet: every placement on a node of the
// fleet (but a draining job's), one per replica, whole GPUs disjoint and shared GPUs at most 1000
// milli. Returns the number of running jobs.
inline int64_t ExpectPlacementsWithinCapacity(store::Store& store, const FleetContext& ctx) {
  Result<std::vector<store::JobRecord>> active = store.LoadActive();
  EXPECT_TRUE(active.ok()) << active.status().ToString();
  if (!active.ok()) return 0;
  std::map<std::string, std::vector<int32_t>> milli_by_node;  // per GPU
  int64_t running = 0;
  for (const store::JobRecord& j : *active) {
    if (j.state != store::JobState::kRunning) {
      EXPECT_TRUE(j.placements.empty()) << "pending job " << j.id.value() << " has placements";
      continue;
    }
    ++running;
    EXPECT_EQ(j.placements.size(), static_cast<size_t>(j.spec.replicas)) << "job " << j.id.value();
    std::set<int32_t> replicas;
    for (const store::Placement& p : j.placements) {
      EXPECT_TRUE(replicas.insert(p.replica).second)
          << "job " << j.id.value() << " replica " << p.replica << " placed twice";
      const std::optional<NodeId> node = ctx.fleet.fleet.FindNode(p.node);
      // Only a draining job runs on a node the fleet no longer has (the rules took it; its
      // grace period is not over).
      EXPECT_TRUE(node.has_value() || j.draining_until_ms > 0)
          << "job " << j.id.value() << " on unknown node " << p.node;
      if (!node) continue;
      const int32_t gpus = ctx.fleet.fleet.node(*node).gpu_count;
      EXPECT_EQ(std::popcount(p.gpu_mask), j.spec.gpu_count) << "job " << j.id.value();
      EXPECT_EQ(p.gpu_mask >> gpus, 0u) << "job " << j.id.value() << " on missing GPUs";
      std::vector<int32_t>& milli = milli_by_node[p.node];
      milli.resize(static_cast<size_t>(gpus), 0);
      for (int32_t g = 0; g < gpus; ++g) {
        if (p.gpu_mask >> g & 1) milli[static_cast<size_t>(g)] += j.spec.gpu_milli;
      }
    }
  }
  for (const auto& [node, milli] : milli_by_node) {
    for (size_t g = 0; g < milli.size(); ++g) {
      EXPECT_LE(milli[g], kMilliPerGpu) << node << " GPU " << g << " over-committed";
    }
  }
  return running;
}

}  // namespace gpufleet::service::testing
