#pragma once
// The fixture the Store contract suites share (store_conformance_test.cc and
// store_concurrency_test.cc): each test runs once per back end ("sqlite", "postgres"; the
// latter skips when GPUFLEET_TEST_POSTGRES is unset) on a fresh database with tenants acme
// and beta. Each suite instantiates it with StoreBackendNames().

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/store/store.h"
#include "store/store_backends.h"
#include "store/store_test_util.h"

namespace gpufleet::store {

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = MakeBackend(GetParam());
    if (const char* why = backend_->Unavailable(); why != nullptr) GTEST_SKIP() << why;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->PutTenant(MakeTenant("acme")).ok());
    ASSERT_TRUE(store_->PutTenant(MakeTenant("beta")).ok());
  }
  void TearDown() override {
    store_.reset();  // before the back end removes its database
    backend_.reset();
  }

  // Another Store on the same database, as a second process would have.
  std::unique_ptr<Store> Open(const StoreOptions& options = {}) {
    Result<std::unique_ptr<Store>> store = backend_->Open(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  JobRecord Submit(const std::string& tenant, const std::string& name) {
    Result<JobRecord> job = store_->SubmitJob(MakeSpec(tenant, name));
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? *job : JobRecord{};
  }

  std::vector<EventRecord> Events(
      EventFilter filter = {.after_id = 0, .limit = kMaxPageSize, .tenant = {}, .job = {}}) {
    Result<std::vector<EventRecord>> events = store_->ListEvents(filter);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<EventRecord>{};
  }

  // The epoch just acquired by "sched".
  int64_t Lead() {
    Result<int64_t> epoch = store_->AcquireEpoch("sched", 1);
    EXPECT_TRUE(epoch.ok()) << epoch.status().ToString();
    return epoch.ok() ? *epoch : -1;
  }

  static Schedule AtEpoch(int64_t epoch) {
    Schedule s;
    s.epoch = epoch;
    return s;
  }

  static std::vector<Placement> TwoReplicas() {
    return {{.replica = 0, .node = "n1", .gpu_mask = 0b11, .epoch = 0},
            {.replica = 1, .node = "n2", .gpu_mask = 0b1100, .epoch = 0}};
  }

  // TryLead's answer, failing the test on an error.
  static std::optional<int64_t> TryLead(Store& store, const std::string& holder) {
    Result<std::optional<int64_t>> got = store.TryLead(holder, 1);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::nullopt;
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Store> store_;
};

// The back ends every conformance suite runs on, named in test names ("…/sqlite").
inline auto StoreBackendNames() { return ::testing::Values("sqlite", "postgres"); }
inline std::string BackendTestName(const ::testing::TestParamInfo<std::string>& backend) {
  return backend.param;
}

}  // namespace gpufleet::store
