#include "gpufleet/service/attestation_nonces.h"

#include <openssl/rand.h>

#include "gpufleet/ledger/hash.h"

namespace gpufleet::service {

Result<std::string> AttestationNonces::Issue(const std::string& node, int64_t now_ms) {
  // 32 bytes, written as the ledger writes its hashes: 64 lowercase hex digits.
  ledger::Hash bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::FailedPrecondition("the system's random source failed; no nonce issued");
  }
  std::string hex = ledger::HexHash(bytes);
  const std::lock_guard lock(mu_);
  auto it = nodes_.find(node);
  if (it == nodes_.end()) {
    if (nodes_.size() >= kMaxNonceNodes) {
      // Expired nonces go first; only if none did is the caller refused.
      std::erase_if(nodes_, [&](const auto& entry) {
        return now_ms - entry.second.back().issued_ms > kNonceTtlMs;
      });
      if (nodes_.size() >= kMaxNonceNodes) {
        return Status::ResourceExhausted("nonces outstanding for " +
                                         std::to_string(kMaxNonceNodes) + " nodes already");
      }
    }
    it = nodes_.emplace(node, std::deque<Issued_>()).first;
  }
  it->second.push_back({hex, now_ms});
  if (it->second.size() > kNoncesPerNode) it->second.pop_front();
  return hex;
}

bool AttestationNonces::Issued(const std::string& node, const std::string& nonce_hex,
                               int64_t now_ms) const {
  const std::lock_guard lock(mu_);
  const auto it = nodes_.find(node);
  if (it == nodes_.end()) return false;
  for (const Issued_& i : it->second) {
    if (i.nonce_hex == nonce_hex && now_ms - i.issued_ms <= kNonceTtlMs && now_ms >= i.issued_ms) {
      return true;
    }
  }
  return false;
}

}  // namespace gpufleet::service
