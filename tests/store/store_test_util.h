#pragma once
// Shared by the store suites: a fresh database file per test and small record builders.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "gpufleet/store/store.h"

namespace gpufleet::store {

// A database path unique to the running test; the file and its WAL/SHM companions are
// removed before and after.
class StoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "/gpufleet_store_" + test->test_suite_name() + "_" +
            test->name() + "_" + std::to_string(getpid()) + ".db";
    RemoveFiles();
  }
  void TearDown() override { RemoveFiles(); }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  void RemoveFiles() {
    for (const char* suffix : {"", "-wal", "-shm", ".leader"})
      std::remove((path_ + suffix).c_str());
  }

  std::string path_;
};

inline TenantRecord MakeTenant(const std::string& id) {
  return {.id = id,
          .name = "Tenant " + id,
          .org = "org-" + id,
          .external = false,
          .priority = 1,
          .max_job_priority = kDefaultMaxJobPriority,
          .created_at_ms = 1000};
}

// A token of `role` for the hash made of 64 copies of `digit`.
inline TokenRecord MakeToken(char digit, Role role, const std::string& scope, int64_t at_ms) {
  TokenRecord t;
  t.sha256_hex = std::string(64, digit);
  t.id = TokenIdForHash(t.sha256_hex);
  t.role = role;
  if (role == Role::kTenant) t.tenant = scope;
  if (role == Role::kNode) t.node = scope;
  t.created_at_ms = at_ms;
  return t;
}

inline JobSpec MakeSpec(const std::string& tenant, const std::string& name) {
  JobSpec spec;
  spec.tenant = tenant;
  spec.name = name;
  spec.priority = 5;
  spec.data_class = "public";
  spec.models = {"h100", "a100"};
  spec.gpu_count = 2;
  spec.gpu_milli = 1000;
  spec.replicas = 2;
  spec.cpu_milli = 8000;
  spec.memory_mib = 65536;
  spec.duration_s = 3600;
  spec.submitted_at_ms = 5000;
  return spec;
}

}  // namespace gpufleet::store
