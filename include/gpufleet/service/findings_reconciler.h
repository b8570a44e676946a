#pragma once
// One pass of the findings (docs/findings.md): what the agents report against the inventory
// (findings/observed_checks.h), the inventory's records against the catalog, and each
// transfer against today's rules, brought into the ledger's findings by FindingsBook::
// Reconcile — new detections opened (quarantining what the policy says), transient findings
// no longer found resolved. gpufleetd runs a pass every --findings-interval seconds; POST
// /v1/findings/reconcile runs one at once.
//
// Thread safety: RunOnce may be called from any thread; passes are serialised.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/findings/device_models.h"
#include "gpufleet/findings/finding.h"
#include "gpufleet/findings/observed_checks.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/service/observed_nodes.h"
#include "gpufleet/status.h"

namespace gpufleet::service {

struct ReconcileSummary {
  int64_t detections = 0;  // what the checks found this pass (open findings included)
  int64_t opened = 0;
  int64_t resolved = 0;
  int64_t deferred = 0;  // new detections left for the next pass (findings::kMaxOpenedAtOnce)
  int64_t observed_devices = 0;  // devices in the agents' reports read
  double ms = 0;                 // the pass, checks and the write
};

// More detections from elsewhere (landmarks), with the kinds they check: a finding of one of
// those kinds no longer among them is resolved.
struct ExtraDetections {
  std::vector<findings::Detection> found;
  std::vector<findings::Kind> kinds;
};
using DetectionSource = std::function<ExtraDetections(int64_t now_ms)>;

class FindingsReconciler {
 public:
  // Every argument must outlive the reconciler.
  FindingsReconciler(InventoryService& inventory, const ObservedNodes& observed,
                     const catalog::Catalog& catalog, const Clock& clock);
  // Adds a source of detections every pass reads. Before the first pass.
  void AddSource(DetectionSource source) { sources_.push_back(std::move(source)); }

  Result<ReconcileSummary> RunOnce();
  // Runs a pass every `every` on a thread of its own until Stop (failures are logged and the
  // next pass tries again).
  void Start(std::chrono::milliseconds every);
  void Stop();
  ~FindingsReconciler() { Stop(); }

 private:
  InventoryService& inventory_;
  const ObservedNodes& observed_;
  const catalog::Catalog& catalog_;
  const Clock& clock_;
  const findings::DeviceModels models_;
  std::vector<DetectionSource> sources_;
  // When this service began listening: a node is silent only for as long as the service could
  // have heard it. After a restart that followed a long outage every node's last report is
  // old; counting the outage would quarantine the whole fleet at the first pass.
  const int64_t listening_since_ms_;
  std::mutex pass_mu_;
  // The inventory as of generation `snapshot_generation_`: a snapshot of a million assets costs
  // more than the checks, so passes between inventory changes share one (guarded by pass_mu_).
  std::shared_ptr<const inventory::Inventory> snapshot_;
  std::unique_ptr<const findings::DeclaredIndex> declared_;  // over *snapshot_
  uint64_t snapshot_generation_ = 0;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

}  // namespace gpufleet::service
