#include "gpufleet/report/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace gpufleet::report {
namespace {

TEST(JsonTextTest, InvalidUtf8BecomesReplacementCharacters) {
  // nlohmann's plain dump() throws type_error 316 on this document.
  const nlohmann::ordered_json j = {{"serial", "SN-\xE9-1"}, {"count", 2}};
  std::string text;
  ASSERT_NO_THROW(text = DumpJson(j, 1));
  const nlohmann::json back = nlohmann::json::parse(text);
  EXPECT_EQ(back.at("serial"), "SN-\xEF\xBF\xBD-1");
  EXPECT_EQ(back.at("count"), 2);
}

TEST(JsonTextTest, ValidTextIsDumpedAsDumpDoes) {
  const nlohmann::json j = {{"name", "caf\xC3\xA9"}, {"list", {1, 2}}};
  EXPECT_EQ(DumpJson(j), j.dump());
  EXPECT_EQ(DumpJson(j, 2), j.dump(2));
}

}  // namespace
}  // namespace gpufleet::report
