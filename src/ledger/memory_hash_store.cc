#include "gpufleet/ledger/memory_hash_store.h"

#include <bit>
#include <string>

namespace gpufleet::ledger {

void MemoryHashStore::Append(std::string_view entry) { AppendLeafHash(LeafHash(entry)); }

void MemoryHashStore::AppendLeafHash(const Hash& leaf_hash) {
  // The same hashes StoredHashesForLeaf computes, read straight from the vector: appending ten
  // million leaves for a benchmark should not allocate a vector per leaf.
  const uint64_t index = size_;
  hashes_.push_back(leaf_hash);
  const int completed = std::countr_one(index);
  for (int level = 0; level < completed; ++level) {
    const Hash& left = hashes_[StoredHashIndex(level, (index >> level) - 1)];
    hashes_.push_back(NodeHash(left, hashes_.back()));
  }
  ++size_;
}

void MemoryHashStore::Reserve(uint64_t entries) { hashes_.reserve(StoredHashCount(entries)); }

Status MemoryHashStore::ReadHashes(std::span<const uint64_t> indexes, std::span<Hash> out) const {
  if (out.size() != indexes.size()) {
    return Status::InvalidArgument("ReadHashes: " + std::to_string(indexes.size()) +
                                   " indexes but room for " + std::to_string(out.size()));
  }
  for (size_t i = 0; i < indexes.size(); ++i) {
    if (indexes[i] >= hashes_.size()) {
      return Status::NotFound("stored hash " + std::to_string(indexes[i]) +
                              " is beyond the tree of " + std::to_string(size_) + " leaves");
    }
    out[i] = hashes_[indexes[i]];
  }
  return Status::Ok();
}

}  // namespace gpufleet::ledger
