#pragma once
// A Store that times its writes into a Prometheus histogram, gpufleet_store_commit_seconds{op},
// and passes everything to the store it wraps. For SubmitJob the time is what the caller waits
// for its acknowledgement (the group commit included), which is what a client sees.
// Thread safety: as the wrapped store.

#include <memory>

#include "gpufleet/api/metrics.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

class MeteredStore final : public store::Store {
 public:
  // REQUIRES: `metrics` outlives this store.
  MeteredStore(std::unique_ptr<store::Store> inner, api::MetricsRegistry& metrics);

  Status PutTenant(const store::TenantRecord& t) override;
  Result<store::TenantRecord> GetTenant(std::string_view id) override;
  Result<std::vector<store::TenantRecord>> ListTenants() override;
  Status SetQuota(const store::QuotaRecord& q) override;
  Result<std::vector<store::QuotaRecord>> ListQuotas(
      std::optional<std::string_view> tenant) override;
  Status PutToken(const store::TokenRecord& t) override;
  Result<std::optional<store::TokenRecord>> FindToken(std::string_view sha256_hex) override;
  Result<store::TokenRecord> GetToken(std::string_view id) override;
  Result<std::vector<store::TokenRecord>> ListTokens() override;
  Status RevokeToken(std::string_view id, int64_t at_ms) override;
  Status ReplaceNamedToken(const store::TokenRecord& t) override;
  Status TouchToken(std::string_view id, int64_t at_ms) override;
  Status AppendInventory(const std::vector<store::InventoryEntry>& entries,
                         const std::vector<store::AssetRow>& assets) override;
  Result<int64_t> InventorySize() override;
  Result<std::vector<store::InventoryEntry>> ReadInventory(int64_t from, int32_t limit) override;
  Result<std::vector<store::InventoryEntry>> ReadInventoryAt(
      const std::vector<int64_t>& indexes) override;
  Result<std::vector<store::InventoryEntry>> ReadSubjectHistory(std::string_view serial) override;
  Result<std::optional<store::AssetRow>> GetAsset(std::string_view serial) override;
  Result<std::vector<store::AssetRow>> ListAssets(const store::AssetFilter& filter) override;
  Status PutCheckpoint(const store::CheckpointRecord& checkpoint) override;
  Result<std::optional<store::CheckpointRecord>> LatestCheckpoint() override;
  Result<store::JobRecord> SubmitJob(const store::JobSpec& spec) override;
  Result<store::JobRecord> GetJob(JobId id) override;
  Result<store::JobPage> ListJobs(const store::JobFilter& filter) override;
  Result<store::JobRecord> CancelJob(JobId id, int64_t at_ms) override;
  Result<store::JobRecord> CompleteJob(JobId id, int64_t at_ms) override;
  Result<std::vector<store::JobRecord>> LoadActive() override;
  Result<store::ActiveChanges> LoadActiveChanges(std::optional<int64_t> cursor) override;
  Result<int64_t> AcquireEpoch(std::string_view holder, int64_t at_ms) override;
  Result<store::ScheduleOutcome> ApplySchedule(const store::Schedule& s) override;
  Result<std::optional<int64_t>> TryLead(std::string_view holder, int64_t at_ms) override;
  void Resign() override;
  Status PutObservedNode(const store::ObservedNodeRow& row) override;
  Status SetLastSeen(const std::vector<store::NodeLastSeen>& seen) override;
  Result<std::vector<store::ObservedNodeRow>> ListObservedNodes() override;
  Result<std::vector<store::EventRecord>> ListEvents(const store::EventFilter& filter) override;
  store::StoreStats Stats() override;

 private:
  // Runs `write`, observing its duration under `op`.
  template <typename Fn>
  auto Timed(api::Histogram& op, Fn write);

  std::unique_ptr<store::Store> inner_;
  api::Histogram& submit_;
  api::Histogram& schedule_;
  api::Histogram& job_end_;
  api::Histogram& admin_;
  // What node agents report: a changed report (op "observed"), a batch of last-seen times
  // ("last_seen"). A heartbeat writes neither.
  api::Histogram& observed_;
  api::Histogram& last_seen_;
};

}  // namespace gpufleet::service
