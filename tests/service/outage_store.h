#pragma once
// A Store that passes every call to a real one until the test takes it down, after which
// every call fails with IOError, as a store whose database went away does (SQLite on a dead
// disk, PostgreSQL with its server gone). A real file cannot fake this on Linux: an open
// SQLite connection keeps reading a moved or chmod-ed file, so the outage is injected here, in
// the leveldb fault-injection style (db/fault_injection_test.cc).
// Thread safety: as the wrapped Store; SetDown may be called at any time.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/store/store.h"

namespace gpufleet::service::testing {

class OutageStore final : public store::Store {
 public:
  // REQUIRES: `inner` outlives this object.
  explicit OutageStore(store::Store& inner) : inner_(inner) {}

  void SetDown(bool down) { down_ = down; }

  Status PutTenant(const store::TenantRecord& t) override {
    return Down() ? Outage() : inner_.PutTenant(t);
  }
  Result<store::TenantRecord> GetTenant(std::string_view id) override {
    if (Down()) return Outage();
    return inner_.GetTenant(id);
  }
  Result<std::vector<store::TenantRecord>> ListTenants() override {
    if (Down()) return Outage();
    return inner_.ListTenants();
  }
  Status SetQuota(const store::QuotaRecord& q) override {
    return Down() ? Outage() : inner_.SetQuota(q);
  }
  Result<std::vector<store::QuotaRecord>> ListQuotas(
      std::optional<std::string_view> tenant) override {
    if (Down()) return Outage();
    return inner_.ListQuotas(tenant);
  }
  Status PutToken(const store::TokenRecord& t) override {
    return Down() ? Outage() : inner_.PutToken(t);
  }
  Result<std::optional<store::TokenRecord>> FindToken(std::string_view hash) override {
    if (Down()) return Outage();
    return inner_.FindToken(hash);
  }
  Result<store::TokenRecord> GetToken(std::string_view id) override {
    if (Down()) return Outage();
    return inner_.GetToken(id);
  }
  Result<std::vector<store::TokenRecord>> ListTokens() override {
    if (Down()) return Outage();
    return inner_.ListTokens();
  }
  Status RevokeToken(std::string_view id, int64_t at_ms) override {
    return Down() ? Outage() : inner_.RevokeToken(id, at_ms);
  }
  Status ReplaceNamedToken(const store::TokenRecord& t) override {
    return Down() ? Outage() : inner_.ReplaceNamedToken(t);
  }
  Status TouchToken(std::string_view id, int64_t at_ms) override {
    return Down() ? Outage() : inner_.TouchToken(id, at_ms);
  }
  Status AppendInventory(const std::vector<store::InventoryEntry>& entries,
                         const std::vector<store::AssetRow>& assets) override {
    return Down() ? Outage() : inner_.AppendInventory(entries, assets);
  }
  Result<int64_t> InventorySize() override {
    if (Down()) return Outage();
    return inner_.InventorySize();
  }
  Result<std::vector<store::InventoryEntry>> ReadInventory(int64_t from, int32_t limit) override {
    if (Down()) return Outage();
    return inner_.ReadInventory(from, limit);
  }
  Result<std::vector<store::InventoryEntry>> ReadInventoryAt(
      const std::vector<int64_t>& indexes) override {
    if (Down()) return Outage();
    return inner_.ReadInventoryAt(indexes);
  }
  Result<std::vector<store::InventoryEntry>> ReadSubjectHistory(std::string_view serial) override {
    if (Down()) return Outage();
    return inner_.ReadSubjectHistory(serial);
  }
  Result<std::optional<store::AssetRow>> GetAsset(std::string_view serial) override {
    if (Down()) return Outage();
    return inner_.GetAsset(serial);
  }
  Result<std::vector<store::AssetRow>> ListAssets(const store::AssetFilter& filter) override {
    if (Down()) return Outage();
    return inner_.ListAssets(filter);
  }
  Status PutCheckpoint(const store::CheckpointRecord& checkpoint) override {
    if (Down()) return Outage();
    return inner_.PutCheckpoint(checkpoint);
  }
  Result<std::optional<store::CheckpointRecord>> LatestCheckpoint() override {
    if (Down()) return Outage();
    return inner_.LatestCheckpoint();
  }
  Result<store::JobRecord> SubmitJob(const store::JobSpec& spec) override {
    if (Down()) return Outage();
    return inner_.SubmitJob(spec);
  }
  Result<store::JobRecord> GetJob(JobId id) override {
    if (Down()) return Outage();
    return inner_.GetJob(id);
  }
  Result<store::JobPage> ListJobs(const store::JobFilter& filter) override {
    if (Down()) return Outage();
    return inner_.ListJobs(filter);
  }
  Result<store::JobRecord> CancelJob(JobId id, int64_t at_ms) override {
    if (Down()) return Outage();
    return inner_.CancelJob(id, at_ms);
  }
  Result<store::JobRecord> CompleteJob(JobId id, int64_t at_ms) override {
    if (Down()) return Outage();
    return inner_.CompleteJob(id, at_ms);
  }
  Result<std::vector<store::JobRecord>> LoadActive() override {
    if (Down()) return Outage();
    return inner_.LoadActive();
  }
  Result<store::ActiveChanges> LoadActiveChanges(std::optional<int64_t> cursor) override {
    if (Down()) return Outage();
    return inner_.LoadActiveChanges(cursor);
  }
  Result<int64_t> AcquireEpoch(std::string_view holder, int64_t at_ms) override {
    if (Down()) return Outage();
    return inner_.AcquireEpoch(holder, at_ms);
  }
  Result<store::ScheduleOutcome> ApplySchedule(const store::Schedule& s) override {
    if (Down()) return Outage();
    return inner_.ApplySchedule(s);
  }
  Result<std::optional<int64_t>> TryLead(std::string_view holder, int64_t at_ms) override {
    if (Down()) return Outage();
    return inner_.TryLead(holder, at_ms);
  }
  void Resign() override { inner_.Resign(); }
  Status PutObservedNode(const store::ObservedNodeRow& row) override {
    return Down() ? Outage() : inner_.PutObservedNode(row);
  }
  Status SetLastSeen(const std::vector<store::NodeLastSeen>& seen) override {
    return Down() ? Outage() : inner_.SetLastSeen(seen);
  }
  Result<std::vector<store::ObservedNodeRow>> ListObservedNodes() override {
    if (Down()) return Outage();
    return inner_.ListObservedNodes();
  }
  Result<std::vector<store::EventRecord>> ListEvents(const store::EventFilter& filter) override {
    if (Down()) return Outage();
    return inner_.ListEvents(filter);
  }
  store::StoreStats Stats() override { return inner_.Stats(); }

 private:
  bool Down() const { return down_.load(); }
  static Status Outage() { return Status::IOError("store: database unreachable (test outage)"); }

  store::Store& inner_;
  std::atomic<bool> down_{false};
};

}  // namespace gpufleet::service::testing
