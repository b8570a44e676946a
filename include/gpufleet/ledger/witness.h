#pragma once
// A witness (docs/ledger.md, "Witness"): an independent party that cosigns a log's checkpoints
// only after checking that each one extends the last it cosigned. Verifiers who require its
// cosignature can then not be shown a forked log (one history to them, another to others)
// unless the witness's key is compromised as well as the log's.
//
// State: the last checkpoint the witness cosigned, kept as that cosigned note in one file.
// Cosign, under an exclusive lock on "<state>.lock" so that two runs never both extend the
// same old state:
//   1. the new checkpoint's signature by the log's key, its origin the key's name;
//   2. its size not below the state's (a smaller one is a rollback: refused), the same head
//      when the size is equal (else a fork: refused);
//   3. a consistency proof from the state's size to the new size that verifies between the
//      two heads (else the log rewrote history: refused);
//   4. only then the cosignature, and the new state written to a temporary file, synced and
//      renamed over the old, so a crash leaves the old state or the new, never neither.
// The first checkpoint is accepted on its signature alone (trust on first use); the witness
// vouches for consistency from there on.
// Thread safety: one Witness per thread; processes are serialised by the lock.

#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/ledger/checkpoint.h"
#include "gpufleet/ledger/note_key.h"
#include "gpufleet/ledger/wire.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

class Witness {
 public:
  Witness(std::string state_path, NoteSigner key, NoteVerifier log_key)
      : state_path_(std::move(state_path)), key_(std::move(key)), log_key_(std::move(log_key)) {}

  // The last checkpoint cosigned, or nullopt before the first. Corruption when the state file
  // exists but does not hold a checkpoint signed by the log key (it is never reset silently).
  Result<std::optional<Checkpoint>> Last() const;

  // Steps 1-4 above; returns the cosigned note (the log's note plus this witness's line).
  // `proof` is needed when a state exists and the size grows; its sizes must be the state's
  // and the new checkpoint's. Refusals: Corruption for a bad signature, a fork or an
  // inconsistent proof; FailedPrecondition for a smaller size or a missing proof;
  // InvalidArgument for a proof between other sizes; IOError when the state cannot be written.
  Result<std::string> Cosign(std::string_view signed_checkpoint,
                             const std::optional<ConsistencyProofMessage>& proof);

 private:
  Result<std::optional<OpenedCheckpoint>> ReadState() const;
  Status WriteState(const std::string& cosigned) const;

  std::string state_path_;
  NoteSigner key_;
  NoteVerifier log_key_;
};

}  // namespace gpufleet::ledger
