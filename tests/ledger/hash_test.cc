// The ledger's hashes against published values: SHA-256 (FIPS 180-2 examples) and the
// RFC 6962 leaf and node hashes (Certificate Transparency's reference vectors, also what Go's
// golang.org/x/mod/sumdb/tlog computes).

#include "gpufleet/ledger/hash.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/naive_merkle.h"

namespace gpufleet::ledger {
namespace {

using testing::HashFromHex;

TEST(HashTest, Sha256MatchesPublishedValues) {
  EXPECT_EQ(HexHash(Sha256(std::string_view())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexHash(Sha256(std::string_view("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      HexHash(Sha256(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashTest, EmptyTreeIsSha256OfNothing) {
  EXPECT_EQ(HexHash(EmptyTreeHash()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, LeafAndNodeHashesMatchRfc6962Vectors) {
  // MTH of the one-entry tree {""} and of {"", "\x00"}.
  const Hash empty_leaf = LeafHash("");
  EXPECT_EQ(empty_leaf,
            HashFromHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
  EXPECT_EQ(NodeHash(empty_leaf, LeafHash(std::string(1, '\0'))),
            HashFromHex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"));
}

TEST(HashTest, DomainSeparationKeepsLeavesAndNodesApart) {
  // A leaf whose bytes are two hashes must not hash like the node over them.
  const Hash a = LeafHash("a");
  const Hash b = LeafHash("b");
  std::string both(a.begin(), a.end());
  both.append(b.begin(), b.end());
  EXPECT_NE(LeafHash(both), NodeHash(a, b));
  EXPECT_NE(LeafHash(both), Sha256(both));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
}

TEST(HashTest, StringAndByteOverloadsAgree) {
  const std::string text = "gpufleet";
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  EXPECT_EQ(Sha256(bytes), Sha256(std::string_view(text)));
}

TEST(HashTest, HexIsLowerCaseAndFullLength) {
  Hash h{};
  h[0] = 0xAB;
  h[31] = 0x0F;
  const std::string hex = HexHash(h);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.substr(0, 2), "ab");
  EXPECT_EQ(hex.substr(62), "0f");
}

}  // namespace
}  // namespace gpufleet::ledger
