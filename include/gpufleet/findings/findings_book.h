#pragma once
// The findings as the ledger's entries leave them (docs/findings.md): each finding's record,
// its state (open, acknowledged, resolved), whether the hardware it quarantined is still held,
// and the entries that opened and updated it. Replaying a log's kFinding and kFindingUpdate
// entries through Apply rebuilds it, as LiveInventory rebuilds the inventory.
//
// Reconcile is the one place detections become findings: a detection whose key has no open or
// acknowledged finding opens one (quarantining what the policy says), and an open or
// acknowledged finding of a transient detection no longer found is resolved. It returns the
// entries to record; the caller writes them and then applies them.
//
// Thread safety: none; one owner (the inventory service, under its lock).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/findings/finding.h"
#include "gpufleet/findings/policy.h"
#include "gpufleet/inventory/change.h"
#include "gpufleet/status.h"

namespace gpufleet::findings {

// At most this many findings are opened by one pass or one write; the rest wait for the next
// pass. A fleet whose agents report before its inventory is imported finds a million unknown
// devices at once: opened in one transaction, that would be a million ledger entries and a
// stall of every writer; spread out, the ledger grows by a bounded amount per pass.
inline constexpr size_t kMaxOpenedAtOnce = 1000;

enum class State : uint8_t { kOpen, kAcknowledged, kResolved };
std::string_view StateName(State state);  // "open", "acknowledged", "resolved"
std::optional<State> ParseState(std::string_view name);

// One entry of a finding's history.
struct FindingEvent {
  int64_t index = -1;  // its ledger entry
  int64_t recorded_ms = 0;
  std::string actor;   // token id; "" for gpufleetd itself
  std::string what;    // "opened", "acknowledged", "resolved", "released"
  std::string reason;  // the person's or gpufleetd's words
};

struct FindingView {
  inventory::FindingRecord record;  // as opened
  Kind kind = Kind::kDeviceNotInInventory;
  State state = State::kOpen;
  std::string key;    // DetectionKey(kind, subject): Reconcile matches on it
  bool held = false;  // its quarantine holds (opened with one, not yet released)
  int64_t opened_ms = 0;
  std::vector<FindingEvent> history;  // opening first
};

// What is kept out of placement by findings: serials and nodes ("<site>/<node>"), each with
// the findings holding it (ids).
struct Holds {
  std::map<std::string, std::vector<std::string>, std::less<>> serials;
  std::map<std::string, std::vector<std::string>, std::less<>> nodes;
  bool empty() const { return serials.empty() && nodes.empty(); }
  friend bool operator==(const Holds&, const Holds&) = default;
};

class FindingsBook {
 public:
  // Whether `change` (a kFinding or kFindingUpdate) may follow: a new id in order, or an update
  // of a known finding that changes something (NotFound; FailedPrecondition for acknowledging a
  // resolved finding, resolving one twice, releasing one that holds nothing).
  Status Check(const inventory::Change& change) const;
  // Check, then apply as entry `index`.
  Status Apply(const inventory::Change& change, int64_t index);

  // The entries that bring the book in line with `found` (every detection of this pass, of
  // every source that ran: `ran` lists the kinds checked, so a finding of a kind not checked
  // this pass is left alone), recorded at `now_ms` by gpufleetd, with `policy`'s actions.
  // Not applied: record them, then Apply each.
  // At most kMaxOpenedAtOnce openings; `deferred`, when given, counts the new detections left
  // for a later pass.
  std::vector<inventory::Change> Reconcile(const std::vector<Detection>& found,
                                           const std::set<Kind>& ran, const Policy& policy,
                                           int64_t now_ms, size_t* deferred = nullptr) const;
  // The openings alone: a detection whose key has no open or acknowledged finding, and, for a
  // kind that is not Transient, never had one (a fact of the ledger a person resolved stays
  // resolved).
  std::vector<inventory::Change> Open(const std::vector<Detection>& found, const Policy& policy,
                                      int64_t now_ms, size_t* deferred = nullptr) const;

  const FindingView* Find(std::string_view id) const;
  // Every finding, in the order opened.
  const std::vector<FindingView>& all() const { return findings_; }
  const Holds& holds() const { return holds_; }
  // The id the next opened finding gets.
  std::string NextId(size_t ahead = 0) const;

 private:
  // An opening entry for `d`, with id NextId(ahead).
  inventory::Change Opening(const Detection& d, const Policy& policy, int64_t now_ms,
                            size_t ahead) const;
  void Hold(const FindingView& f);
  void Release(const FindingView& f);

  std::vector<FindingView> findings_;                // by number - 1
  std::map<std::string, size_t, std::less<>> live_;  // key -> open or acknowledged finding
  std::set<std::string, std::less<>> facts_;         // keys of every non-Transient finding
  Holds holds_;
};

}  // namespace gpufleet::findings
