#pragma once
// One change to the living inventory: what the ledger records (docs/ledger.md, "Entries") and
// what LiveInventory applies. Nothing is edited in place: an arrival is a register, a sale a
// transfer, a mistake a correct that names the entry it corrects.
//
// The canonical encoding is one JSON object, version 1: keys in byte order, no whitespace,
// integers as integers, absent optional fields left out (never null). Encode(Decode(x)) == x
// for every x Decode accepts, so the bytes a ledger hashes are a function of the change alone.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/inventory/inventory.h"
#include "gpufleet/status.h"

namespace gpufleet::inventory {

enum class ChangeKind : uint8_t {
  kRegister,    // an asset arrives: every Asset field
  kMove,        // to another site (and node)
  kTransfer,    // to another owner (sale or intra-group); operator follows unless given
  kLeaseStart,  // another organisation operates it (leased out) or it is rented remotely
  kLeaseEnd,    // back to its owner, owned
  kRetire,      // out of service for good
  kLost,        // lost or stolen (`how`)
  kCorrect,     // fixes recorded fields; `corrects` names the entry it corrects
  kOrg,         // defines an organisation, or replaces its record (`organisation`)
  kSite,        // defines a site, or replaces its record (`place`)
  kNode,        // defines a node (host) at a site, or replaces its record (`host`)
  // Not about the inventory: the rules it is judged by. A rule change (the examples/changes/
  // format) scheduled to take effect at effective_ms, and its withdrawal before then
  // (compliance/rule_book.h). Both carry `rule_change`; a withdrawal only its id.
  kRuleChange,
  kRuleWithdraw,
  // The shipped rule file gpufleetd started with changed (or was first seen): its hash, the
  // one before, its `compiled:` stamp and the binary (`rules_shipped`). Recorded at start.
  kRulesShipped,
  // Not about the inventory either: something that looks wrong (docs/findings.md). A finding
  // opened, with what was found and what was done about it (`finding`), and a later update of
  // it: acknowledged, resolved, or the hardware it quarantined released (`finding` with the
  // id and the update alone).
  kFinding,
  kFindingUpdate,
};
std::string_view ChangeKindName(ChangeKind kind);
// kRuleChange, kRuleWithdraw or kRulesShipped: an entry about the rules, not the inventory.
inline bool IsRulesEntry(const struct Change& change);
// kFinding or kFindingUpdate.
inline bool IsFindingEntry(const struct Change& change);
// An entry the ledger records that changes no asset, organisation, site or node: rules or
// findings.
inline bool IsRecordOnlyEntry(const struct Change& change);
std::optional<ChangeKind> ParseChangeKind(std::string_view name);

// A scheduled rule change as the ledger records it.
struct RuleChangeRecord {
  std::string id;        // "rc-1", ... (the rule book's, in the order scheduled)
  std::string name;      // what messages call it; "" in a withdrawal
  std::string document;  // the change file's text; "" in a withdrawal
  friend bool operator==(const RuleChangeRecord&, const RuleChangeRecord&) = default;
};

// A change of the shipped rule file (the base gpufleetd starts with, before overlays) as the
// ledger records it (docs/compliance.md, "The shipped rules at start").
struct RulesShippedRecord {
  std::string old_hash;        // SHA-256 hex of the file recorded before; "" for the first
  std::string new_hash;        // SHA-256 hex of the file's text, byte for byte
  std::string compiled;        // its `compiled:` stamp (YYYY-MM-DD); "" when it has none
  std::string binary_version;  // the gpufleetd that started with it
  bool downgrade = false;      // older than old_hash's: accepted with --accept-rule-downgrade
  // SHA-256 hex of the document the service runs on, the operator's overlays merged onto the
  // file; "" when it started with no overlay. A start whose file is unchanged but whose
  // overlays changed is recorded too (old_hash then equals new_hash).
  std::string layered_hash;
  friend bool operator==(const RulesShippedRecord&, const RulesShippedRecord&) = default;
};

// A finding as the ledger records it (findings/finding.h gives the kinds and what they mean).
// An opening names kind, source, detail and action; an update names the id and exactly one of
// state ("acknowledged", "resolved") and release.
struct FindingRecord {   // every field has a default: an initializer names what it sets
  std::string id{};      // "f-1", "f-2", ... in the order opened
  std::string kind{};    // "model_differs", ... ; "" in an update
  std::string source{};  // "agent", "ledger" or "landmark"; "" in an update
  // What it is about, within its kind (a serial, a node, a UUID, "entry 12"): a kind and a
  // subject name one thing found, so the same thing found again is not a second finding.
  std::string subject{};
  std::string serial{};                 // the asset concerned; "" when none
  std::string node{};                   // the node concerned ("<site>/<node>"); "" when none
  std::string detail{};                 // for people; "" in an update
  std::vector<std::string> evidence{};  // entries, reports, measurements, in words
  // What the operator's policy did on opening: "record", "quarantine_device",
  // "quarantine_node"; "" in an update.
  std::string action{};
  std::string state{};   // update: "acknowledged" or "resolved"
  bool release = false;  // update: the hardware it quarantined takes jobs again
  friend bool operator==(const FindingRecord&, const FindingRecord&) = default;
};

// Every field a change may carry; which ones a kind takes is Validate's business.
struct Change {
  ChangeKind kind = ChangeKind::kRegister;
  std::string serial;        // the asset's; "" for kOrg and kSite
  int64_t effective_ms = 0;  // when it happened (ms since the Unix epoch, UTC)
  int64_t recorded_ms = 0;   // when the service accepted it
  std::string actor;         // the token id that made it ("" for an import at start)
  std::string reason;        // required for a back-dated change and a correction
  std::string licence;       // a licence id that allowed it; "" for none
  // What the compliance engine said when the change was accepted ("" = not judged, as for
  // places): the overall verdict name and the ids of the rules that decided it.
  std::string verdict;
  std::vector<std::string> verdict_rules;

  // kRegister: the whole record (serial equal to `serial`; file and line ignored).
  // kCorrect: the record as it should have been (model, node, acquired, arrival,
  // from_country and declared figures are taken from it; site, owner, operator and holding
  // change only through their own kinds).
  std::optional<Asset> asset;
  std::string site;                             // kMove
  std::string node;                             // kMove ("" = not recorded)
  std::string owner;                            // kTransfer
  std::string operator_org;                     // kTransfer (optional), kLeaseStart
  std::optional<Holding> holding;               // kLeaseStart: leased or rented_remote
  std::string how;                              // kLost: "lost" or "stolen"
  int64_t corrects = -1;                        // kCorrect: the ledger index of the entry corrected
  std::optional<Organisation> organisation;     // kOrg
  std::optional<Site> place;                    // kSite
  std::optional<Node> host;                     // kNode
  std::optional<RuleChangeRecord> rule_change;  // kRuleChange, kRuleWithdraw
  std::optional<RulesShippedRecord> rules_shipped;  // kRulesShipped
  std::optional<FindingRecord> finding;             // kFinding, kFindingUpdate

  friend bool operator==(const Change&, const Change&) = default;
};

inline bool IsRulesEntry(const Change& change) {
  return change.kind == ChangeKind::kRuleChange || change.kind == ChangeKind::kRuleWithdraw ||
         change.kind == ChangeKind::kRulesShipped;
}
inline bool IsFindingEntry(const Change& change) {
  return change.kind == ChangeKind::kFinding || change.kind == ChangeKind::kFindingUpdate;
}
inline bool IsRecordOnlyEntry(const Change& change) {
  return IsRulesEntry(change) || IsFindingEntry(change);
}

// The fields `change.kind` needs are there and no others, and the records they carry are
// well formed (ids are slugs, countries ISO codes): InvalidArgument naming the field.
Status Validate(const Change& change);

// The encoding's JSON object (Encode dumps it), and the object read back: ChangeFromJson takes
// any JSON spelling of the fields (96 or 96.0) and checks keys, types and Validate, but not
// canonical form; Decode adds that. The service reads API requests with it.
nlohmann::json ChangeToJson(const Change& change);
Result<Change> ChangeFromJson(const nlohmann::json& j);
nlohmann::json AssetToJson(const Asset& asset);

// An asset's record alone, in the encoding a register change carries it in (the service's
// assets table stores it); DecodeAsset is as strict as Decode.
std::string EncodeAsset(const Asset& asset);
Result<Asset> DecodeAsset(std::string_view bytes);

// What the change is about, as the store indexes it: the serial, "org:<id>", "site:<id>",
// "node:<site>/<id>", "rules:<rule change id>", "rules:shipped" or "finding:<id>".
std::string Subject(const Change& change);

// Canonical bytes (see the header comment). REQUIRES: Validate(change).ok().
std::string Encode(const Change& change);
// Strict: unknown or missing fields, wrong types, a version other than 1, or bytes that are
// not exactly the canonical encoding of what they parse to are InvalidArgument.
Result<Change> Decode(std::string_view bytes);

}  // namespace gpufleet::inventory
