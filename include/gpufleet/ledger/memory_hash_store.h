#pragma once
// An append-only Merkle tree held in memory: the stored hashes of merkle.h in one vector
// (64 bytes per entry). For tests, benchmarks and verifying an export; the service keeps the
// same hashes in its database instead.
// Thread safety: const methods may run concurrently with each other, not with Append.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gpufleet/ledger/hash.h"
#include "gpufleet/ledger/merkle.h"

namespace gpufleet::ledger {

class MemoryHashStore final : public HashReader {
 public:
  MemoryHashStore() = default;

  // Leaves appended so far.
  uint64_t size() const { return size_; }

  // Appends one entry (its leaf hash is LeafHash(entry)).
  void Append(std::string_view entry);
  // Appends a leaf whose hash is already known.
  void AppendLeafHash(const Hash& leaf_hash);
  // Makes room for `entries` leaves without reallocating.
  void Reserve(uint64_t entries);

  Status ReadHashes(std::span<const uint64_t> indexes, std::span<Hash> out) const override;

 private:
  std::vector<Hash> hashes_;  // hashes_[StoredHashIndex(level, k)]
  uint64_t size_ = 0;
};

}  // namespace gpufleet::ledger
