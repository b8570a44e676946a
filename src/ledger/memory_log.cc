#include "gpufleet/ledger/memory_log.h"

#include "gpufleet/ledger/merkle.h"

namespace gpufleet::ledger {

void MemoryLog::Append(std::string entry) {
  hashes_.Append(entry);
  entries_.push_back(std::move(entry));
}

Result<std::string> MemoryLog::SignedCheckpoint(uint64_t size) const {
  if (size > entries_.size()) {
    return Status::InvalidArgument("checkpoint of size " + std::to_string(size) +
                                   " asked of a log of " + std::to_string(entries_.size()) +
                                   " entries");
  }
  Result<Hash> root = TreeHash(size, hashes_);
  if (!root.ok()) return root.status();
  return SignCheckpoint(Checkpoint{origin(), size, *root, {}}, key_);
}

Status MemoryLog::ReadEntries(uint64_t begin, uint64_t end, const EntryVisitor& visit) {
  for (uint64_t i = begin; i < end; ++i) {
    if (i >= entries_.size()) {
      return Status::NotFound("entry " + std::to_string(i) + " is beyond the log's " +
                              std::to_string(entries_.size()) + " entries");
    }
    GPUFLEET_RETURN_IF_ERROR(visit(i, entries_[i]));
  }
  return Status::Ok();
}

}  // namespace gpufleet::ledger
