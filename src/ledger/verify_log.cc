#include "gpufleet/ledger/verify_log.h"

#include "gpufleet/ledger/hash.h"
#include "gpufleet/ledger/tree_frontier.h"

namespace gpufleet::ledger {
namespace {

std::string Sized(uint64_t size) { return "size " + std::to_string(size); }

// Each witness signed the checkpoint note.
Result<std::vector<std::string>> CheckWitnesses(std::string_view signed_note,
                                                std::span<const NoteVerifier> witnesses,
                                                uint64_t size) {
  std::vector<std::string> ids;
  for (const NoteVerifier& w : witnesses) {
    Result<Note> note = OpenNote(signed_note, std::span<const NoteVerifier>(&w, 1));
    if (!note.ok()) {
      return Status::Corruption("the checkpoint of " + Sized(size) +
                                " is not cosigned by witness " + w.Id() + ": " +
                                note.status().message());
    }
    ids.push_back(w.Id());
  }
  return ids;
}

// The saved checkpoint, verified, and checked against the latest before any entry is read.
Result<Checkpoint> OpenSaved(const std::string& saved_note, std::span<const NoteVerifier> log_keys,
                             const Checkpoint& latest) {
  Result<OpenedCheckpoint> saved = OpenCheckpoint(saved_note, log_keys);
  if (!saved.ok()) {
    return Status(Status::Corruption("saved checkpoint: " + saved.status().message()));
  }
  const Checkpoint& s = saved->checkpoint;
  if (s.origin != latest.origin) {
    return Status::Corruption("saved checkpoint is of log '" + s.origin + "', the export of '" +
                              latest.origin + "'");
  }
  if (s.size > latest.size) {
    return Status::Corruption("saved checkpoint has " + Sized(s.size) +
                              " but the log's checkpoint only " + Sized(latest.size) +
                              ": the log was truncated or rolled back since it was saved");
  }
  if (s.size == latest.size && s.root != latest.root) {
    return Status::Corruption("saved checkpoint and the log's checkpoint both have " +
                              Sized(s.size) + " but different heads (" + HexHash(s.root) +
                              " saved, " + HexHash(latest.root) +
                              " now): the log forked or was rewritten");
  }
  return s;
}

Status PrefixMismatch(const Checkpoint& saved, const Hash& recomputed) {
  return Status::Corruption(
      "the first " + std::to_string(saved.size) + " entries do not match the saved checkpoint of " +
      Sized(saved.size) + " (its head " + HexHash(saved.root) + ", recomputed " +
      HexHash(recomputed) + "): an entry before index " + std::to_string(saved.size) +
      " was altered, removed or reordered since it was saved");
}

}  // namespace

Result<LogVerification> VerifyLog(LogSource& source, std::span<const NoteVerifier> log_keys,
                                  const VerifyOptions& options) {
  Result<std::string> note = source.ReadCheckpoint();
  if (!note.ok()) return note.status();
  Result<OpenedCheckpoint> opened = OpenCheckpoint(*note, log_keys);
  if (!opened.ok()) {
    if (opened.status().code() != Status::Code::kCorruption) return opened.status();
    return Status::Corruption("checkpoint: " + opened.status().message());
  }
  LogVerification out;
  out.checkpoint = std::move(opened->checkpoint);
  const Checkpoint& latest = out.checkpoint;

  Result<std::vector<std::string>> witnessed =
      CheckWitnesses(*note, options.witnesses, latest.size);
  if (!witnessed.ok()) return witnessed.status();
  out.witnessed_by = std::move(*witnessed);

  if (options.saved_checkpoint) {
    Result<Checkpoint> saved = OpenSaved(*options.saved_checkpoint, log_keys, latest);
    if (!saved.ok()) return saved.status();
    out.saved = std::move(*saved);
    if (out.saved->size == 0 && out.saved->root != EmptyTreeHash()) {
      return PrefixMismatch(*out.saved, EmptyTreeHash());
    }
  }

  TreeFrontier tree;
  const Checkpoint* saved = out.saved ? &*out.saved : nullptr;
  GPUFLEET_RETURN_IF_ERROR(
      source.ReadEntries(0, latest.size, [&](uint64_t index, std::string_view entry) {
        if (index != tree.size()) {
          return Status::Corruption("the source gave entry " + std::to_string(index) +
                                    " where entry " + std::to_string(tree.size()) +
                                    " was expected");
        }
        tree.Append(LeafHash(entry));
        // Checked the moment the prefix is complete, so a mismatch is reported as soon as it
        // is known and names the saved size.
        if (saved != nullptr && tree.size() == saved->size) {
          const Hash prefix = tree.Root();
          if (prefix != saved->root) return PrefixMismatch(*saved, prefix);
        }
        return Status::Ok();
      }));
  if (tree.size() != latest.size) {
    return Status::Corruption("the source gave " + std::to_string(tree.size()) +
                              " entries for a checkpoint of " + Sized(latest.size));
  }
  const Hash root = tree.Root();
  if (root != latest.root) {
    return Status::Corruption(
        "the head recomputed from the " + std::to_string(latest.size) + " entries is " +
        HexHash(root) + " but the checkpoint of " + Sized(latest.size) + " signs " +
        HexHash(latest.root) + ": an entry was altered, inserted, removed or reordered" +
        (saved != nullptr ? " at or after index " + std::to_string(saved->size) : ""));
  }
  return out;
}

}  // namespace gpufleet::ledger
