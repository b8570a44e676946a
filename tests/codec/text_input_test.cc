// Input text as every reader sees it: UTF-8 checked where files are read, and values quoted in
// messages cut short, so a junk file gives a short error naming its first bad place.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "gpufleet/codec/csv_table.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/codec/yaml_map.h"

namespace gpufleet::codec {
namespace {

using ::testing::HasSubstr;

// A message quotes at most 200 bytes of a value; the rest of a message is its place and a
// sentence, far below this.
constexpr size_t kShortMessage = 600;

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/gpufleet_text_input_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(TextInputTest, ReadTextFileRejectsInvalidUtf8WithItsPlace) {
  const std::string path = Write("latin1.yaml", "id: x\nname: caf\xE9\n");
  const Result<std::string> text = ReadTextFile(path);
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr(path + ":2:10: invalid UTF-8 (byte 0xE9)"));

  const Result<std::string> fine = ReadTextFile(Write("utf8.yaml", "name: caf\xC3\xA9\n"));
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(*fine, "name: caf\xC3\xA9\n");
}

TEST(TextInputTest, CsvRejectsInvalidUtf8FromFileOrText) {
  const std::string path = Write("bad.csv", "a,b\n1,2\n3,\x80\n");
  const Result<CsvTable> read = CsvTable::Read(path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr(path + ":3:3: invalid UTF-8 (byte 0x80)"));
  const Result<CsvTable> parsed = CsvTable::Parse("a\n\xC0\xAF\n", "text.csv");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("text.csv:2:1: invalid UTF-8"));
}

TEST(TextInputTest, YamlRejectsInvalidUtf8BeforeParsing) {
  const Result<YamlNode> root = ParseYaml("rules:\n  - id: \"R\xFF\"\n", "r.yaml");
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(root.status().message(), HasSubstr("r.yaml:2:11: invalid UTF-8 (byte 0xFF)"));
}

TEST(TextInputTest, YamlMessagesQuoteLongValuesShort) {
  // One giant line: the document is a scalar where a map belongs.
  const std::string giant(1 << 16, 'j');
  const Result<YamlNode> scalar = ParseYaml(giant, "junk.yaml");
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  const Result<YamlMap> map = YamlMap::Read(*scalar, YamlErrors("junk.yaml"), "rule file");
  ASSERT_FALSE(map.ok());
  EXPECT_THAT(map.status().message(), HasSubstr("expected a map, got the scalar 'jjj"));
  EXPECT_LT(map.status().message().size(), kShortMessage);

  // A long key (yaml-cpp allows 1024 bytes at most) and a giant value of the wrong type.
  const std::string key(1000, 'k');
  const Result<YamlNode> doc = ParseYaml(key + ": 1\nsize: " + giant + "\n", "junk.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const Result<YamlMap> m = YamlMap::Read(*doc, YamlErrors("junk.yaml"), "");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const std::string_view known[] = {"size"};
  const Status unknown = m->CheckKeys(known);
  ASSERT_FALSE(unknown.ok());
  EXPECT_LT(unknown.message().size(), kShortMessage);
  const Result<std::optional<int>> size = m->OptionalInt("size");
  ASSERT_FALSE(size.ok());
  EXPECT_THAT(size.status().message(), HasSubstr("expected an integer, got 'jjj"));
  EXPECT_LT(size.status().message().size(), kShortMessage);
}

TEST(TextInputTest, YamlBeyondTheLimitIsRefusedBeforeParsing) {
  // yaml-cpp would take seconds and gigabytes over a large document; the bound refuses it
  // first, whatever it holds (one giant line here, which yaml-cpp would otherwise read).
  const std::string big(kMaxYamlBytes + 1, 'x');
  const Result<YamlNode> root = ParseYaml(big, "big.yaml");
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(root.status().message(),
              HasSubstr("big.yaml: 4194305 bytes, more than a YAML input may have (4 MiB)"));
  EXPECT_TRUE(CheckYamlText(std::string(kMaxYamlBytes, 'x'), "edge.yaml").ok());
}

TEST(TextInputTest, CsvMessagesQuoteLongValuesShort) {
  const std::string giant(1 << 16, '7');
  const Result<CsvTable> t = CsvTable::Parse("n\n" + giant + "x\n", "big.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const Result<int64_t> v = t->Int(t->rows().at(0), 0);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("big.csv:2:1: n: '777"));
  EXPECT_LT(v.status().message().size(), kShortMessage);
}

}  // namespace
}  // namespace gpufleet::codec
