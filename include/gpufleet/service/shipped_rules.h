#pragma once
// gpufleetd's start check of the shipped rule file (docs/compliance.md, "The shipped rules at
// start"). The rule file a daemon starts with (--rules, or the shipped history; before any
// overlay) is compared with the last one the store's ledger recorded: a new file is recorded as
// a rules_shipped entry (old hash, new hash, compiled stamp, binary version), and an older one
// refuses the start unless the operator accepts the downgrade. Hashes have no order, so files
// are ordered by their `compiled:` stamp (RuleSet::compiled), and where a stamp is missing or
// the stamps are equal, by the ledger's history: a hash recorded before and superseded since is
// older.
//
// Thread safety: free functions over values; CheckShippedRules as InventoryService.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/inventory/change.h"
#include "gpufleet/model/date.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/status.h"

namespace gpufleet::service {

// The rule file a daemon starts with, as the check sees it.
struct ShippedRuleFile {
  std::string name;              // its path, for messages
  std::string hash;              // SHA-256 of its text, lower-case hex
  std::optional<Date> compiled;  // its `compiled:` stamp
  // SHA-256 of the document with the operator's overlays merged; "" without overlays.
  std::string layered_hash;
};
// `layered_text`: the document the overlays make of `text`; "" when none is given.
ShippedRuleFile DescribeShippedRules(std::string name, std::string_view text,
                                     std::optional<Date> compiled,
                                     std::string_view layered_text = {});

enum class ShippedRulesVerdict : uint8_t {
  kUnchanged,  // the file and overlays the ledger last recorded: nothing to record
  kNewer,      // the first the ledger sees, newer than the last, or the same file with other
               // overlays (the operator's own, never a downgrade): recorded
  kOlder,      // older than the last recorded: a downgrade, refused unless accepted
};

struct ShippedRulesDecision {
  ShippedRulesVerdict verdict = ShippedRulesVerdict::kUnchanged;
  // What to record for kNewer and kOlder (downgrade set for kOlder).
  inventory::RulesShippedRecord record;
  // kOlder: both files by hash and stamp, and why the file counts as older.
  std::string why;
};

// Compares `file` with the last entry of `history` (the ledger's rules_shipped entries, in
// order); see the header comment.
ShippedRulesDecision DecideShippedRules(const std::vector<ShippedRulesEntry>& history,
                                        const ShippedRuleFile& file,
                                        std::string_view binary_version);

struct ShippedRulesOutcome {
  ShippedRulesDecision decision;
  int64_t index = -1;        // the entry recorded; -1 when none
  std::string not_recorded;  // why a new file was not recorded ("" when it was or none was due)
};

// Decides, and records the entry the decision calls for. An older file is FailedPrecondition
// (naming both files and --accept-rule-downgrade) unless `accept_downgrade`, when it is
// recorded with downgrade set. While the inventory is read-only nothing is recorded
// (not_recorded says so) and the start goes on: the operator must be able to start the service
// to see what is wrong. The store's error when the write fails.
Result<ShippedRulesOutcome> CheckShippedRules(InventoryService& inventory,
                                              const ShippedRuleFile& file,
                                              std::string_view binary_version,
                                              bool accept_downgrade);

}  // namespace gpufleet::service
