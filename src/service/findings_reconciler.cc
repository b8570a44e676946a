#include "gpufleet/service/findings_reconciler.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "gpufleet/findings/ledger_checks.h"
#include "gpufleet/findings/observed_checks.h"
#include "gpufleet/log/log.h"

namespace gpufleet::service {

FindingsReconciler::FindingsReconciler(InventoryService& inventory, const ObservedNodes& observed,
                                       const catalog::Catalog& catalog, const Clock& clock)
    : inventory_(inventory),
      observed_(observed),
      catalog_(catalog),
      clock_(clock),
      models_(catalog),
      listening_since_ms_(clock.NowMs()) {}

Result<ReconcileSummary> FindingsReconciler::RunOnce() {
  const std::lock_guard pass(pass_mu_);
  const auto began = std::chrono::steady_clock::now();
  const int64_t now = clock_.NowMs();
  if (snapshot_ == nullptr || inventory_.generation() != snapshot_generation_) {
    InventoryVersion version;
    Result<inventory::Inventory> taken = inventory_.Snapshot(&version);
    if (!taken.ok()) return taken.status();
    declared_.reset();
    snapshot_ = std::make_shared<const inventory::Inventory>(std::move(taken).value());
    declared_ = std::make_unique<const findings::DeclaredIndex>(*snapshot_);
    snapshot_generation_ = version.generation;
  }
  const findings::Policy policy = inventory_.FindingPolicy();
  ReconcileSummary summary;
  std::vector<findings::Detection> found;
  observed_.Visit([&](std::span<findings::NodeObservation> nodes) {
    for (findings::NodeObservation& n : nodes) {
      summary.observed_devices += static_cast<int64_t>(n.report->devices.size());
      n.last_seen_ms = std::max(n.last_seen_ms, listening_since_ms_);
    }
    found = findings::CheckObserved(*declared_, catalog_, models_, nodes, policy, now);
  });
  std::set<findings::Kind> ran = findings::ObservedKinds();
  ran.insert(findings::Kind::kTransferRefusedToday);
  for (findings::Detection& d : inventory_.TransfersRefusedAt(now)) found.push_back(std::move(d));
  for (const DetectionSource& source : sources_) {
    ExtraDetections extra = source(now);
    ran.insert(extra.kinds.begin(), extra.kinds.end());
    for (findings::Detection& d : extra.found) found.push_back(std::move(d));
  }
  summary.detections = static_cast<int64_t>(found.size());
  Result<std::vector<int64_t>> written =
      inventory_.RecordFindings([&](const findings::FindingsBook& book) {
        size_t deferred = 0;
        std::vector<inventory::Change> entries = book.Reconcile(found, ran, policy, now, &deferred);
        summary.deferred = static_cast<int64_t>(deferred);
        for (const inventory::Change& c : entries) {
          ++(c.kind == inventory::ChangeKind::kFinding ? summary.opened : summary.resolved);
        }
        return entries;
      });
  if (!written.ok()) return written.status();
  summary.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
  if (summary.opened > 0 || summary.resolved > 0) {
    log::Info("findings.reconciled", {{"opened", summary.opened},
                                      {"resolved", summary.resolved},
                                      {"deferred", summary.deferred},
                                      {"devices", summary.observed_devices},
                                      {"ms", summary.ms}});
  }
  return summary;
}

void FindingsReconciler::Start(std::chrono::milliseconds every) {
  thread_ = std::thread([this, every] {
    std::unique_lock lock(stop_mu_);
    while (!stop_cv_.wait_for(lock, every, [this] { return stopping_; })) {
      lock.unlock();
      if (Result<ReconcileSummary> r = RunOnce(); !r.ok()) {
        log::Warn("findings.pass_failed", {{"error", r.status().ToString()}});
      }
      lock.lock();
    }
  });
}

void FindingsReconciler::Stop() {
  {
    const std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gpufleet::service
