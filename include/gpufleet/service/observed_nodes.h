#pragma once
// What node agents last reported (docs/agent.md): per node, the latest report accepted by POST
// /v1/nodes/{id}/reports and when the node was last heard from. The service's one owner of
// this state; GET /v1/nodes/{id}/observed reads it, and the findings of issue 18 will.
//
// Kept in memory; what survives a restart is written beside it (service/observed_nodes_store.h):
// a changed report at once, before it is answered, and the last-seen times of the nodes heard
// since the last flush (TakeHeard) together every few seconds. A report equal to the one
// held only moves last_seen: a heartbeat never rewrites the devices, so persisting costs one
// write per change, not one per heartbeat.
//
// Thread safety: every method may be called concurrently (one mutex; each call is a map lookup
// and, on a change, a copy of one report).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gpufleet/findings/observed_checks.h"
#include "gpufleet/model/observed_device.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

// More nodes than the service is sized for (125,000 in docs/agent.md): a bound on what reports
// for made-up node names (an admin token may report for any node) can make it keep.
inline constexpr size_t kMaxObservedNodes = 250'000;

struct ObservedNode {
  NodeReport report;           // the latest accepted
  int64_t first_seen_ms = 0;   // the node's first report (kept across restarts)
  int64_t last_change_ms = 0;  // when `report` was accepted (it differed from the one before)
  int64_t last_seen_ms = 0;    // the latest report, a heartbeat or a change
  int64_t reports = 0;         // accepted since the service started, heartbeats included
};

struct RecordOutcome {
  bool changed = false;  // the devices (or provider, agent version) differ from those held
  int64_t last_seen_ms = 0;
};

class ObservedNodes {
 public:
  // Keeps `report` as its node's latest, seen at `now_ms`. ResourceExhausted when it is the
  // first report of a node and kMaxObservedNodes nodes are held already. FailedPrecondition
  // when the node reported a non-empty echo_key before and this report's differs (the first
  // is pinned: trust on first use, docs/agent.md "Location evidence").
  Result<RecordOutcome> Record(NodeReport report, int64_t now_ms);
  std::optional<ObservedNode> Get(const std::string& node) const;
  size_t size() const;
  // Calls `visit` once with every node's latest report as of one moment. Not under the lock:
  // reports keep arriving while a findings pass reads a million devices, each replacing its
  // node's report rather than editing it. The observations are valid only during the call, and
  // are the call's own: `visit` may adjust them.
  void Visit(const std::function<void(std::span<findings::NodeObservation>)>& visit) const;

  // --- Persistence (service/observed_nodes_store.h).
  // Takes a node read back from the store at start, `reports` as given (0: none since this
  // start). False, keeping nothing, when the node is held already or kMaxObservedNodes are.
  bool Restore(ObservedNode node);
  // Makes the next report of `node` count as a change: writing its change to the store
  // failed, so the stored report may be stale, and a heartbeat would never write it again.
  void MarkUnsaved(const std::string& node);
  // The nodes heard since the last call (every Record, heartbeats included), each with its
  // last_seen_ms, and forgets them: the batch the last-seen flush writes.
  std::vector<store::NodeLastSeen> TakeHeard();

 private:
  // ObservedNode with the report shared: a change replaces it, and a pass that took it keeps
  // reading the one it took.
  struct Held {
    std::shared_ptr<const NodeReport> report;
    int64_t first_seen_ms = 0;
    int64_t last_change_ms = 0;
    int64_t last_seen_ms = 0;
    int64_t reports = 0;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Held> nodes_;  // guarded by mu_; by node name
  std::unordered_set<std::string> heard_;        // guarded by mu_; since the last TakeHeard
  std::unordered_set<std::string> unsaved_;      // guarded by mu_; see MarkUnsaved
};

}  // namespace gpufleet::service
