#pragma once
// What node agents last reported (docs/agent.md): per node, the latest report accepted by POST
// /v1/nodes/{id}/reports and when the node was last heard from. The service's one owner of
// this state; GET /v1/nodes/{id}/observed reads it, and the findings of issue 18 will.
//
// In memory only, for now: a restarted service knows nothing until each agent's next report
// (at most one interval later). A report equal to the one held only moves last_seen: a
// heartbeat never rewrites the devices, so persisting changes later costs one write per change,
// not one per heartbeat.
//
// Thread safety: every method may be called concurrently (one mutex; each call is a map lookup
// and, on a change, a copy of one report).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gpufleet/model/observed_device.h"
#include "gpufleet/status.h"

namespace gpufleet::service {

// More nodes than the service is sized for (125,000 in docs/agent.md): a bound on what reports
// for made-up node names (an admin token may report for any node) can make it keep.
inline constexpr size_t kMaxObservedNodes = 250'000;

struct ObservedNode {
  NodeReport report;           // the latest accepted
  int64_t first_seen_ms = 0;   // the node's first report since the service started
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

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, ObservedNode> nodes_;  // guarded by mu_; by node name
};

}  // namespace gpufleet::service
