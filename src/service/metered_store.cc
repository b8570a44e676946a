#include "gpufleet/service/metered_store.h"

#include <chrono>
#include <utility>

namespace gpufleet::service {
namespace {

api::Histogram& CommitSeconds(api::MetricsRegistry& metrics, const std::string& op) {
  return metrics
      .AddHistogram("gpufleet_store_commit_seconds",
                    "Time from a store write's call to its commit, by operation", {"op"},
                    api::LatencyBucketsSeconds())
      .WithLabels({op});
}

}  // namespace

MeteredStore::MeteredStore(std::unique_ptr<store::Store> inner, api::MetricsRegistry& metrics)
    : inner_(std::move(inner)),
      submit_(CommitSeconds(metrics, "submit")),
      schedule_(CommitSeconds(metrics, "schedule")),
      job_end_(CommitSeconds(metrics, "job_end")),
      admin_(CommitSeconds(metrics, "admin")),
      observed_(CommitSeconds(metrics, "observed")),
      last_seen_(CommitSeconds(metrics, "last_seen")) {}

template <typename Fn>
auto MeteredStore::Timed(api::Histogram& op, Fn write) {
  const auto start = std::chrono::steady_clock::now();
  auto result = write();
  op.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

Status MeteredStore::PutObservedNode(const store::ObservedNodeRow& row) {
  return Timed(observed_, [&] { return inner_->PutObservedNode(row); });
}
Status MeteredStore::SetLastSeen(const std::vector<store::NodeLastSeen>& seen) {
  return Timed(last_seen_, [&] { return inner_->SetLastSeen(seen); });
}
Result<std::vector<store::ObservedNodeRow>> MeteredStore::ListObservedNodes() {
  return inner_->ListObservedNodes();
}
Status MeteredStore::PutTenant(const store::TenantRecord& t) {
  return Timed(admin_, [&] { return inner_->PutTenant(t); });
}
Result<store::TenantRecord> MeteredStore::GetTenant(std::string_view id) {
  return inner_->GetTenant(id);
}
Result<std::vector<store::TenantRecord>> MeteredStore::ListTenants() {
  return inner_->ListTenants();
}
Status MeteredStore::SetQuota(const store::QuotaRecord& q) {
  return Timed(admin_, [&] { return inner_->SetQuota(q); });
}
Result<std::vector<store::QuotaRecord>> MeteredStore::ListQuotas(
    std::optional<std::string_view> tenant) {
  return inner_->ListQuotas(tenant);
}
Status MeteredStore::PutToken(const store::TokenRecord& t) {
  return Timed(admin_, [&] { return inner_->PutToken(t); });
}
Result<std::optional<store::TokenRecord>> MeteredStore::FindToken(std::string_view sha256_hex) {
  return inner_->FindToken(sha256_hex);
}
Result<store::TokenRecord> MeteredStore::GetToken(std::string_view id) {
  return inner_->GetToken(id);
}
Result<std::vector<store::TokenRecord>> MeteredStore::ListTokens() { return inner_->ListTokens(); }
Status MeteredStore::RevokeToken(std::string_view id, int64_t at_ms) {
  return Timed(admin_, [&] { return inner_->RevokeToken(id, at_ms); });
}
Status MeteredStore::ReplaceNamedToken(const store::TokenRecord& t) {
  return Timed(admin_, [&] { return inner_->ReplaceNamedToken(t); });
}
Status MeteredStore::TouchToken(std::string_view id, int64_t at_ms) {
  return Timed(admin_, [&] { return inner_->TouchToken(id, at_ms); });
}
Status MeteredStore::AppendInventory(const std::vector<store::InventoryEntry>& entries,
                                     const std::vector<store::AssetRow>& assets) {
  return Timed(admin_, [&] { return inner_->AppendInventory(entries, assets); });
}
Result<int64_t> MeteredStore::InventorySize() { return inner_->InventorySize(); }
Result<std::vector<store::InventoryEntry>> MeteredStore::ReadInventory(int64_t from,
                                                                       int32_t limit) {
  return inner_->ReadInventory(from, limit);
}
Result<std::vector<store::InventoryEntry>> MeteredStore::ReadInventoryAt(
    const std::vector<int64_t>& indexes) {
  return inner_->ReadInventoryAt(indexes);
}
Result<std::vector<store::InventoryEntry>> MeteredStore::ReadSubjectHistory(
    std::string_view serial) {
  return inner_->ReadSubjectHistory(serial);
}
Result<std::optional<store::AssetRow>> MeteredStore::GetAsset(std::string_view serial) {
  return inner_->GetAsset(serial);
}
Result<std::vector<store::AssetRow>> MeteredStore::ListAssets(const store::AssetFilter& filter) {
  return inner_->ListAssets(filter);
}
Status MeteredStore::PutCheckpoint(const store::CheckpointRecord& checkpoint) {
  return Timed(admin_, [&] { return inner_->PutCheckpoint(checkpoint); });
}
Result<std::optional<store::CheckpointRecord>> MeteredStore::LatestCheckpoint() {
  return inner_->LatestCheckpoint();
}
Result<store::JobRecord> MeteredStore::SubmitJob(const store::JobSpec& spec) {
  return Timed(submit_, [&] { return inner_->SubmitJob(spec); });
}
Result<store::JobRecord> MeteredStore::GetJob(JobId id) { return inner_->GetJob(id); }
Result<store::JobPage> MeteredStore::ListJobs(const store::JobFilter& filter) {
  return inner_->ListJobs(filter);
}
Result<store::JobRecord> MeteredStore::CancelJob(JobId id, int64_t at_ms) {
  return Timed(job_end_, [&] { return inner_->CancelJob(id, at_ms); });
}
Result<store::JobRecord> MeteredStore::CompleteJob(JobId id, int64_t at_ms) {
  return Timed(job_end_, [&] { return inner_->CompleteJob(id, at_ms); });
}
Result<std::vector<store::JobRecord>> MeteredStore::LoadActive() { return inner_->LoadActive(); }
Result<store::ActiveChanges> MeteredStore::LoadActiveChanges(std::optional<int64_t> cursor) {
  return inner_->LoadActiveChanges(cursor);
}
Result<int64_t> MeteredStore::AcquireEpoch(std::string_view holder, int64_t at_ms) {
  return Timed(admin_, [&] { return inner_->AcquireEpoch(holder, at_ms); });
}
Result<store::ScheduleOutcome> MeteredStore::ApplySchedule(const store::Schedule& s) {
  return Timed(schedule_, [&] { return inner_->ApplySchedule(s); });
}
Result<std::optional<int64_t>> MeteredStore::TryLead(std::string_view holder, int64_t at_ms) {
  return inner_->TryLead(holder, at_ms);
}
void MeteredStore::Resign() { inner_->Resign(); }
Result<std::vector<store::EventRecord>> MeteredStore::ListEvents(const store::EventFilter& filter) {
  return inner_->ListEvents(filter);
}
store::StoreStats MeteredStore::Stats() { return inner_->Stats(); }

}  // namespace gpufleet::service
