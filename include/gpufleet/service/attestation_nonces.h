#pragma once
// Nonces for devices' attestation reports (docs/agent.md, "Attestation"): the service hands a
// node's agent a fresh random nonce (POST /v1/nodes/{id}/nonce), the agent asks each device
// for a confidential-computing attestation report over it, and a report carrying evidence
// is accepted only if its nonce was issued to that node within kNonceTtlMs. A report cannot
// then be replayed from another node, or from long ago. The evidence itself is kept opaque:
// checking it needs the vendor's certificate chain.
//
// Thread safety: every method may be called concurrently (one mutex).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gpufleet/status.h"

namespace gpufleet::service {

inline constexpr int64_t kNonceTtlMs = 10 * 60 * 1000;
// Nonces kept per node: an agent that asked twice (a retry) may report over either.
inline constexpr size_t kNoncesPerNode = 4;
// Nodes with outstanding nonces, as ObservedNodes bounds the nodes it keeps.
inline constexpr size_t kMaxNonceNodes = 250'000;

class AttestationNonces {
 public:
  // A fresh 32-byte nonce for `node`, lowercase hex. ResourceExhausted past kMaxNonceNodes
  // nodes; Internal when the system's random source fails.
  Result<std::string> Issue(const std::string& node, int64_t now_ms);
  // Whether `nonce_hex` was issued to `node` no more than kNonceTtlMs before `now_ms`.
  bool Issued(const std::string& node, const std::string& nonce_hex, int64_t now_ms) const;

 private:
  struct Issued_ {
    std::string nonce_hex;
    int64_t issued_ms = 0;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<Issued_>> nodes_;  // guarded by mu_
};

}  // namespace gpufleet::service
