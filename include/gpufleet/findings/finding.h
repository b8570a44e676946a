#pragma once
// What looks wrong in the fleet (docs/findings.md): the kinds of finding, where each comes
// from, and a detection — one thing a check found now, before it is a finding of the ledger.
// The checks (observed_checks.h, ledger_checks.h) return detections; the book
// (findings_book.h) turns a detection it has not seen into a finding and resolves a finding
// whose detection is gone.
//
// Thread safety: values.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpufleet::findings {

enum class Kind : uint8_t {
  // From the agents' reports (source "agent").
  kDeviceNotInInventory,  // a serial a node reports that the inventory does not hold
  kObservedElsewhere,     // an asset reported by another node or site than declared
  kModelDiffers,          // the board reports another catalog model than declared
  kMemoryDiffers,         // the board's memory is not the declared model's
  kNotSeen,               // its node reports, without it, for longer than a threshold
  kSerialOnTwoNodes,      // one serial reported by two nodes
  kUuidOnTwoNodes,        // one device UUID reported by two nodes
  kNodeSilent,            // a node that reported stopped heartbeating
  // From the ledger (source "ledger").
  kSerialRegisteredTwice,   // a register of a serial already registered (import or API)
  kSerialAtTwoSites,        // ... at another site than the first record
  kSpecsContradictCatalog,  // declared memory or TPP not the catalog's for the declared model
  kMoveTooFast,             // a move faster than a shipment travels between the two sites
  kTransferRefusedToday,    // a transfer allowed when recorded that today's rules refuse
  // From landmarks (source "landmark").
  kLocationContradictsSite,  // a node provably too close to a landmark far from its site
};
inline constexpr Kind kAllKinds[] = {Kind::kDeviceNotInInventory,
                                     Kind::kObservedElsewhere,
                                     Kind::kModelDiffers,
                                     Kind::kMemoryDiffers,
                                     Kind::kNotSeen,
                                     Kind::kSerialOnTwoNodes,
                                     Kind::kUuidOnTwoNodes,
                                     Kind::kNodeSilent,
                                     Kind::kSerialRegisteredTwice,
                                     Kind::kSerialAtTwoSites,
                                     Kind::kSpecsContradictCatalog,
                                     Kind::kMoveTooFast,
                                     Kind::kTransferRefusedToday,
                                     Kind::kLocationContradictsSite};

// "device_not_in_inventory", "model_differs", ...: the ledger's and the API's spelling.
std::string_view KindName(Kind kind);
std::optional<Kind> ParseKind(std::string_view name);
// "agent", "ledger" or "landmark".
std::string_view SourceOf(Kind kind);

// What the operator's policy does when a finding of a kind is opened (policy.h).
enum class Action : uint8_t { kRecord, kQuarantineDevice, kQuarantineNode };
std::string_view ActionName(Action action);  // "record", "quarantine_device", "quarantine_node"
std::optional<Action> ParseAction(std::string_view name);

// One thing a check found. Kind and subject identify it across passes: found again, it is the
// same finding (not a new one); no longer found, a transient finding is resolved.
struct Detection {
  Kind kind = Kind::kDeviceNotInInventory;
  std::string subject{};  // what it is about within its kind: a serial, node, UUID, "entry 12"
  std::string serial{};   // the asset concerned; "" when none
  std::string node{};     // the node concerned ("<site>/<node>"); "" when none
  std::string detail{};   // for people: "declared nvidia-h20-96gb, observed NVIDIA H100 80GB HBM3"
  std::vector<std::string> evidence{};  // "report of sg-0/n0 at 2026-12-07T10:00:00Z", ...
  friend bool operator==(const Detection&, const Detection&) = default;
};

// Whether a finding of `kind` can go away by itself: found by a check that runs every pass
// over what is observed now or the rules in force today (a report, a heartbeat, a transfer
// today's rules refuse), rather than once, when an entry records a fact that stays true.
// Only these are resolved when no longer found.
bool Transient(Kind kind);

// The identity of a detection or finding of `kind` about `subject`: "model_differs:SN1".
std::string DetectionKey(Kind kind, std::string_view subject);

}  // namespace gpufleet::findings
