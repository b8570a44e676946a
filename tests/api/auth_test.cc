#include "gpufleet/api/auth.h"

#include <gtest/gtest.h>

#include <set>

namespace gpufleet::api {
namespace {

TEST(AuthTest, HashTokenMatchesSha256TestVectors) {
  // FIPS 180-2 appendix B.1 and the empty message.
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashToken(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AuthTest, NewTokensArePrefixedHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = NewToken();
    ASSERT_EQ(token.size(), kTokenPrefix.size() + 64) << token;
    EXPECT_TRUE(token.starts_with(kTokenPrefix)) << token;
    EXPECT_EQ(token.find_first_not_of("0123456789abcdef", kTokenPrefix.size()), std::string::npos)
        << token;
    EXPECT_TRUE(seen.insert(token).second) << "duplicate token " << token;
  }
}

TEST(AuthTest, ParseBearer) {
  struct Case {
    std::string_view header;
    std::optional<std::string_view> token;
  };
  const Case cases[] = {
      {"Bearer gf_abc", "gf_abc"},
      {"bearer gf_abc", "gf_abc"},
      {"BEARER   gf_abc  ", "gf_abc"},
      {"Bearer a-b.c_d~e+f/g=", "a-b.c_d~e+f/g="},
      {"Bearer", std::nullopt},
      {"Bearer ", std::nullopt},
      {"Bearergf_abc", std::nullopt},
      {"Basic dXNlcjpwYXNz", std::nullopt},
      {"Bearer gf abc", std::nullopt},
      {"Bearer gf_\"abc\"", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseBearer(c.header), c.token) << "header '" << c.header << "'";
  }
}

}  // namespace
}  // namespace gpufleet::api
