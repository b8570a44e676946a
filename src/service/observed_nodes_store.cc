// The node agents' reports in the store (service/observed_nodes_store.h).

#include "gpufleet/service/observed_nodes_store.h"

#include <algorithm>
#include <iterator>
#include <unordered_set>
#include <utility>

#include "gpufleet/codec/node_report_json.h"
#include "gpufleet/log/log.h"

namespace gpufleet::service {

Status LoadObservedNodes(store::Store& store, ObservedNodes& observed) {
  Result<std::vector<store::ObservedNodeRow>> rows = store.ListObservedNodes();
  if (!rows.ok()) return rows.status();
  for (store::ObservedNodeRow& row : *rows) {
    Result<NodeReport> report = [&]() -> Result<NodeReport> {
      try {
        return codec::NodeReportFromJson(nlohmann::json::parse(row.report));
      } catch (const nlohmann::json::exception& e) {
        return Status::InvalidArgument(e.what());
      }
    }();
    if (!report.ok() || report->node != row.node) {
      return Status::Corruption(
          "store: the report stored for node '" + row.node + "' does not read back: " +
          (report.ok() ? "it names node '" + report->node + "'" : report.status().message()));
    }
    // Restore refuses only what the service could not have stored: a name twice, or more
    // nodes than it holds.
    if (!observed.Restore({.report = std::move(*report),
                           .first_seen_ms = row.first_seen_ms,
                           .last_change_ms = row.last_change_ms,
                           .last_seen_ms = row.last_seen_ms,
                           .reports = 0})) {
      return Status::Corruption("store: node '" + row.node +
                                "' cannot be restored (twice, or beyond " +
                                std::to_string(kMaxObservedNodes) + " nodes)");
    }
  }
  return Status::Ok();
}

Status SaveObservedNode(store::Store& store, ObservedNodes& observed, const std::string& node) {
  const std::optional<ObservedNode> held = observed.Get(node);
  if (!held) return Status::NotFound("node '" + node + "' is not held");
  const Status s = store.PutObservedNode({.node = node,
                                          .report = codec::NodeReportToJson(held->report).dump(),
                                          .first_seen_ms = held->first_seen_ms,
                                          .last_change_ms = held->last_change_ms,
                                          .last_seen_ms = held->last_seen_ms});
  if (!s.ok()) observed.MarkUnsaved(node);
  return s;
}

LastSeenFlusher::LastSeenFlusher(ObservedNodes& observed, store::Store& store,
                                 std::chrono::milliseconds interval)
    : observed_(observed), store_(store), interval_(interval) {}

LastSeenFlusher::~LastSeenFlusher() { (void)Stop(); }

void LastSeenFlusher::Start() {
  if (thread_.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

Status LastSeenFlusher::Stop() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  return Flush();
}

void LastSeenFlusher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    lock.unlock();
    if (const Status s = Flush(); !s.ok()) {
      log::Warn("observed.last_seen_flush_failed", {{"error", s.ToString()}});
    }
    lock.lock();
  }
}

Status LastSeenFlusher::Flush() {
  const std::lock_guard<std::mutex> lock(flush_mu_);
  std::vector<store::NodeLastSeen> batch = observed_.TakeHeard();
  if (!retry_.empty()) {
    // A node heard again since the failed batch has a later time in the new one. Reserved
    // first: `fresh` points into `batch`, which must not move while it grows.
    batch.reserve(batch.size() + retry_.size());
    std::unordered_set<std::string_view> fresh;
    for (const store::NodeLastSeen& s : batch) fresh.insert(s.node);
    for (store::NodeLastSeen& s : retry_) {
      if (!fresh.contains(s.node)) batch.push_back(std::move(s));
    }
    retry_.clear();
  }
  for (size_t begin = 0; begin < batch.size(); begin += kLastSeenChunk) {
    const size_t end = std::min(batch.size(), begin + kLastSeenChunk);
    const std::vector<store::NodeLastSeen> chunk(std::make_move_iterator(batch.begin() + begin),
                                                 std::make_move_iterator(batch.begin() + end));
    if (Status s = store_.SetLastSeen(chunk); !s.ok()) {
      // This chunk (moved back) and every later one wait for the next flush.
      retry_.assign(chunk.begin(), chunk.end());
      retry_.insert(retry_.end(), std::make_move_iterator(batch.begin() + end),
                    std::make_move_iterator(batch.end()));
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace gpufleet::service
