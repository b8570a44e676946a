// Signed-note keys against Go's published example keys (golang.org/x/mod/sumdb/note's
// documentation and tests) and the parsing rules of Go's NewVerifier and NewSigner.

#include "gpufleet/ledger/note_key.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "gpufleet/ledger/base64.h"

namespace gpufleet::ledger {
namespace {

constexpr char kPeterSigner[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterVerifier[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

TEST(NoteKeyTest, ParsesGoExampleKeys) {
  Result<NoteVerifier> v = NoteVerifier::Parse(kPeterVerifier);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->name(), "PeterNeumann");
  EXPECT_EQ(v->key_hash(), 0xc74f20a3u);
  EXPECT_EQ(v->Id(), "PeterNeumann+c74f20a3");
  EXPECT_EQ(v->ToString(), kPeterVerifier);

  Result<NoteSigner> s = NoteSigner::Parse(kPeterSigner);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name(), "PeterNeumann");
  EXPECT_EQ(s->key_hash(), 0xc74f20a3u);
  // The public half derived from the seed is the published verifier key.
  EXPECT_EQ(s->verifier().ToString(), kPeterVerifier);
}

TEST(NoteKeyTest, KeyFromSeedWritesGoTextForms) {
  // The seed inside Go's example signer key.
  const std::optional<std::string> raw =
      Base64Decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  ASSERT_TRUE(raw.has_value());
  std::array<uint8_t, kEd25519KeySize> seed{};
  std::copy(raw->begin() + 1, raw->end(), seed.begin());
  Result<NoteKeyPair> pair = NoteKeyFromSeed("PeterNeumann", seed);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->signer_key, kPeterSigner);
  EXPECT_EQ(pair->verifier_key, kPeterVerifier);
}

TEST(NoteKeyTest, GeneratedKeysParseAndDiffer) {
  Result<NoteKeyPair> a = GenerateNoteKey("fleet.example/ledger");
  Result<NoteKeyPair> b = GenerateNoteKey("fleet.example/ledger");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->signer_key, b->signer_key);
  Result<NoteSigner> s = NoteSigner::Parse(a->signer_key);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->verifier().ToString(), a->verifier_key);
  EXPECT_TRUE(a->signer_key.starts_with("PRIVATE+KEY+fleet.example/ledger+"));
}

TEST(NoteKeyTest, SignatureVerifiesOnlyForItsMessageAndKey) {
  Result<NoteSigner> s = NoteSigner::Parse(kPeterSigner);
  ASSERT_TRUE(s.ok());
  Result<std::string> sig = s->Sign("hello\n");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), kEd25519SignatureSize);
  EXPECT_TRUE(s->verifier().Verify("hello\n", *sig));
  EXPECT_FALSE(s->verifier().Verify("hello!\n", *sig));
  std::string flipped = *sig;
  flipped[10] ^= 1;
  EXPECT_FALSE(s->verifier().Verify("hello\n", flipped));
  EXPECT_FALSE(s->verifier().Verify("hello\n", sig->substr(0, 63)));
  Result<NoteKeyPair> other = GenerateNoteKey("PeterNeumann");
  ASSERT_TRUE(other.ok());
  Result<NoteVerifier> ov = NoteVerifier::Parse(other->verifier_key);
  ASSERT_TRUE(ov.ok());
  EXPECT_FALSE(ov->Verify("hello\n", *sig));
}

TEST(NoteKeyTest, RejectsMalformedVerifierKeys) {
  for (const char* bad : {
           "", "PeterNeumann", "PeterNeumann+c74f20a3",
           "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // hash
           "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",    // 7 digits
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",    // base64
           "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",    // algorithm
           "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // space
           "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",               // no name
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy",       // 29 bytes
       }) {
    EXPECT_FALSE(NoteVerifier::Parse(bad).ok()) << bad;
  }
}

TEST(NoteKeyTest, RejectsMalformedSignerKeysWithoutQuotingThem) {
  const std::string good = kPeterSigner;
  for (const std::string& bad : {
           good.substr(8),                                              // no PRIVATE+KEY
           "PRIVATE+KEY+PeterNeumann+c74f20a4+" + good.substr(34),      // hash of another key
           "PRIVATE+KEY+PeterNeumann+c74f20a3+" + good.substr(34, 40),  // short seed
           "PRIVATE+KEY+Peter+Neumann+c74f20a3+" + good.substr(34),     // '+' in the name
       }) {
    Result<NoteSigner> s = NoteSigner::Parse(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().message().find(good.substr(34)), std::string::npos)
        << "the secret is not echoed: " << s.status().message();
  }
}

TEST(NoteKeyTest, KeyNamesFollowGoRules) {
  EXPECT_TRUE(IsValidKeyName("fleet.example/ledger"));
  EXPECT_TRUE(IsValidKeyName("\xC3\xA9t\xC3\xA9"));  // "été"
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a\tb"));
  EXPECT_FALSE(
      IsValidKeyName("a\xC2\xA0"
                     "b"));  // U+00A0 no-break space
  EXPECT_FALSE(
      IsValidKeyName("a\xE2\x80\x83"
                     "b"));  // U+2003 em space
  EXPECT_FALSE(
      IsValidKeyName("a\xE3\x80\x80"
                     "b"));  // U+3000 ideographic space
  EXPECT_FALSE(
      IsValidKeyName("a\xFF"
                     "b"));  // not UTF-8
  EXPECT_FALSE(GenerateNoteKey("bad name").ok());
}

}  // namespace
}  // namespace gpufleet::ledger
