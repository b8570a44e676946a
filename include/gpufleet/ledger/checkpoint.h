#pragma once
// Checkpoints (C2SP tlog-checkpoint): the signed statement "the log named <origin> has
// <size> entries and this tree head". The body is the text of a signed note (note.h):
//   <origin>\n            the log's name, also the name of the key that signs it
//   <size>\n              decimal, no leading zeros ("0" for the empty log)
//   <base64 root hash>\n  the RFC 6962 tree head of the first <size> entries, 32 bytes
//   <extension line>\n    zero or more, each non-empty (the ledger writes none)
// Parsing is strict, so that one checkpoint has one spelling: the text ParseCheckpoint accepts
// is exactly FormatCheckpoint of what it returns.
// Thread safety: free functions.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/ledger/hash.h"
#include "gpufleet/ledger/note.h"
#include "gpufleet/ledger/note_key.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

// Go's tlog holds sizes as int64; a larger size could not be checked by its verifiers.
inline constexpr uint64_t kMaxCheckpointSize = (uint64_t{1} << 63) - 1;

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // each without its newline

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// OK when `c` can be written: a valid key name as origin (IsValidKeyName), size at most
// kMaxCheckpointSize, extension lines non-empty UTF-8 without control characters.
// InvalidArgument naming the field otherwise.
Status ValidateCheckpoint(const Checkpoint& c);

// The body text. REQUIRES: ValidateCheckpoint(c).ok().
std::string FormatCheckpoint(const Checkpoint& c);

// The body text parsed. Corruption naming the line and what is wrong with it.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// A checkpoint as the log publishes it: the body signed by the log's key, whose name must be
// the origin. InvalidArgument for an invalid checkpoint or another key name.
Result<std::string> SignCheckpoint(const Checkpoint& c, const NoteSigner& log_key);

// A signed checkpoint opened and parsed, and the note it came in (for cosigning). A signature
// by one of `log_keys` named after the origin must verify; signatures by keys not given
// (witnesses') are left unverified. Corruption, saying what, otherwise; InvalidArgument for
// an ambiguous key list.
struct OpenedCheckpoint {
  Checkpoint checkpoint;
  Note note;
};
Result<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note,
                                        std::span<const NoteVerifier> log_keys);
Result<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note, const NoteVerifier& log_key);

// The checkpoint inside a signed note, parsed but NOT verified: for sizing a buffer or a
// file's layout before the real check, never for trusting what it says.
Result<Checkpoint> UnverifiedCheckpoint(std::string_view signed_note);

}  // namespace gpufleet::ledger
