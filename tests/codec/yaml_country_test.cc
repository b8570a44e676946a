#include "gpufleet/codec/yaml_country.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace gpufleet::codec {
namespace {

using ::testing::HasSubstr;

// Reads `key` of the one-map document `text` as a country, or a list of them.
class YamlCountryTest : public ::testing::Test {
 protected:
  Result<std::string> One(const std::string& text) {
    Result<YamlMap> m = Read(text);
    if (!m.ok()) return m.status();
    return ReadCountryCode(*m, *m->Find("country"));
  }
  Result<std::vector<std::string>> List(const std::string& text) {
    Result<YamlMap> m = Read(text);
    if (!m.ok()) return m.status();
    return ReadCountryCodes(*m, *m->Find("countries"));
  }

 private:
  Result<YamlMap> Read(const std::string& text) {
    Result<YamlNode> root = ParseYaml(text, "f.yaml");
    if (!root.ok()) return root.status();
    doc_ = std::move(root).value();
    return YamlMap::Read(doc_, YamlErrors("f.yaml"), "");
  }
  YamlNode doc_;
};

TEST_F(YamlCountryTest, ReadsAssignedCodes) {
  Result<std::string> cn = One("country: CN\n");
  ASSERT_TRUE(cn.ok()) << cn.status().ToString();
  EXPECT_EQ(*cn, "CN");
  Result<std::vector<std::string>> list = List("countries: [HK, MO, TW]\n");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(*list, (std::vector<std::string>{"HK", "MO", "TW"}));
}

TEST_F(YamlCountryTest, RejectsTextThatIsNoAssignedCodeAtItsPosition) {
  // Two upper-case letters used to be enough; UK and XX have that shape.
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"country: UK\n",
       "f.yaml:1:10: country: 'UK' is not an ISO 3166-1 alpha-2 country code (did you mean GB, "
       "United Kingdom?)"},
      {"country: XX\n", "f.yaml:1:10: country: 'XX' is not an ISO 3166-1 alpha-2 country code"},
      {"country: China\n",
       "f.yaml:1:10: country: 'China' is not an ISO 3166-1 alpha-2 country "
       "code (did you mean CN, China?)"},
      {"country: cn\n", "did you mean CN"},
  };
  for (const auto& c : cases) {
    Result<std::string> r = One(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr(c.message));
  }
  Result<std::vector<std::string>> list = List("countries:\n  - CN\n  - EU\n");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(), HasSubstr("f.yaml:3:5: countries: 'EU' is not"));
}

}  // namespace
}  // namespace gpufleet::codec
