#pragma once
// The keys of signed notes (C2SP signed-note; golang.org/x/mod/sumdb/note implements the same):
// Ed25519 only, algorithm byte 0x01, each key named (the ledger names its key after the
// checkpoint's origin) and identified by a 4-byte key hash,
//   key hash = first 4 bytes, big-endian, of SHA-256(name || "\n" || 0x01 || public key).
// Text forms, exactly as Go's note.GenerateKey writes them:
//   verifier key  <name>+<8 hex key hash>+<base64(0x01 || 32-byte public key)>
//   signer key    PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 || 32-byte seed)>
// A signer key is a secret: whoever holds it can sign checkpoints. It lives in a file of mode
// 0600 outside the store (key_file.h), never in the database the log's entries live in.
// Ed25519 is OpenSSL 3's (EVP_PKEY_ED25519); nothing here is hand-written crypto.
// Thread safety: NoteVerifier and NoteSigner are immutable after Parse; const methods may run
// concurrently.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "gpufleet/status.h"

typedef struct evp_pkey_st EVP_PKEY;  // OpenSSL's, so this header needs no OpenSSL include

namespace gpufleet::ledger {

inline constexpr size_t kEd25519KeySize = 32;        // public key and seed
inline constexpr size_t kEd25519SignatureSize = 64;  //

// A key name: non-empty UTF-8 with no Unicode space and no '+' (Go's isValidName).
bool IsValidKeyName(std::string_view name);

// The key hash of an Ed25519 public key under `name`.
uint32_t NoteKeyHash(std::string_view name, std::span<const uint8_t, kEd25519KeySize> public_key);

// Checks signatures by one named public key.
class NoteVerifier {
 public:
  // Parses a verifier key. InvalidArgument, saying which part is wrong, for a malformed key,
  // another algorithm, or a key hash that does not match the name and key.
  static Result<NoteVerifier> Parse(std::string_view verifier_key);

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  // "<name>+<8 hex>", how messages name the key.
  std::string Id() const;
  // The verifier key text Parse accepts.
  std::string ToString() const;

  // Whether `signature` (the 64 bytes after the key hash) is this key's signature of `message`.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  friend class NoteSigner;
  NoteVerifier() = default;
  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, kEd25519KeySize> public_key_{};
};

// Signs with one named private key. Move-only: it holds the private key, which OpenSSL frees
// (and clears) with the signer.
class NoteSigner {
 public:
  // Parses a signer key. InvalidArgument for a malformed key (the message never quotes the
  // key) or a key hash that does not match the key's public half.
  static Result<NoteSigner> Parse(std::string_view signer_key);

  NoteSigner(NoteSigner&&) noexcept;
  NoteSigner& operator=(NoteSigner&&) noexcept;
  ~NoteSigner();

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  // The verifier for this signer's public key.
  const NoteVerifier& verifier() const { return verifier_; }

  // The 64-byte Ed25519 signature of `message`. Fails only if OpenSSL does (Aborted).
  Result<std::string> Sign(std::string_view message) const;

 private:
  NoteSigner();
  std::string name_;
  uint32_t key_hash_ = 0;
  NoteVerifier verifier_;
  struct PkeyDeleter {
    void operator()(EVP_PKEY* key) const;
  };
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
};

// A new key pair's two text forms. `signer_key` is the secret.
struct NoteKeyPair {
  std::string signer_key;
  std::string verifier_key;
};

// A new Ed25519 key named `name`, its seed from OpenSSL's CSPRNG. InvalidArgument for an
// invalid name.
Result<NoteKeyPair> GenerateNoteKey(std::string_view name);

// The key pair of a given seed: what Go's note.GenerateKey returns when its random source
// yields `seed`. For tests that compare with Go, and for deriving keys from a secret store.
Result<NoteKeyPair> NoteKeyFromSeed(std::string_view name,
                                    std::span<const uint8_t, kEd25519KeySize> seed);

}  // namespace gpufleet::ledger
