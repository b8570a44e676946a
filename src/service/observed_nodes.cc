// The node agents' latest reports (service/observed_nodes.h).

#include "gpufleet/service/observed_nodes.h"

#include <utility>

#include "gpufleet/model/utf8.h"

namespace gpufleet::service {

Result<RecordOutcome> ObservedNodes::Record(NodeReport report, int64_t now_ms) {
  const std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(report.node);
  if (it == nodes_.end()) {
    if (nodes_.size() >= kMaxObservedNodes) {
      return Status::ResourceExhausted("already holding reports of " +
                                       std::to_string(kMaxObservedNodes) +
                                       " nodes; not taking node '" + Excerpt(report.node) + "'");
    }
    std::string name = report.node;
    nodes_.emplace(std::move(name), ObservedNode{.report = std::move(report),
                                                 .first_seen_ms = now_ms,
                                                 .last_change_ms = now_ms,
                                                 .last_seen_ms = now_ms,
                                                 .reports = 1});
    return RecordOutcome{.changed = true, .last_seen_ms = now_ms};
  }
  ObservedNode& held = it->second;
  // Trust on first use (docs/agent.md, "Location evidence"): the first echo key a node reports
  // is the one landmark echoes are checked against while the service runs; another key, or
  // none, would let whoever holds the node's token (not its key) redirect that check.
  if (!held.report.echo_key.empty() && report.echo_key != held.report.echo_key) {
    return Status::FailedPrecondition(
        "node '" + Excerpt(report.node) +
        "' reported another echo key before; the first one is kept until the service restarts");
  }
  const bool changed = held.report != report;
  if (changed) {
    held.report = std::move(report);
    held.last_change_ms = now_ms;
  }
  held.last_seen_ms = now_ms;
  ++held.reports;
  return RecordOutcome{.changed = changed, .last_seen_ms = now_ms};
}

std::optional<ObservedNode> ObservedNodes::Get(const std::string& node) const {
  const std::lock_guard<std::mutex> lock(mu_);
  const auto it = nodes_.find(node);
  if (it == nodes_.end()) return std::nullopt;
  return it->second;
}

size_t ObservedNodes::size() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return nodes_.size();
}

}  // namespace gpufleet::service
