#include "gpufleet/ledger/hash.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace gpufleet::ledger {
namespace {

struct MdDeleter {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

[[noreturn]] void DigestFailed(const char* what) {
  // SHA-256 over memory fails only when OpenSSL itself is broken (no provider, no memory):
  // a hash that silently came out wrong would sign a wrong tree, so stop instead.
  std::fprintf(stderr, "gpufleet: OpenSSL %s (SHA-256) failed\n", what);
  std::abort();
}

// The SHA-256 implementation, fetched once: EVP_sha256() would fetch it from the provider on
// every EVP_DigestInit_ex, which costs more than hashing a 65-byte node.
const EVP_MD* Sha256Md() {
  static const std::unique_ptr<EVP_MD, MdDeleter> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  if (md == nullptr) DigestFailed("EVP_MD_fetch");
  return md.get();
}

// One context per thread, reused: a log of n entries takes about 2n hashes to verify, and
// allocating a context for each would dominate.
EVP_MD_CTX* ThreadContext() {
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) DigestFailed("EVP_MD_CTX_new");
  return ctx.get();
}

// SHA-256 over the concatenation of `parts`.
Hash Digest(std::initializer_list<std::span<const uint8_t>> parts) {
  EVP_MD_CTX* ctx = ThreadContext();
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1) DigestFailed("EVP_DigestInit_ex2");
  for (const std::span<const uint8_t> part : parts) {
    if (EVP_DigestUpdate(ctx, part.data(), part.size()) != 1) DigestFailed("EVP_DigestUpdate");
  }
  Hash out{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &size) != 1 || size != kHashSize) {
    DigestFailed("EVP_DigestFinal_ex");
  }
  return out;
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// RFC 6962 §2.1's domain separators.
constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

}  // namespace

Hash Sha256(std::span<const uint8_t> data) { return Digest({data}); }

Hash Sha256(std::string_view data) { return Digest({Bytes(data)}); }

Hash LeafHash(std::string_view entry) {
  const uint8_t prefix = kLeafPrefix;
  return Digest({{&prefix, 1}, Bytes(entry)});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  const uint8_t prefix = kNodePrefix;
  return Digest({{&prefix, 1}, left, right});
}

Hash EmptyTreeHash() { return Digest({}); }

std::string HexHash(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(hash.size() * 2, '0');
  for (size_t i = 0; i < hash.size(); ++i) {
    out[2 * i] = kDigits[hash[i] >> 4];
    out[2 * i + 1] = kDigits[hash[i] & 0xf];
  }
  return out;
}

}  // namespace gpufleet::ledger
