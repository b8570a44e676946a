#include "gpufleet/api/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace gpufleet::api {
namespace {

constexpr size_t kTokenBytes = 32;

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

bool IsToken68Char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

}  // namespace

std::string NewToken() {
  std::array<unsigned char, kTokenBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    std::fprintf(stderr, "gpufleet: OpenSSL RAND_bytes failed; refusing to issue a token\n");
    std::abort();
  }
  return std::string(kTokenPrefix) + Hex(bytes.data(), bytes.size());
}

std::string HashToken(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // EVP_Digest is the one-shot form of the EVP digest API; SHA256() is deprecated in 3.0.
  if (EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    std::fprintf(stderr, "gpufleet: OpenSSL EVP_Digest(SHA-256) failed\n");
    std::abort();
  }
  return Hex(digest.data(), size);
}

std::string Access::RoleList() const {
  std::string out;
  for (const Role role : store::kAllRoles) {
    if ((roles_ & Bit(role)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += store::RoleName(role);
  }
  return out;
}

std::optional<std::string_view> ParseBearer(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty()) return std::nullopt;
  for (const char c : rest) {
    if (!IsToken68Char(c)) return std::nullopt;
  }
  return rest;
}

}  // namespace gpufleet::api
