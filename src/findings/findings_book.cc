#include "gpufleet/findings/findings_book.h"

#include <algorithm>
#include <charconv>

namespace gpufleet::findings {
namespace {

constexpr std::string_view kStateNames[] = {"open", "acknowledged", "resolved"};

// The number of "f-<n>"; 0 when malformed (Validate keeps that from happening).
size_t Number(std::string_view id) {
  size_t n = 0;
  if (id.size() > 2) std::from_chars(id.data() + 2, id.data() + id.size(), n);
  return n;
}

void Drop(std::map<std::string, std::vector<std::string>, std::less<>>& held,
          const std::string& what, const std::string& id) {
  const auto it = held.find(what);
  if (it == held.end()) return;
  std::erase(it->second, id);
  if (it->second.empty()) held.erase(it);
}

}  // namespace

std::string_view StateName(State state) { return kStateNames[static_cast<size_t>(state)]; }

std::optional<State> ParseState(std::string_view name) {
  for (size_t i = 0; i < std::size(kStateNames); ++i) {
    if (kStateNames[i] == name) return static_cast<State>(i);
  }
  return std::nullopt;
}

std::string FindingsBook::NextId(size_t ahead) const {
  return "f-" + std::to_string(findings_.size() + 1 + ahead);
}

const FindingView* FindingsBook::Find(std::string_view id) const {
  const size_t n = Number(id);
  if (n == 0 || n > findings_.size() || findings_[n - 1].record.id != id) return nullptr;
  return &findings_[n - 1];
}

Status FindingsBook::Check(const inventory::Change& c) const {
  GPUFLEET_RETURN_IF_ERROR(inventory::Validate(c));
  if (!inventory::IsFindingEntry(c)) {
    return Status::InvalidArgument("not a finding entry: " +
                                   std::string(inventory::ChangeKindName(c.kind)));
  }
  const inventory::FindingRecord& r = *c.finding;
  if (c.kind == inventory::ChangeKind::kFinding) {
    if (r.id != NextId()) {
      return Status::InvalidArgument("finding '" + r.id + "' is out of order: the next is '" +
                                     NextId() + "'");
    }
    const std::optional<Kind> kind = ParseKind(r.kind);
    if (!kind)
      return Status::InvalidArgument("finding '" + r.id + "': unknown kind '" + r.kind + "'");
    if (SourceOf(*kind) != r.source) {
      return Status::InvalidArgument("finding '" + r.id + "': a " + r.kind +
                                     " finding comes from " + std::string(SourceOf(*kind)) +
                                     ", not " + r.source);
    }
    if (live_.contains(DetectionKey(*kind, r.subject))) {
      return Status::AlreadyExists("a " + r.kind + " finding about '" + r.subject +
                                   "' is open already");
    }
    return Status::Ok();
  }
  const FindingView* f = Find(r.id);
  if (f == nullptr) return Status::NotFound("finding '" + r.id + "' not found");
  if (r.release) {
    if (!f->held) {
      return Status::FailedPrecondition("finding '" + r.id + "' holds no hardware to release");
    }
    return Status::Ok();
  }
  if (f->state == State::kResolved) {
    return Status::FailedPrecondition("finding '" + r.id + "' is resolved already");
  }
  if (r.state == "acknowledged" && f->state == State::kAcknowledged) {
    return Status::FailedPrecondition("finding '" + r.id + "' is acknowledged already");
  }
  return Status::Ok();
}

Status FindingsBook::Apply(const inventory::Change& c, int64_t index) {
  GPUFLEET_RETURN_IF_ERROR(Check(c));
  const inventory::FindingRecord& r = *c.finding;
  FindingEvent event{.index = index,
                     .recorded_ms = c.recorded_ms,
                     .actor = c.actor,
                     .what = "opened",
                     .reason = c.reason};
  if (c.kind == inventory::ChangeKind::kFinding) {
    FindingView f;
    f.record = r;
    f.kind = *ParseKind(r.kind);
    f.key = DetectionKey(f.kind, r.subject);
    f.held = r.action != "record";
    f.opened_ms = c.effective_ms;
    f.history.push_back(std::move(event));
    live_[f.key] = findings_.size();
    if (!Transient(f.kind)) facts_.insert(f.key);
    findings_.push_back(std::move(f));
    if (findings_.back().held) Hold(findings_.back());
    return Status::Ok();
  }
  FindingView& f = findings_[Number(r.id) - 1];
  if (r.release) {
    f.held = false;
    Release(f);
    event.what = "released";
  } else {
    f.state = *ParseState(r.state);
    event.what = r.state;
    if (f.state == State::kResolved) live_.erase(f.key);
  }
  f.history.push_back(std::move(event));
  return Status::Ok();
}

void FindingsBook::Hold(const FindingView& f) {
  if (f.record.action == "quarantine_device")
    holds_.serials[f.record.serial].push_back(f.record.id);
  if (f.record.action == "quarantine_node") holds_.nodes[f.record.node].push_back(f.record.id);
}

void FindingsBook::Release(const FindingView& f) {
  if (f.record.action == "quarantine_device") Drop(holds_.serials, f.record.serial, f.record.id);
  if (f.record.action == "quarantine_node") Drop(holds_.nodes, f.record.node, f.record.id);
}

inventory::Change FindingsBook::Opening(const Detection& d, const Policy& policy, int64_t now_ms,
                                        size_t ahead) const {
  inventory::Change c;
  c.kind = inventory::ChangeKind::kFinding;
  c.effective_ms = now_ms;
  c.recorded_ms = now_ms;
  c.finding = inventory::FindingRecord{.id = NextId(ahead),
                                       .kind = std::string(KindName(d.kind)),
                                       .source = std::string(SourceOf(d.kind)),
                                       .subject = d.subject,
                                       .serial = d.serial,
                                       .node = d.node,
                                       .detail = d.detail,
                                       .evidence = d.evidence,
                                       .action = std::string(ActionName(policy.For(d)))};
  return c;
}

std::vector<inventory::Change> FindingsBook::Open(const std::vector<Detection>& found,
                                                  const Policy& policy, int64_t now_ms,
                                                  size_t* deferred) const {
  std::vector<inventory::Change> out;
  std::set<std::string> seen;
  size_t left = 0;
  for (const Detection& d : found) {
    const std::string key = DetectionKey(d.kind, d.subject);
    if (live_.contains(key) || facts_.contains(key) || !seen.insert(key).second) continue;
    if (out.size() == kMaxOpenedAtOnce) {
      ++left;
      continue;
    }
    out.push_back(Opening(d, policy, now_ms, out.size()));
  }
  if (deferred != nullptr) *deferred = left;
  return out;
}

std::vector<inventory::Change> FindingsBook::Reconcile(const std::vector<Detection>& found,
                                                       const std::set<Kind>& ran,
                                                       const Policy& policy, int64_t now_ms,
                                                       size_t* deferred) const {
  std::vector<inventory::Change> out = Open(found, policy, now_ms, deferred);
  std::set<std::string, std::less<>> keys;
  for (const Detection& d : found) keys.insert(DetectionKey(d.kind, d.subject));
  for (const auto& [key, i] : live_) {
    const FindingView& f = findings_[i];
    if (!Transient(f.kind) || !ran.contains(f.kind) || keys.contains(key)) continue;
    inventory::Change c;
    c.kind = inventory::ChangeKind::kFindingUpdate;
    c.effective_ms = now_ms;
    c.recorded_ms = now_ms;
    c.reason = "no longer found: gpufleetd's checks found no " + std::string(KindName(f.kind)) +
               " about '" + f.record.subject + "'";
    c.finding = inventory::FindingRecord{.id = f.record.id, .state = "resolved"};
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace gpufleet::findings
