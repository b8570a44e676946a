#include "gpufleet/ledger/note_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>

#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/hash.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::ledger {
namespace {

constexpr uint8_t kAlgEd25519 = 0x01;  // the only algorithm signed notes define
constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// The code point at text[pos] and its length. REQUIRES: text is valid UTF-8.
char32_t DecodeAt(std::string_view text, size_t pos, size_t& length) {
  const auto b = [&](size_t i) {
    return static_cast<char32_t>(static_cast<uint8_t>(text[pos + i]));
  };
  const char32_t b0 = b(0);
  if (b0 < 0x80) {
    length = 1;
    return b0;
  }
  if (b0 < 0xE0) {
    length = 2;
    return (b0 & 0x1F) << 6 | (b(1) & 0x3F);
  }
  if (b0 < 0xF0) {
    length = 3;
    return (b0 & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
  }
  length = 4;
  return (b0 & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
}

// Unicode's White_Space property, which is what Go's unicode.IsSpace tests.
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// Splits `s` at the first '+': what precedes it, and `s` becomes what follows (Go's chop).
std::string_view Chop(std::string_view& s) {
  const size_t plus = s.find('+');
  const std::string_view before = s.substr(0, plus);
  s = plus == std::string_view::npos ? std::string_view() : s.substr(plus + 1);
  return before;
}

// Eight hex digits, either case (Go's strconv.ParseUint(s, 16, 32) with a length check).
bool ParseHash(std::string_view text, uint32_t& out) {
  if (text.size() != 8) return false;
  for (const char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return std::from_chars(text.data(), text.data() + text.size(), out, 16).ec == std::errc();
}

// "<name>+<hash>+<base64(0x01 || 32 bytes)>" split and checked; `key` gets the 32 bytes.
Status ParseKeyParts(std::string_view text, std::string& name, uint32_t& hash,
                     std::array<uint8_t, kEd25519KeySize>& key, const char* what) {
  const std::string_view name_part = Chop(text);
  const std::string_view hash_part = Chop(text);
  const std::string_view key_part = text;
  if (!IsValidKeyName(name_part)) {
    return Status::InvalidArgument(std::string(what) +
                                   ": the name is empty or has spaces, '+' or invalid UTF-8");
  }
  if (!ParseHash(hash_part, hash)) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(name_part) +
                                   "': the key hash is not 8 hex digits");
  }
  std::optional<std::string> raw = Base64Decode(key_part);
  if (!raw || raw->empty()) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(name_part) +
                                   "': the key is not base64");
  }
  if (static_cast<uint8_t>((*raw)[0]) != kAlgEd25519) {
    return Status::InvalidArgument(
        std::string(what) + " '" + std::string(name_part) + "': unknown algorithm " +
        std::to_string(static_cast<uint8_t>((*raw)[0])) + " (only 1, Ed25519, is defined)");
  }
  if (raw->size() != 1 + kEd25519KeySize) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(name_part) +
                                   "': an Ed25519 key is 32 bytes, this one " +
                                   std::to_string(raw->size() - 1));
  }
  std::copy(raw->begin() + 1, raw->end(), key.begin());
  OPENSSL_cleanse(raw->data(), raw->size());  // it may be a private seed
  name = std::string(name_part);
  return Status::Ok();
}

std::string EncodeKey(std::span<const uint8_t, kEd25519KeySize> key) {
  std::string raw(1, static_cast<char>(kAlgEd25519));
  raw.append(reinterpret_cast<const char*>(key.data()), key.size());
  std::string out = Base64Encode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

std::string VerifierKeyText(std::string_view name, uint32_t hash,
                            std::span<const uint8_t, kEd25519KeySize> public_key) {
  return std::string(name) + "+" + Hex8(hash) + "+" + EncodeKey(public_key);
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || ValidUtf8Prefix(name) != name.size()) return false;
  for (size_t pos = 0, length = 0; pos < name.size(); pos += length) {
    const char32_t c = DecodeAt(name, pos, length);
    if (c == U'+' || IsUnicodeSpace(c)) return false;
  }
  return true;
}

uint32_t NoteKeyHash(std::string_view name, std::span<const uint8_t, kEd25519KeySize> public_key) {
  std::string input(name);
  input += '\n';
  input += static_cast<char>(kAlgEd25519);
  input.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  const Hash h = Sha256(input);
  return static_cast<uint32_t>(h[0]) << 24 | static_cast<uint32_t>(h[1]) << 16 |
         static_cast<uint32_t>(h[2]) << 8 | static_cast<uint32_t>(h[3]);
}

Result<NoteVerifier> NoteVerifier::Parse(std::string_view verifier_key) {
  NoteVerifier v;
  GPUFLEET_RETURN_IF_ERROR(
      ParseKeyParts(verifier_key, v.name_, v.key_hash_, v.public_key_, "verifier key"));
  if (NoteKeyHash(v.name_, v.public_key_) != v.key_hash_) {
    return Status::InvalidArgument("verifier key '" + v.name_ + "': key hash " + Hex8(v.key_hash_) +
                                   " does not match the key (expected " +
                                   Hex8(NoteKeyHash(v.name_, v.public_key_)) + ")");
  }
  return v;
}

std::string NoteVerifier::Id() const { return name_ + "+" + Hex8(key_hash_); }

std::string NoteVerifier::ToString() const {
  return VerifierKeyText(name_, key_hash_, public_key_);
}

bool NoteVerifier::Verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureSize) return false;
  const std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, public_key_.data(), public_key_.size()));
  const MdCtx ctx(EVP_MD_CTX_new());
  if (key == nullptr || ctx == nullptr) return false;
  // Ed25519 is "pure": no separate digest, so the digest argument is null.
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

void NoteSigner::PkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

NoteSigner::NoteSigner() = default;
NoteSigner::NoteSigner(NoteSigner&&) noexcept = default;
NoteSigner& NoteSigner::operator=(NoteSigner&&) noexcept = default;
NoteSigner::~NoteSigner() = default;

Result<NoteSigner> NoteSigner::Parse(std::string_view signer_key) {
  if (!signer_key.starts_with(kPrivatePrefix)) {
    return Status::InvalidArgument("signer key: does not start with 'PRIVATE+KEY+'");
  }
  NoteSigner s;
  std::array<uint8_t, kEd25519KeySize> seed{};
  const Status parsed = ParseKeyParts(signer_key.substr(kPrivatePrefix.size()), s.name_,
                                      s.key_hash_, seed, "signer key");
  if (parsed.ok()) {
    s.key_.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  }
  OPENSSL_cleanse(seed.data(), seed.size());
  GPUFLEET_RETURN_IF_ERROR(parsed);
  if (s.key_ == nullptr) return Status::Aborted("signer key: OpenSSL refused the Ed25519 seed");
  size_t length = kEd25519KeySize;
  std::array<uint8_t, kEd25519KeySize> public_key{};
  if (EVP_PKEY_get_raw_public_key(s.key_.get(), public_key.data(), &length) != 1 ||
      length != kEd25519KeySize) {
    return Status::Aborted("signer key: OpenSSL could not derive the public key");
  }
  // The hash names the public key, which only the seed determines: check it, as Go does, so
  // that a signer never signs under a key id that verifiers would look up in vain.
  const uint32_t expected = NoteKeyHash(s.name_, public_key);
  if (expected != s.key_hash_) {
    return Status::InvalidArgument("signer key '" + s.name_ + "': key hash " + Hex8(s.key_hash_) +
                                   " does not match the key (expected " + Hex8(expected) + ")");
  }
  s.verifier_.name_ = s.name_;
  s.verifier_.key_hash_ = s.key_hash_;
  s.verifier_.public_key_ = public_key;
  return s;
}

Result<std::string> NoteSigner::Sign(std::string_view message) const {
  const MdCtx ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return Status::Aborted("Ed25519 signing: OpenSSL could not start");
  }
  std::string signature(kEd25519SignatureSize, '\0');
  size_t length = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kEd25519SignatureSize) {
    return Status::Aborted("Ed25519 signing: OpenSSL failed");
  }
  return signature;
}

Result<NoteKeyPair> NoteKeyFromSeed(std::string_view name,
                                    std::span<const uint8_t, kEd25519KeySize> seed) {
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument("key name '" + Excerpt(name) +
                                   "' is empty or has spaces, '+' or invalid UTF-8");
  }
  const std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  std::array<uint8_t, kEd25519KeySize> public_key{};
  size_t length = public_key.size();
  if (key == nullptr || EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) != 1) {
    return Status::Aborted("key generation: OpenSSL could not derive the Ed25519 public key");
  }
  const uint32_t hash = NoteKeyHash(name, public_key);
  NoteKeyPair pair;
  pair.signer_key =
      std::string(kPrivatePrefix) + std::string(name) + "+" + Hex8(hash) + "+" + EncodeKey(seed);
  pair.verifier_key = VerifierKeyText(name, hash, public_key);
  return pair;
}

Result<NoteKeyPair> GenerateNoteKey(std::string_view name) {
  std::array<uint8_t, kEd25519KeySize> seed{};
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
    return Status::Aborted("key generation: OpenSSL's random generator failed");
  }
  Result<NoteKeyPair> pair = NoteKeyFromSeed(name, seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return pair;
}

}  // namespace gpufleet::ledger
