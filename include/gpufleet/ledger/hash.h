#pragma once
// The hashes of the ledger's Merkle tree (RFC 6962 §2.1, RFC 9162 §2.1): SHA-256 with a one-byte
// domain separator, 0x00 before a leaf's entry bytes and 0x01 before two child hashes, so that a
// leaf can never be passed off as an interior node (the second-preimage attack on plain Merkle
// trees). SHA-256 comes from OpenSSL 3's EVP interface; nothing here is hand-written crypto.
// Thread safety: free functions, safe to call concurrently (each thread keeps its own context).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gpufleet::ledger {

inline constexpr size_t kHashSize = 32;  // SHA-256

// A SHA-256 value: a leaf hash, a node hash or a tree head.
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256 of `data`.
Hash Sha256(std::span<const uint8_t> data);
Hash Sha256(std::string_view data);

// SHA-256(0x00 || entry): the hash of one log entry.
Hash LeafHash(std::string_view entry);

// SHA-256(0x01 || left || right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);

// The root of the empty tree: SHA-256 of no bytes (RFC 6962 §2.1, MTH({})).
Hash EmptyTreeHash();

// Lower-case hexadecimal, for messages.
std::string HexHash(const Hash& hash);

}  // namespace gpufleet::ledger
