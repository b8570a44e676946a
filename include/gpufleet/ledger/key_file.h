#pragma once
// Key files. A signer key (note_key.h) is a secret and lives in a file of its own, mode 0600,
// outside the store: whoever can read the database must not thereby be able to sign
// checkpoints. Verifier keys are public and may be given inline or in a file, one per line.
// Thread safety: free functions; file operations are not atomic against concurrent writers.

#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/ledger/note_key.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

// Creates `path` with mode 0600 holding `signer_key` and a newline, and syncs it. Refuses to
// replace an existing file (AlreadyExists): overwriting a log's key loses the log.
Status WriteSignerKeyFile(const std::string& path, std::string_view signer_key);

// Reads a signer key file. PermissionDenied when the file is readable or writable by group
// or others (say chmod 600); IOError when it cannot be read; InvalidArgument for a malformed
// key (never quoted).
Result<NoteSigner> ReadSignerKeyFile(const std::string& path);

// Verifier keys, one per line; blank lines and lines starting with '#' are skipped.
// InvalidArgument naming the line for a malformed one, or when there is none.
Result<std::vector<NoteVerifier>> ParseVerifierKeys(std::string_view text);

// `key_or_path` itself when it is a verifier key, else the keys in the file it names.
Result<std::vector<NoteVerifier>> ReadVerifierKeys(const std::string& key_or_path);

}  // namespace gpufleet::ledger
