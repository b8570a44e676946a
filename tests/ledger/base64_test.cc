// Base64 against RFC 4648 §10, and its strictness: one accepted spelling per byte string.

#include "gpufleet/ledger/base64.h"

#include <gtest/gtest.h>

#include <string>

#include "gpufleet/model/rng.h"

namespace gpufleet::ledger {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [bytes, text] : cases) {
    EXPECT_EQ(Base64Encode(bytes), text);
    EXPECT_EQ(Base64Decode(text), bytes) << text;
  }
}

TEST(Base64Test, BinaryBytesRoundTrip) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
}

TEST(Base64Test, RejectsNonCanonicalText) {
  for (const char* bad : {
           "Zg=",       // length not a multiple of four
           "Zh==",      // bits after the last byte are not zero
           "Zm9=",      // same, two-byte group
           "Z===",      // three padding characters
           "=Zg=",      // padding first
           "Zg==Zm9v",  // padding before the end
           "Zm9v\n",    // whitespace
           "Zm9-",      // the URL-safe alphabet
           "Zm9_",      //
           "Zm 9",      //
           "Zg=a",      // padding followed by data
       }) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

// Whatever text is accepted is exactly the encoding of what it decodes to, so a verifier that
// compares decoded bytes cannot be fooled by a second spelling.
TEST(Base64Test, AcceptedTextIsTheCanonicalEncoding) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  Rng rng(16);
  int accepted = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text(4 * (1 + rng.Uniform(3)), 'A');
    for (char& c : text) c = alphabet[rng.Uniform(alphabet.size())];
    // Bias towards well-formed endings so that both branches are exercised.
    if (rng.Uniform(2) == 0) text.back() = '=';
    const std::optional<std::string> bytes = Base64Decode(text);
    if (!bytes) continue;
    ++accepted;
    EXPECT_EQ(Base64Encode(*bytes), text) << "seed 16, trial " << trial;
  }
  EXPECT_GT(accepted, 1000) << "the property was exercised";
}

TEST(Base64Test, RandomBytesRoundTrip) {
  Rng rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes(rng.Uniform(70), '\0');
    for (char& c : bytes) c = static_cast<char>(rng.Uniform(256));
    const std::string text = Base64Encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    EXPECT_EQ(Base64Decode(text), bytes) << "seed 7, trial " << trial;
  }
}

}  // namespace
}  // namespace gpufleet::ledger
