// The node agents' latest reports (service/observed_nodes.h).

#include "gpufleet/service/observed_nodes.h"

#include <utility>
#include <vector>

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

void ObservedNodes::Visit(
    const std::function<void(std::span<const findings::NodeObservation>)>& visit) const {
  const std::lock_guard<std::mutex> lock(mu_);
  std::vector<findings::NodeObservation> nodes;
  nodes.reserve(nodes_.size());
  for (const auto& [name, n] : nodes_) {
    nodes.push_back(
        {.report = &n.report, .last_seen_ms = n.last_seen_ms, .last_change_ms = n.last_change_ms});
  }
  visit(nodes);
}

size_t ObservedNodes::size() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return nodes_.size();
}

}  // namespace gpufleet::service
