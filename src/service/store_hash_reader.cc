#include "service/store_hash_reader.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace gpufleet::service {
namespace {

// 2j - popcount(j): where leaf j's hashes start (StoredHashIndex(0, j)).
uint64_t FirstOf(uint64_t leaf) { return ledger::StoredHashIndex(0, leaf); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::pair<uint64_t, int> LeafOfStoredHash(uint64_t index) {
  // FirstOf is increasing in the leaf, and leaf j starts at or before 2j: the leaf is the last
  // one starting at or before `index`, at least index / 2.
  uint64_t lo = index / 2;
  uint64_t hi = index;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    if (FirstOf(mid) <= index) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return {lo, static_cast<int>(index - FirstOf(lo))};
}

Status StoreHashReader::ReadHashes(std::span<const uint64_t> indexes,
                                   std::span<ledger::Hash> out) const {
  std::vector<int64_t> leaves;
  for (const uint64_t i : indexes)
    leaves.push_back(static_cast<int64_t>(LeafOfStoredHash(i).first));
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  Result<std::vector<store::InventoryEntry>> rows = store_.ReadInventoryAt(leaves);
  if (!rows.ok()) return rows.status();
  std::map<int64_t, const std::string*> hex;
  for (const store::InventoryEntry& e : *rows) hex.emplace(e.index, &e.hashes);
  for (size_t k = 0; k < indexes.size(); ++k) {
    const auto [leaf, position] = LeafOfStoredHash(indexes[k]);
    const auto it = hex.find(static_cast<int64_t>(leaf));
    if (it == hex.end()) {
      return Status::NotFound("ledger: no entry " + std::to_string(leaf) + " (beyond the log)");
    }
    const std::string& text = *it->second;
    const size_t at = static_cast<size_t>(position) * 2 * ledger::kHashSize;
    if (text.size() < at + 2 * ledger::kHashSize) {
      return Status::NotFound("ledger: entry " + std::to_string(leaf) + " stores no hash " +
                              std::to_string(position) + " (its subtree is not complete)");
    }
    for (size_t b = 0; b < ledger::kHashSize; ++b) {
      const int hi = HexDigit(text[at + 2 * b]);
      const int lo = HexDigit(text[at + 2 * b + 1]);
      if (hi < 0 || lo < 0) {
        return Status::Corruption("ledger: entry " + std::to_string(leaf) +
                                  " stores a malformed hash");
      }
      out[k][b] = static_cast<uint8_t>(hi * 16 + lo);
    }
  }
  return Status::Ok();
}

}  // namespace gpufleet::service
