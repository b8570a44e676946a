#include "gpufleet/model/country_code.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace gpufleet {
namespace {

using ::testing::HasSubstr;

TEST(CountryCodeTest, TableHoldsThe249AssignedCodesSortedAndUnique) {
  const auto codes = IsoCountryCodes();
  // ISO 3166-1 has 249 officially assigned alpha-2 codes (South Sudan, SS, was the last, 2011).
  EXPECT_EQ(codes.size(), 249u);
  EXPECT_TRUE(
      std::is_sorted(codes.begin(), codes.end(),
                     [](const CountryCode& a, const CountryCode& b) { return a.code < b.code; }));
  EXPECT_EQ(std::adjacent_find(
                codes.begin(), codes.end(),
                [](const CountryCode& a, const CountryCode& b) { return a.code == b.code; }),
            codes.end());
  for (const CountryCode& c : codes) {
    ASSERT_EQ(c.code.size(), 2u) << c.code;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(c.code[0])) &&
                std::isupper(static_cast<unsigned char>(c.code[1])))
        << c.code;
    EXPECT_FALSE(c.name.empty()) << c.code;
  }
}

TEST(CountryCodeTest, AcceptsAssignedCodesExactlyAsWritten) {
  // Every code the shipped rules, catalog and examples use, and a few that are easy to forget.
  for (const char* code : {"CN", "HK", "MO", "TW", "US", "GB", "SG", "MY", "AE", "SS",
                           "AX", "BQ", "CW", "SX", "EH", "PS", "AQ", "UM", "VA", "ZW"}) {
    EXPECT_TRUE(IsCountryCode(code)) << code;
    EXPECT_EQ(CountryCodeProblem(code), std::nullopt) << code;
  }
  // Reserved for other uses (UK, EU, EL, UN), user-assigned (XX, XK, AA, ZZ, QM), withdrawn
  // (AN, YU, CS), and not codes at all.
  for (const char* text : {"UK", "EU", "EL", "UN",  "XX",    "XK", "AA", "ZZ", "QM",  "AN", "YU",
                           "CS", "cn", "Cn", "CHN", "China", "C",  "",   "C1", " CN", "CN "}) {
    EXPECT_FALSE(IsCountryCode(text)) << text;
    EXPECT_NE(CountryCodeProblem(text), std::nullopt) << text;
  }
}

TEST(CountryCodeTest, ProblemNamesTheTextAndTheLikelyCode) {
  const struct {
    const char* text;
    const char* suggests;  // "" = no suggestion
  } cases[] = {
      {"China", "did you mean CN, China?"},
      {"china", "did you mean CN, China?"},
      {"cn", "did you mean CN, China?"},
      {"UK", "did you mean GB, United Kingdom?"},
      {"USA", "did you mean US, United States?"},
      {"XX", ""},
      {"EU", ""},
  };
  for (const auto& c : cases) {
    const std::optional<std::string> problem = CountryCodeProblem(c.text);
    ASSERT_TRUE(problem.has_value()) << c.text;
    EXPECT_THAT(*problem, HasSubstr("'" + std::string(c.text) +
                                    "' is not an ISO 3166-1 alpha-2 country code"));
    if (*c.suggests != '\0') {
      EXPECT_THAT(*problem, HasSubstr(c.suggests));
    } else {
      EXPECT_THAT(*problem, ::testing::Not(HasSubstr("did you mean"))) << c.text;
    }
  }
}

}  // namespace
}  // namespace gpufleet
