#pragma once
// A whole log in memory: entries, their stored hashes and the log's signing key, with
// checkpoints and proofs of any size on demand. For tests, benchmarks and fixture generators;
// the service keeps its log in the store. Implements LogSource (latest checkpoint = all
// entries so far).
// Thread safety: none; one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/ledger/checkpoint.h"
#include "gpufleet/ledger/log_source.h"
#include "gpufleet/ledger/memory_hash_store.h"
#include "gpufleet/ledger/note_key.h"

namespace gpufleet::ledger {

class MemoryLog final : public LogSource {
 public:
  // The log is named after its key (the checkpoints' origin).
  explicit MemoryLog(NoteSigner key) : key_(std::move(key)) {}

  const std::string& origin() const { return key_.name(); }
  const NoteVerifier& verifier() const { return key_.verifier(); }
  uint64_t size() const { return entries_.size(); }
  const std::vector<std::string>& entries() const { return entries_; }
  const MemoryHashStore& hashes() const { return hashes_; }

  void Append(std::string entry);

  // The signed checkpoint of the first `size` entries. REQUIRES: size <= this->size().
  Result<std::string> SignedCheckpoint(uint64_t size) const;

  Result<std::string> ReadCheckpoint() override { return SignedCheckpoint(size()); }
  Status ReadEntries(uint64_t begin, uint64_t end, const EntryVisitor& visit) override;

 private:
  NoteSigner key_;
  std::vector<std::string> entries_;
  MemoryHashStore hashes_;
};

}  // namespace gpufleet::ledger
