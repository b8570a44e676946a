#pragma once
// What of the node agents' reports survives a restart (docs/agent.md, "Where the service keeps
// it"), written beside ObservedNodes (the one owner in memory) to the Store:
//   - a changed report (ObservedNodes::Record said `changed`) is written by SaveObservedNode
//     before the report is answered, so an acknowledged change survives kill -9;
//   - a heartbeat is a memory update only; the last-seen times of the nodes heard since the
//     last flush are written together by LastSeenFlusher, at most every `interval` and
//     once more at a clean stop (kill -9 loses at most one interval of last-seen times);
//   - LoadObservedNodes reads them back at start, so first_seen, last_change and last_seen
//     are those before the restart.
// Reports are stored in the agent's own JSON (codec/node_report_json.h).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/service/observed_nodes.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

// How often the last-seen times of heartbeats are written (gpufleetd --last-seen-flush-s).
inline constexpr std::chrono::milliseconds kDefaultLastSeenFlush{10'000};
// Nodes per SetLastSeen transaction. On SQLite a chunk holds the store's writer for about
// 25 ms here (docs/benchmarks.md, "Agent heartbeats"), so submissions and the scheduler's
// writes commit between chunks rather than wait for a whole flush of some 42,000 nodes.
inline constexpr size_t kLastSeenChunk = 4096;

// Reads every stored node into `observed`; call before the API serves. Corruption naming the
// node when a stored report does not parse (the store holds only what this service wrote).
Status LoadObservedNodes(store::Store& store, ObservedNodes& observed);

// Writes `node` as `observed` now holds it, durably. Call after Record said `changed`, before
// answering. On failure the node is marked unsaved (ObservedNodes::MarkUnsaved), so that its
// next report is written even when it is a heartbeat.
Status SaveObservedNode(store::Store& store, ObservedNodes& observed, const std::string& node);

// The background writer of last-seen times: every `interval`, the nodes heard since the last
// flush (ObservedNodes::TakeHeard), in Store::SetLastSeen calls of at most kLastSeenChunk
// nodes. A failed chunk, and those after it, are kept and merged into the next flush.
// Thread safety: every method may be called from any thread.
class LastSeenFlusher {
 public:
  // REQUIRES: `observed` and `store` outlive this object; interval > 0.
  LastSeenFlusher(ObservedNodes& observed, store::Store& store, std::chrono::milliseconds interval);
  LastSeenFlusher(const LastSeenFlusher&) = delete;
  LastSeenFlusher& operator=(const LastSeenFlusher&) = delete;
  ~LastSeenFlusher();  // Stop()

  // Starts the thread (no-op when it runs).
  void Start();
  // Stops the thread, then flushes once more: a clean stop loses no last-seen time.
  Status Stop();
  // Writes the nodes heard since the last flush (and those of a failed one), now. Tests call
  // it instead of waiting for the interval.
  Status Flush();

 private:
  void Loop();

  ObservedNodes& observed_;
  store::Store& store_;
  const std::chrono::milliseconds interval_;

  std::mutex flush_mu_;                     // one flush at a time
  std::vector<store::NodeLastSeen> retry_;  // guarded by flush_mu_: a failed batch

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // joinable while running; started and joined under no lock
};

}  // namespace gpufleet::service
