#include "gpufleet/codec/yaml_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace gpufleet::codec {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kFile[] = "f.yaml";
constexpr std::string_view kKnown[] = {"name", "size", "tags", "since", "enabled", "nested"};

// Parses `text` and reads its root as a map; the tests below keep the node alive in `doc`.
class YamlMapTest : public ::testing::Test {
 protected:
  Result<YamlMap> Read(const std::string& text, YamlReadOptions options = {},
                       std::string context = "") {
    Result<YamlNode> root = ParseYaml(text, kFile);
    if (!root.ok()) return root.status();
    doc_ = std::move(root).value();
    return YamlMap::Read(doc_, YamlErrors(kFile, std::move(context)), "", options);
  }

  // The message of the error reading the map in `text` reports, or else the one `read`
  // reports for it.
  template <typename ReadFn>
  std::string ErrorOf(const std::string& text, ReadFn read) {
    Result<YamlMap> m = Read(text);
    if (!m.ok()) return m.status().message();
    const Status s = read(*m);
    EXPECT_FALSE(s.ok()) << text;
    return s.message();
  }

  YamlNode doc_;
};

TEST_F(YamlMapTest, ParsesPositionsKindsAndQuotes) {
  Result<YamlNode> root = ParseYaml("a: 1\nb:\n  - \"x\"\n  - {c: ~}\n", kFile);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  ASSERT_TRUE(root->IsMap());
  ASSERT_EQ(root->entries().size(), 2u);
  const YamlNode& one = root->entries()[0].value;
  EXPECT_EQ(one.scalar(), "1");
  EXPECT_FALSE(one.quoted());
  EXPECT_EQ(one.line(), 1);
  EXPECT_EQ(one.column(), 4);
  const YamlNode& list = root->entries()[1].value;
  ASSERT_TRUE(list.IsList());
  ASSERT_EQ(list.items().size(), 2u);
  EXPECT_TRUE(list.items()[0].quoted());
  EXPECT_EQ(list.items()[0].line(), 3);
  EXPECT_EQ(list.items()[0].column(), 5);
  ASSERT_TRUE(list.items()[1].IsMap());
  EXPECT_TRUE(list.items()[1].entries()[0].value.IsNull());
}

TEST_F(YamlMapTest, EmptyDocumentIsANullNode) {
  Result<YamlNode> root = ParseYaml("# nothing\n", kFile);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_TRUE(root->IsNull());
  EXPECT_FALSE(root->has_position());
}

TEST_F(YamlMapTest, MalformedYamlBecomesAStatus) {
  Result<YamlNode> root = ParseYaml("a: [1, 2\nb: 3\n", kFile);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), Status::Code::kInvalidArgument);
  // yaml-cpp gives up at the ':' after b, where a ',' or a ']' was due.
  EXPECT_THAT(root.status().message(), StartsWith("f.yaml:2:2: invalid YAML: "));
  EXPECT_THAT(root.status().message(), HasSubstr("end of sequence flow not found"));
}

TEST_F(YamlMapTest, AliasesThatReferToThemselvesOrExplodeAreRejected) {
  Result<YamlNode> cycle = ParseYaml("a: &x [*x]\n", kFile);
  ASSERT_FALSE(cycle.ok());
  EXPECT_THAT(cycle.status().message(), StartsWith("f.yaml:1:4: document: "));

  std::string laughs = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    laughs += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) laughs += (j ? ", " : "") + prev;
    laughs += "]\n";
  }
  Result<YamlNode> bomb = ParseYaml(laughs, kFile);
  ASSERT_FALSE(bomb.ok());
  EXPECT_THAT(bomb.status().message(), HasSubstr("aliases expand it to more than"));
}

TEST_F(YamlMapTest, AliasesWithinBoundsAreCopied) {
  Result<YamlNode> root = ParseYaml("a: &x [1, 2]\nb: *x\n", kFile);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->entries()[1].value.items().size(), 2u);
}

TEST_F(YamlMapTest, ReadsEveryKindOfValue) {
  Result<YamlMap> m = Read(
      "name: gpu\n"
      "size: 2.5\n"
      "tags: [a, \"b c\"]\n"
      "since: 2025-01-31\n"
      "enabled: false\n"
      "nested: {name: inner}\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->CheckKeys(kKnown).ok());
  EXPECT_EQ(m->line(), 1);
  EXPECT_EQ(m->String("name").value(), "gpu");
  EXPECT_EQ(m->OptionalNumber("size").value(), 2.5);
  EXPECT_EQ(m->Strings("tags").value(), (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(m->OptionalDate("since").value(), Date::Parse("2025-01-31").value());
  EXPECT_EQ(m->OptionalBool("enabled").value(), false);
  Result<YamlMap> nested = m->ReadMap(*m->Find("nested"));
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_EQ(nested->String("name").value(), "inner");
  Result<std::vector<YamlField>> tags = m->ReadList(*m->Find("tags"));
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ((*tags)[1].value->column(), 11);
  EXPECT_EQ((*tags)[1].name, "tags");
}

TEST_F(YamlMapTest, AbsentKeysAreNulloptOrEmpty) {
  Result<YamlMap> m = Read("name: gpu\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_FALSE(m->Has("size"));
  EXPECT_EQ(m->OptionalNumber("size").value(), std::nullopt);
  EXPECT_EQ(m->OptionalInt("size").value(), std::nullopt);
  EXPECT_EQ(m->OptionalString("size").value(), std::nullopt);
  EXPECT_TRUE(m->Strings("tags").value().empty());
}

TEST_F(YamlMapTest, QuotedScalarsAreStringsUnlessAllowed) {
  const std::string text = "size: \"80\"\nenabled: \"true\"\n";
  EXPECT_EQ(ErrorOf(text, [](const YamlMap& m) { return m.OptionalNumber("size").status(); }),
            "f.yaml:1:7: size: expected a number, got the string \"80\"");
  EXPECT_EQ(ErrorOf(text, [](const YamlMap& m) { return m.OptionalBool("enabled").status(); }),
            "f.yaml:2:10: enabled: expected true or false, got the string \"true\"");

  Result<YamlMap> lenient = Read(text, {.quoted_scalars_ok = true});
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->OptionalNumber("size").value(), 80);
  EXPECT_EQ(lenient->OptionalInt("size").value(), 80);
  EXPECT_EQ(lenient->OptionalBool("enabled").value(), true);
}

TEST_F(YamlMapTest, EmptyValuesAreErrorsUnlessTheyMeanAbsent) {
  const std::string text = "name:\nsize: 1\n";
  // The empty value has no position of its own: the error points at its key.
  EXPECT_EQ(ErrorOf(text, [](const YamlMap& m) { return m.String("name").status(); }),
            "f.yaml:1:1: name: no value; leave the key out when it is unknown");

  Result<YamlMap> lenient = Read(text, {.empty_is_absent = true});
  ASSERT_TRUE(lenient.ok());
  EXPECT_FALSE(lenient->Has("name"));
  EXPECT_EQ(lenient->OptionalString("name").value(), std::nullopt);
  EXPECT_EQ(lenient->Missing("name").message(), "f.yaml:1:1: name: missing");
}

TEST_F(YamlMapTest, ContextPrefixesEveryMessage) {
  Result<YamlMap> m = Read("id: R1\nsize: big\n", {}, "rule");
  ASSERT_TRUE(m.ok());
  const YamlMap named = m->WithContext("rule 'R1'");
  EXPECT_EQ(named.OptionalNumber("size").status().message(),
            "f.yaml:2:7: rule 'R1': size: expected a number, got 'big'");
  EXPECT_EQ(m->CheckKeys(kKnown).message(),
            "f.yaml:1:1: rule: id: unknown key (known: name size tags since enabled nested)");
}

struct BadMap {
  const char* label;
  std::string text;
  Status (*read)(const YamlMap& m);
  const char* want;  // the whole message
};

class YamlMapBadTest : public YamlMapTest, public ::testing::WithParamInterface<BadMap> {};

TEST_P(YamlMapBadTest, NamesFileLineColumnAndKey) {
  const BadMap& c = GetParam();
  SCOPED_TRACE(c.label);
  const auto read = [&](const YamlMap& m) { return c.read != nullptr ? c.read(m) : Status::Ok(); };
  EXPECT_EQ(ErrorOf(c.text, read), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, YamlMapBadTest,
    ::testing::Values(
        BadMap{"unknown key", "name: a\nsize: 1\ncolour: red\n",
               [](const YamlMap& m) { return m.CheckKeys(kKnown); },
               "f.yaml:3:1: colour: unknown key (known: name size tags since enabled nested)"},
        BadMap{"key given twice", "name: a\nname: b\n", nullptr,
               "f.yaml:2:1: name: key given twice"},
        BadMap{"not a map", "- a\n- b\n", nullptr, "f.yaml:1:1: expected a map, got a list"},
        BadMap{"key not a name", "[a]: 1\n", nullptr, "f.yaml:1:1: keys must be names, got a list"},
        BadMap{"missing required key", "size: 1\n",
               [](const YamlMap& m) { return m.String("name").status(); },
               "f.yaml:1:1: name: missing"},
        BadMap{"missing with a reason", "size: 1\n",
               [](const YamlMap& m) {
                 return m.RequireKeys({"size", "name"}, "every x needs one");
               },
               "f.yaml:1:1: name: missing; every x needs one"},
        BadMap{"list for a string", "name: [a]\n",
               [](const YamlMap& m) { return m.String("name").status(); },
               "f.yaml:1:7: name: expected a string, got a list"},
        BadMap{"empty string", "name: \"\"\n",
               [](const YamlMap& m) { return m.String("name").status(); },
               "f.yaml:1:7: name: empty value; leave the key out when it is unknown"},
        BadMap{"word for a number", "size: lots\n",
               [](const YamlMap& m) { return m.OptionalNumber("size").status(); },
               "f.yaml:1:7: size: expected a number, got 'lots'"},
        BadMap{"not finite", "size: inf\n",
               [](const YamlMap& m) { return m.OptionalNumber("size").status(); },
               "f.yaml:1:7: size: expected a finite number, got 'inf'"},
        BadMap{"fraction for an integer", "size: 1.5\n",
               [](const YamlMap& m) { return m.OptionalInt("size").status(); },
               "f.yaml:1:7: size: expected an integer, got '1.5'"},
        BadMap{"bool spelled yes", "enabled: yes\n",
               [](const YamlMap& m) { return m.OptionalBool("enabled").status(); },
               "f.yaml:1:10: enabled: expected true or false, got 'yes'"},
        BadMap{"bad date", "since: 2025-02-30\n",
               [](const YamlMap& m) { return m.OptionalDate("since").status(); },
               "f.yaml:1:8: since: '2025-02-30' is not a date (YYYY-MM-DD)"},
        BadMap{"scalar for a list", "tags: a\n",
               [](const YamlMap& m) { return m.Strings("tags").status(); },
               "f.yaml:1:7: tags: expected a list, got the scalar 'a'"},
        BadMap{"map in a list of strings", "tags:\n  - a\n  - {b: 1}\n",
               [](const YamlMap& m) { return m.Strings("tags").status(); },
               "f.yaml:3:5: tags: expected a string, got a map"},
        BadMap{"nested not a map", "nested: 3\n",
               [](const YamlMap& m) { return m.ReadMap(*m.Find("nested")).status(); },
               "f.yaml:1:9: nested: expected a map, got the scalar '3'"},
        BadMap{"error at an absent key", "size: 1\n",
               [](const YamlMap& m) { return m.Error("name", "needed here"); },
               "f.yaml:1:1: name: needed here"}),
    [](const ::testing::TestParamInfo<BadMap>& param) {
      std::string name = param.param.label;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace gpufleet::codec
