#pragma once
// Signed notes (C2SP signed-note, the format of golang.org/x/mod/sumdb/note): a text ending in
// "\n", a blank line, then one line per signature,
//   "— " <key name> " " base64(4-byte big-endian key hash || 64-byte Ed25519 signature) "\n"
// where "—" is U+2014 and the signature covers the text including its final newline. The whole
// note is UTF-8 without control characters other than newline. A note carries the log's
// signature and, once witnessed, the witnesses' cosignatures: each signer adds a line.
//
// Opening follows Go's note.Open: signatures by keys the caller does not know are kept as
// unverified and otherwise ignored; a signature by a known key that does not verify is an
// error (someone holding a name and key id we trust signed something else), and at least one
// known key must have signed. Duplicate lines by one key count once.
// Thread safety: free functions.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/ledger/note_key.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

// Go's limit: a note with more signature lines than this is malformed.
inline constexpr size_t kMaxNoteSignatures = 100;

struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  std::string base64;  // base64(key hash || signature), as on the line

  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

struct Note {
  std::string text;                       // ends with "\n"
  std::vector<NoteSignature> verified;    // by a known key, checked
  std::vector<NoteSignature> unverified;  // by keys the opener did not know, unchecked
};

// `text` signed by `signer`. InvalidArgument when the text does not end in a newline, is not
// UTF-8, holds a control character or a blank line would end it early.
Result<std::string> SignNote(std::string_view text, const NoteSigner& signer);

// `note` with `signer`'s signature added after its existing ones (verified, then unverified),
// replacing any existing signature by the same key: how a witness cosigns. Go's note.Sign.
Result<std::string> AddNoteSignature(const Note& note, const NoteSigner& signer);

// Parses `message` and checks its signatures against `verifiers`. Corruption, saying what is
// wrong, for a malformed note, an invalid signature by a known key, or no signature by any
// known key (the message lists who did sign). InvalidArgument when a signature's name and key
// hash match two verifiers.
Result<Note> OpenNote(std::string_view message, std::span<const NoteVerifier> verifiers);

}  // namespace gpufleet::ledger
