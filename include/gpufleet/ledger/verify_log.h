#pragma once
// Verifying a whole log from scratch, as an auditor does with an export (docs/ledger.md,
// "Verification"): the latest checkpoint's signature by the log's key, every entry's leaf hash
// and the tree head they make, which must be the checkpoint's; optionally that the log still
// extends a checkpoint the auditor saved earlier (same origin, its signature, its size not
// above the new one, and the head of that many entries equal to its head: nothing before it
// was altered, removed or reordered), and that named witnesses cosigned the checkpoint.
//
// Entries stream through a TreeFrontier: memory is O(log n) whatever the log's size, and
// 10^6 entries verify in about a second on one core (docs/benchmarks.md).
// Thread safety: reads `source`; one call per source at a time.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gpufleet/ledger/checkpoint.h"
#include "gpufleet/ledger/log_source.h"
#include "gpufleet/ledger/note_key.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

struct VerifyOptions {
  // A signed checkpoint of the same log kept from an earlier verification; the log must
  // extend it.
  std::optional<std::string> saved_checkpoint;
  // Witnesses that must each have cosigned the latest checkpoint.
  std::vector<NoteVerifier> witnesses;
};

struct LogVerification {
  Checkpoint checkpoint;                  // the latest checkpoint, verified
  std::optional<Checkpoint> saved;        // the saved one, shown to be a prefix
  std::vector<std::string> witnessed_by;  // the witnesses' key ids, in the order given
};

// OK with what was verified; Corruption whose message says what differs (which index or line,
// which size, which head) when the log does not verify; the source's IOError or NotFound
// when it cannot be read; InvalidArgument for an unusable key list.
Result<LogVerification> VerifyLog(LogSource& source, std::span<const NoteVerifier> log_keys,
                                  const VerifyOptions& options = {});

}  // namespace gpufleet::ledger
