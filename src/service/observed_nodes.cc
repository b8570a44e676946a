// The node agents' latest reports (service/observed_nodes.h).

#include "gpufleet/service/observed_nodes.h"

#include <memory>
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
    heard_.insert(report.node);
    std::string name = report.node;
    nodes_.emplace(std::move(name),
                   Held{.report = std::make_shared<const NodeReport>(std::move(report)),
                        .first_seen_ms = now_ms,
                        .last_change_ms = now_ms,
                        .last_seen_ms = now_ms,
                        .reports = 1});
    return RecordOutcome{.changed = true, .last_seen_ms = now_ms};
  }
  Held& held = it->second;
  // Trust on first use (docs/agent.md, "Location evidence"): the first echo key a node reports
  // is the one landmark echoes are checked against while the service runs; another key, or
  // none, would let whoever holds the node's token (not its key) redirect that check.
  if (!held.report->echo_key.empty() && report.echo_key != held.report->echo_key) {
    return Status::FailedPrecondition(
        "node '" + Excerpt(report.node) +
        "' reported another echo key before; the first one is kept until the service restarts");
  }
  // Once per node per flush: the set keeps its name until TakeHeard.
  heard_.insert(it->first);
  const bool changed =
      *held.report != report || (!unsaved_.empty() && unsaved_.erase(it->first) > 0);
  if (changed) {
    // A new report, not an edit of the held one: a findings pass may still be reading it.
    held.report = std::make_shared<const NodeReport>(std::move(report));
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
  const Held& h = it->second;
  return ObservedNode{.report = *h.report,
                      .first_seen_ms = h.first_seen_ms,
                      .last_change_ms = h.last_change_ms,
                      .last_seen_ms = h.last_seen_ms,
                      .reports = h.reports};
}

void ObservedNodes::Visit(
    const std::function<void(std::span<findings::NodeObservation>)>& visit) const {
  // Under the lock only the pointers and times are copied (a few milliseconds at 125,000
  // nodes); the pass reads the reports after, while reports keep arriving.
  std::vector<std::shared_ptr<const NodeReport>> reports;
  std::vector<findings::NodeObservation> nodes;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    reports.reserve(nodes_.size());
    nodes.reserve(nodes_.size());
    for (const auto& [name, n] : nodes_) {
      reports.push_back(n.report);
      nodes.push_back({.report = n.report.get(),
                       .last_seen_ms = n.last_seen_ms,
                       .last_change_ms = n.last_change_ms});
    }
  }
  visit(nodes);
}

size_t ObservedNodes::size() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return nodes_.size();
}

bool ObservedNodes::Restore(ObservedNode node) {
  const std::lock_guard<std::mutex> lock(mu_);
  if (nodes_.size() >= kMaxObservedNodes || nodes_.contains(node.report.node)) return false;
  std::string name = node.report.node;
  nodes_.emplace(std::move(name),
                 Held{.report = std::make_shared<const NodeReport>(std::move(node.report)),
                      .first_seen_ms = node.first_seen_ms,
                      .last_change_ms = node.last_change_ms,
                      .last_seen_ms = node.last_seen_ms,
                      .reports = node.reports});
  return true;
}

void ObservedNodes::MarkUnsaved(const std::string& node) {
  const std::lock_guard<std::mutex> lock(mu_);
  if (nodes_.contains(node)) unsaved_.insert(node);
}

std::vector<store::NodeLastSeen> ObservedNodes::TakeHeard() {
  std::unordered_set<std::string> heard;
  std::vector<store::NodeLastSeen> out;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    heard.swap(heard_);
    out.reserve(heard.size());
    // Under the lock only lookups and moves: at 125,000 nodes a flush takes it for a few
    // milliseconds, every report waiting meanwhile.
    while (!heard.empty()) {
      auto name = heard.extract(heard.begin());
      const auto it = nodes_.find(name.value());
      if (it == nodes_.end()) continue;
      out.push_back({.node = std::move(name.value()), .last_seen_ms = it->second.last_seen_ms});
    }
  }
  return out;
}

}  // namespace gpufleet::service
