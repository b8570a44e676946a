#pragma once
// The JSON the ledger's HTTP endpoints return and its clients read, in one place so that the
// service, the CLI and the verifiers agree on it (docs/ledger.md, "Wire format"):
//   entries            {"entries":[{"index":N,"data":"<base64 of the entry bytes>"},...]}
//   inclusion proof    {"index":N,"tree_size":N,"hashes":["<base64>",...]}
//   consistency proof  {"old_size":N,"new_size":N,"hashes":["<base64>",...]}
// The checkpoint is served as the signed note itself (kCheckpointContentType), not as JSON:
// its bytes are what the signatures cover. Entries are opaque bytes to the ledger (the
// service stores canonical inventory-change JSON there), hence base64.
// Decoding is strict: unknown or missing keys, wrong types, sizes above kMaxCheckpointSize,
// hashes that are not base64 of 32 bytes, an index not below the tree size, an old size above
// the new, or non-consecutive entry indexes are InvalidArgument naming the key.
// Thread safety: free functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/ledger/hash.h"
#include "gpufleet/status.h"

namespace gpufleet::ledger {

inline constexpr std::string_view kCheckpointContentType = "text/plain; charset=utf-8";

// More hashes than any proof in a tree of at most 2^63 - 1 leaves can have.
inline constexpr size_t kMaxProofHashes = 64;

struct LogEntry {
  uint64_t index = 0;
  std::string data;  // the entry's bytes

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

struct InclusionProofMessage {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  std::vector<Hash> hashes;  // RFC 6962 PATH order, the leaf's neighbour first

  friend bool operator==(const InclusionProofMessage&, const InclusionProofMessage&) = default;
};

struct ConsistencyProofMessage {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<Hash> hashes;  // RFC 6962 PROOF order

  friend bool operator==(const ConsistencyProofMessage&, const ConsistencyProofMessage&) = default;
};

// Compact JSON (no whitespace), keys in the order shown above.
std::string EncodeEntries(const std::vector<LogEntry>& entries);
std::string EncodeInclusionProof(const InclusionProofMessage& proof);
std::string EncodeConsistencyProof(const ConsistencyProofMessage& proof);

Result<std::vector<LogEntry>> DecodeEntries(std::string_view json);
Result<InclusionProofMessage> DecodeInclusionProof(std::string_view json);
Result<ConsistencyProofMessage> DecodeConsistencyProof(std::string_view json);

}  // namespace gpufleet::ledger
