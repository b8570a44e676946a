#pragma once
// The living inventory as state of the service (docs/service.md, "Inventory"). Every accepted
// change is one entry of the store's inventory log, with the Merkle tree hashes it adds to the
// ledger (ledger/merkle.h), written in one transaction with the asset rows it leaves; the state
// in memory is that log replayed through LiveInventory. A change is checked before anything is
// written: LiveInventory says whether it may follow (unknown serial, site or organisation 404;
// a second register 409; back-dating rules 400) and the compliance engine judges the asset as
// the change leaves it at the change's effective time: a move, sale or lease the rules forbid
// is refused (422); a register or correction records a fact, with its verdict, whatever it is.
//
// At start, Load replays the log: an entry that does not decode or apply, or whose stored
// hashes are not the ones its bytes give, is an edit of the log (Corruption). The assets table
// is then compared with the replay: a difference means the table was edited behind the log's
// back, and the service stays read-only for the inventory, saying what differs.
//
// Thread safety: every method may be called from any thread; changes are serialised.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/rule_book.h"
#include "gpufleet/findings/findings_book.h"
#include "gpufleet/findings/policy.h"
#include "gpufleet/inventory/change.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/inventory/live_inventory.h"
#include "gpufleet/ledger/hash.h"
#include "gpufleet/ledger/tree_frontier.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

// What became of one submitted change.
struct ChangeOutcome {
  Status status;             // OK: accepted (and durable once Submit returns)
  int64_t index = -1;        // the entry's index in the log when accepted
  inventory::Change change;  // as recorded: recorded_ms, actor, verdict and licence filled in
  // Refused by the rules (status is FailedPrecondition, answered 422): the verdict's name, the
  // deciding rules and the verdict's explanation.
  bool non_compliant = false;
  std::string verdict;
  std::vector<std::string> rules;
  std::vector<std::string> explanation;
};

// Which assets List returns: serials after `after`, at most `limit`, at `site` (when set),
// that `visible_to` may know of (OrgMayKnow; when set), of `status` (when set).
struct AssetQuery {
  std::string after;
  size_t limit = 100;
  std::optional<std::string> site;
  std::optional<std::string> visible_to;
  std::optional<inventory::AssetStatus> status;
};

// Which state of the inventory a snapshot is: generation() and size() read together.
struct InventoryVersion {
  uint64_t generation = 0;
  int64_t entries = 0;
};

// One version of the rules over time (RuleBook): the parsed set, the engine over it and the
// document it was parsed from. Shared: every fleet version and judgement made on it holds it.
struct RuleVersion {
  std::shared_ptr<const compliance::LayeredRules> layered;
  std::shared_ptr<const compliance::RuleSet> rules;  // aliases layered->rules
  std::shared_ptr<const compliance::Engine> engine;  // indexed, over *rules
};

// A scheduled rule change as the service reports it.
struct RuleChangeView {
  compliance::ScheduledChange change;
  int64_t index = -1;  // its ledger entry
  // "pending" before its effective time, "in_force" from it, "withdrawn".
  std::string state;
};

// A rules_shipped entry of the log: which shipped rule file a start recorded, and when.
struct ShippedRulesEntry {
  int64_t index = -1;
  int64_t recorded_ms = 0;
  inventory::RulesShippedRecord record;
};

// At most this many changes per Submit (one transaction and one compliance pass each).
inline constexpr size_t kMaxChangesPerBatch = 1000;

class InventoryService {
 public:
  // REQUIRES: every argument outlives the service.
  InventoryService(store::Store& store, const Clock& clock, const catalog::Catalog& catalog,
                   const compliance::Engine& engine);

  // The rules the service starts with (the shipped history with the operator's overlays: the
  // document they were parsed from, and its name), over which rule changes are scheduled.
  // Call before Load; without it, a log holding rule changes does not load and scheduling one
  // is FailedPrecondition.
  void SetRuleBase(std::string document, std::string name);

  // Replays the store's log (see the header comment). Call once, before anything else.
  Status Load();

  // Seeds an empty log with `inventory`: its organisations and sites, then one register per
  // asset, in batches of kMaxChangesPerBatch, each recorded now with `reason` (the source).
  // Registers refused (a serial recorded twice, a rule violation) are skipped and returned;
  // FailedPrecondition when the log is not empty.
  Result<std::vector<ChangeOutcome>> Seed(const inventory::Inventory& inventory,
                                          std::string_view reason);

  // Checks `changes` in order, each against the state the ones before it leave, and records
  // the accepted ones, recorded now by `actor` (a token id), in one transaction. With
  // all_or_nothing, one refused change refuses them all and nothing is written (the outcomes
  // say which and why). InvalidArgument for an empty batch or more than kMaxChangesPerBatch;
  // FailedPrecondition while read-only; the store's error when the write fails (nothing
  // accepted).
  Result<std::vector<ChangeOutcome>> Submit(std::vector<inventory::Change> changes,
                                            std::string_view actor, bool all_or_nothing);

  // Schedules the rule change `document` (the examples/changes/ format), named `name`, to take
  // effect at `effective_ms` (not before now: the rules of the past do not change), recorded
  // now by `actor` as a ledger entry. InvalidArgument when it does not merge or any rule set it
  // takes part in would not parse; FailedPrecondition without a rule base or while read-only.
  Result<RuleChangeView> ScheduleRuleChange(std::string document, std::string name,
                                            int64_t effective_ms, std::string_view actor);
  // As above, with the document made under the service's lock from the rule book (so that a
  // check and the change it guards cannot be split by another schedule: a licence recorded
  // twice, or a revocation of the record as it stands). The maker's error is returned as is.
  using RuleDocumentMaker = std::function<Result<std::string>(const compliance::RuleBook& book)>;
  Result<RuleChangeView> ScheduleRuleChange(const RuleDocumentMaker& make, std::string name,
                                            int64_t effective_ms, std::string_view actor);
  // Withdraws pending rule change `id` (a ledger entry too): NotFound, or FailedPrecondition
  // when it is in force, withdrawn, or a later change builds on it.
  Result<RuleChangeView> WithdrawRuleChange(const std::string& id, std::string_view actor);
  // Every rule change scheduled, in the order scheduled, with its state now.
  std::vector<RuleChangeView> RuleChanges() const;
  // The rules in force at `ms`; nullopt without a rule base.
  std::optional<RuleVersion> RulesAt(int64_t ms) const;
  // The first instant after `ms` at which the rules' verdicts may change: a scheduled change
  // taking effect, or midnight of a day the rules in force date something on
  // (compliance::NextRuleDateAfter). nullopt without a rule base or when nothing comes.
  std::optional<int64_t> NextRuleEventAfter(int64_t ms) const;
  // Every rules_shipped entry of the log, in order: the history gpufleetd's start check
  // compares its rule file with (service/shipped_rules.h).
  std::vector<ShippedRulesEntry> ShippedRules() const;
  // Records `record` as a rules_shipped entry, recorded and effective now by gpufleetd itself
  // (actor ""): its index. FailedPrecondition while read-only; the store's error when the write
  // fails (another process appended first, say).
  Result<int64_t> RecordShippedRules(inventory::RulesShippedRecord record);

  // Findings (docs/findings.md). The operator's policy: set before Load and before findings
  // are opened.
  void SetFindingPolicy(findings::Policy policy);
  findings::Policy FindingPolicy() const;
  // Records the finding entries `make` returns for the book as it stands, under the service's
  // lock (no other entry comes between the book `make` read and the entries), in one
  // transaction; their indexes. Each must pass FindingsBook::Check after the ones before it
  // (InvalidArgument naming it otherwise, nothing written). FailedPrecondition while read-only.
  using FindingMaker =
      std::function<std::vector<inventory::Change>(const findings::FindingsBook& book)>;
  Result<std::vector<int64_t>> RecordFindings(const FindingMaker& make);
  // A person's update of finding `id`: `what` is "acknowledged", "resolved" or "released",
  // with `reason` (required), recorded now by `actor`. NotFound, FailedPrecondition (already
  // so, or nothing held to release), InvalidArgument (unknown `what`, no reason).
  Result<findings::FindingView> UpdateFinding(const std::string& id, std::string_view what,
                                              std::string reason, std::string_view actor);
  std::optional<findings::FindingView> FindFinding(std::string_view id) const;
  // Findings after the one numbered `after` (0: from the first) that `match` accepts, at most
  // `limit`, in the order opened.
  std::vector<findings::FindingView> ListFindings(
      const std::function<bool(const findings::FindingView&)>& match, size_t after,
      size_t limit) const;
  // Transfers recorded as allowed that the rules in force at `now_ms` refuse: each asset's
  // latest transfer, while the buyer still owns it, judged again as the asset stands now
  // (findings kind transfer_refused_today; the subject is the transfer's entry).
  std::vector<findings::Detection> TransfersRefusedAt(int64_t now_ms) const;
  // Moves whose speed could not be checked because a site has no coordinates (since start).
  int64_t moves_unchecked() const;

  // Copies of the state: an asset, an organisation's or site's record, nullopt when unknown.
  std::optional<inventory::LiveAsset> FindAsset(std::string_view serial) const;
  std::optional<inventory::Organisation> FindOrg(std::string_view id) const;
  std::optional<inventory::Site> FindSite(std::string_view id) const;
  std::vector<inventory::Organisation> Organisations() const;
  std::vector<inventory::Site> Sites() const;
  // By serial.
  std::vector<inventory::LiveAsset> List(const AssetQuery& query) const;

  // The active assets (not retired, not lost) with the organisations and sites, as the
  // placement fleet and the fleet check read an inventory. With `version`, also which state
  // it is (read under the same lock).
  // With `holds`, also what findings keep out of placement, as of the same state.
  Result<inventory::Inventory> Snapshot(InventoryVersion* version = nullptr,
                                        findings::Holds* holds = nullptr) const;

  // Whether `org` may know of `asset`: it, or an organisation under it (a subsidiary, at any
  // depth), owns or operates it.
  bool OrgMayKnow(std::string_view org, const inventory::LiveAsset& asset) const;

  // Entries in the log; the Merkle tree head over them; both together, as of one moment.
  int64_t size() const;
  ledger::Hash root() const;
  std::pair<int64_t, ledger::Hash> Head() const;
  // Proofs over the log as the store keeps it, in RFC 6962 order: that entry `index` is in the
  // tree of the first `tree_size` entries; that the tree of `old_size` entries is a prefix of
  // the tree of `new_size`. One store round trip each; callers check the sizes against size().
  Result<std::vector<ledger::Hash>> ProveInclusion(uint64_t index, uint64_t tree_size) const;
  Result<std::vector<ledger::Hash>> ProveConsistency(uint64_t old_size, uint64_t new_size) const;
  // Called (outside the service's lock) after every batch of entries the store committed:
  // the ledger's checkpointer listens. Set before the service is shared.
  void SetOnAppend(std::function<void()> on_append) { on_append_ = std::move(on_append); }
  // "" unless the assets table disagrees with the log (then: what differs).
  std::string read_only_reason() const;
  // Bumped by every accepted change: the scheduler rebuilds its fleet when it moves.
  uint64_t generation() const;

 private:
  bool MayKnowLocked(std::string_view org, const inventory::LiveAsset& asset) const;
  Result<std::vector<ChangeOutcome>> CheckAndRecord(std::vector<inventory::Change> changes,
                                                    std::string_view actor, bool all_or_nothing);
  Status CompareAssetsTable();
  // Replays a rule entry of the log into the rule book.
  Status ReplayRuleEntry(const inventory::Change& c, int64_t index);
  // Appends entries that change no asset (rules, findings; already checked) to the log: live_
  // and the frontier, then the store, in one transaction; the first's index.
  Result<int64_t> AppendRecordOnlyLocked(std::vector<inventory::Change> entries);
  Result<int64_t> AppendRulesEntryLocked(inventory::Change c);
  // Opens the findings `found` describes that are not open already; errors are logged, not
  // returned: the entries that found them are committed whatever becomes of the findings.
  void OpenFindingsLocked(const std::vector<findings::Detection>& found, int64_t now_ms);
  Result<std::vector<int64_t>> RecordFindingsLocked(std::vector<inventory::Change> entries);
  RuleChangeView ViewLocked(const compliance::ScheduledChange& c, int64_t now_ms) const;
  std::optional<RuleVersion> RulesAtLocked(int64_t ms) const;
  // The engine to judge a change effective at `ms` with: the rule book's, or the one given.
  std::shared_ptr<const compliance::Engine> EngineAtLocked(int64_t ms) const;

  store::Store& store_;
  const Clock& clock_;
  const catalog::Catalog& catalog_;
  const compliance::Engine& engine_;

  mutable std::mutex mu_;
  inventory::LiveInventory live_;  // guarded by mu_
  ledger::TreeFrontier frontier_;  // guarded by mu_: the tree head and the next leaf's hashes
  std::string read_only_reason_;   // guarded by mu_
  std::optional<compliance::RuleBook> rule_book_;   // guarded by mu_
  std::map<std::string, int64_t> rule_entries_;     // guarded by mu_: id -> its entry's index
  std::vector<ShippedRulesEntry> shipped_;          // guarded by mu_
  mutable std::map<size_t, RuleVersion> versions_;  // guarded by mu_: by RuleBook version
  uint64_t generation_ = 0;                         // guarded by mu_
  findings::FindingsBook findings_;                 // guarded by mu_
  findings::Policy finding_policy_;                 // guarded by mu_
  int64_t moves_unchecked_ = 0;                     // guarded by mu_
  std::map<std::string, int64_t, std::less<>> transfers_;  // guarded by mu_: serial -> entry
  std::function<void()> on_append_;
};

}  // namespace gpufleet::service
