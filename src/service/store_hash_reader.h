#pragma once
// The ledger's Merkle hashes as the store keeps them: each inventory entry row holds the hashes
// its leaf stores (ledger/merkle.h: the leaf hash, then one per subtree it completes), so a
// stored-hash index names a row and a position in it. A tree head or a proof is one
// ReadInventoryAt round trip. Private to the service.

#include <cstdint>
#include <span>
#include <utility>

#include "gpufleet/ledger/merkle.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

// The leaf whose row holds stored hash `index`, and the position among that row's hashes.
std::pair<uint64_t, int> LeafOfStoredHash(uint64_t index);

class StoreHashReader final : public ledger::HashReader {
 public:
  // REQUIRES: `store` outlives the reader.
  explicit StoreHashReader(store::Store& store) : store_(store) {}
  // NotFound for a hash beyond the log; Corruption for a row whose hashes are malformed.
  Status ReadHashes(std::span<const uint64_t> indexes, std::span<ledger::Hash> out) const override;

 private:
  store::Store& store_;
};

}  // namespace gpufleet::service
