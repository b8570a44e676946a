#include "gpufleet/model/utf8.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace gpufleet {
namespace {

using ::testing::HasSubstr;

constexpr char kEllipsis[] = "\xE2\x80\xA6";
constexpr char kReplacement[] = "\xEF\xBF\xBD";

struct PrefixCase {
  const char* name;
  std::string text;
  size_t valid;  // expected ValidUtf8Prefix
};

TEST(Utf8Test, ValidPrefixFollowsRfc3629) {
  const PrefixCase cases[] = {
      {"empty", "", 0},
      {"ascii", "abc", 3},
      {"two bytes", "caf\xC3\xA9", 5},
      {"three bytes", "\xE2\x82\xAC", 3},
      {"four bytes", "\xF0\x9F\x98\x80", 4},
      {"highest code point", "\xF4\x8F\xBF\xBF", 4},
      {"lone continuation byte", "a\x80", 1},
      {"latin-1 e acute", "caf\xE9", 3},
      {"overlong two bytes", "\xC0\xAF", 0},
      {"overlong three bytes", "\xE0\x80\xAF", 0},
      {"overlong four bytes", "\xF0\x80\x80\xAF", 0},
      {"surrogate", "x\xED\xA0\x80", 1},
      {"above U+10FFFF", "\xF4\x90\x80\x80", 0},
      {"F5 lead byte", "\xF5\x80\x80\x80", 0},
      {"cut at the end", "ab\xE2\x82", 2},
      {"bad continuation", "\xE2\x28\xA1", 0},
      {"FF byte", "ok\xFF", 2},
  };
  for (const PrefixCase& c : cases) {
    EXPECT_EQ(ValidUtf8Prefix(c.text), c.valid) << c.name;
  }
}

TEST(Utf8Test, CheckNamesLineAndCharacterColumn) {
  EXPECT_TRUE(CheckUtf8("a: caf\xC3\xA9\n", "f.yaml").ok());
  // Line 2; "é" is one character, so the bad byte is the fourth column, not the fifth.
  const Status s = CheckUtf8("a: 1\nb\xC3\xA9x\xFF rest\n", "f.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("f.yaml:2:4: invalid UTF-8 (byte 0xFF)"));
}

TEST(Utf8Test, ExcerptKeepsShortValuesWhole) {
  EXPECT_EQ(Excerpt("H100"), "H100");
  const std::string exactly(kMaxQuotedBytes, 'a');
  EXPECT_EQ(Excerpt(exactly), exactly);
}

// `count` copies of `c`, then `tail`. (Built by append: GCC 12 reports a false array-bounds
// error for std::string(count, c) + tail.)
std::string Repeated(size_t count, char c, std::string_view tail) {
  std::string s(count, c);
  s.append(tail);
  return s;
}

TEST(Utf8Test, ExcerptCutsLongValuesAtACharacterBoundary) {
  EXPECT_EQ(Excerpt(std::string(50'000, 'x')), Repeated(kMaxQuotedBytes, 'x', kEllipsis));
  // 199 bytes, then a two-byte character that would end past the limit: it is left out whole.
  EXPECT_EQ(Excerpt(Repeated(kMaxQuotedBytes - 1, 'a', "\xC3\xA9tail")),
            Repeated(kMaxQuotedBytes - 1, 'a', kEllipsis));
  EXPECT_EQ(Excerpt("\xE2\x82\xAC\xE2\x82\xAC", 4), Repeated(0, ' ', "\xE2\x82\xAC\xE2\x80\xA6"));
}

TEST(Utf8Test, ExcerptReplacesInvalidBytes) {
  const std::string quoted = Excerpt("caf\xE9 \xFF");
  EXPECT_EQ(quoted, std::string("caf") + kReplacement + " " + kReplacement);
  EXPECT_EQ(ValidUtf8Prefix(quoted), quoted.size());
}

}  // namespace
}  // namespace gpufleet
