#include "gpufleet/catalog/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>

namespace gpufleet::catalog {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kFile[] = "cat.yaml";

// Two entries; line numbers below refer to this text.
constexpr char kTwoModels[] =
    "accelerators:\n"                             // 1
    "  - id: nvidia-h100-sxm5-80gb\n"             // 2
    "    name: NVIDIA H100 SXM5 80GB\n"           // 3
    "    aliases: [H100, H100 SXM]\n"             // 4
    "    vendor: NVIDIA\n"                        // 5
    "    designer_country: US\n"                  // 6
    "    datacenter: true\n"                      // 7
    "    dense_tops: {bf16: 989.4, fp8: 1979}\n"  // 8
    "    die_area_mm2: 814\n"                     // 9
    "    estimates: [die_area_mm2]\n"             // 10
    "  - id: kunlunxin-p800\n"                    // 11
    "    name: Baidu Kunlunxin P800\n"            // 12
    "    vendor: Baidu Kunlunxin\n"               // 13
    "    domestic_in: [CN]\n";                    // 14

TEST(CatalogTest, ParsesEntriesInFileOrder) {
  Result<Catalog> c = Catalog::Parse(kTwoModels, kFile);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->models().size(), 2u);
  const AcceleratorSpec& h100 = c->models()[0];
  EXPECT_EQ(h100.id, "nvidia-h100-sxm5-80gb");
  EXPECT_EQ(h100.name, "NVIDIA H100 SXM5 80GB");
  EXPECT_EQ(h100.aliases, (std::vector<std::string>{"H100", "H100 SXM"}));
  EXPECT_EQ(h100.designer_country, "US");
  EXPECT_EQ(h100.datacenter, true);
  EXPECT_EQ(h100.dense_tops.at(Precision::kFp8), 1979);
  EXPECT_EQ(h100.die_area_mm2, 814);
  EXPECT_EQ(h100.estimates, std::vector<std::string>{"die_area_mm2"});
  EXPECT_EQ(c->models()[1].id, "kunlunxin-p800");
}

TEST(CatalogTest, AbsentKeysStayUnknown) {
  Result<Catalog> c = Catalog::Parse(kTwoModels, kFile);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const AcceleratorSpec& p800 = c->models()[1];
  EXPECT_TRUE(p800.dense_tops.empty());
  EXPECT_EQ(Tpp(p800), std::nullopt);
  EXPECT_EQ(p800.datacenter, std::nullopt);
  EXPECT_EQ(p800.die_area_mm2, std::nullopt);
  EXPECT_EQ(p800.launch_year, std::nullopt);
  EXPECT_FALSE(p800.hypothetical);
  EXPECT_TRUE(IsDomesticIn(p800, "CN"));
}

TEST(CatalogTest, FindsByIdOrAliasIgnoringCase) {
  Result<Catalog> c = Catalog::Parse(kTwoModels, kFile);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const AcceleratorSpec* h100 = &c->models()[0];
  EXPECT_EQ(c->Find("nvidia-h100-sxm5-80gb"), h100);
  EXPECT_EQ(c->Find("H100"), h100);
  EXPECT_EQ(c->Find("h100 sxm"), h100);
  EXPECT_EQ(c->Find("kunlunxin-p800"), &c->models()[1]);
  EXPECT_EQ(c->Find("H100 PCIe"), nullptr);
  EXPECT_EQ(c->Find(""), nullptr);
}

TEST(CatalogTest, FindSurvivesCopies) {
  std::optional<Catalog> copy;
  {
    Result<Catalog> c = Catalog::Parse(kTwoModels, kFile);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    copy = *c;
  }
  ASSERT_NE(copy->Find("H100"), nullptr);
  EXPECT_EQ(copy->Find("H100"), &copy->models()[0]);
}

TEST(CatalogTest, AcceptsAnEmptyList) {
  Result<Catalog> c = Catalog::Parse("accelerators: []\n", kFile);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->models().empty());
}

// One entry prefix (lines 1-4) that malformed cases extend from line 5 on.
constexpr char kEntryHead[] =
    "accelerators:\n"
    "  - id: a\n"
    "    name: A\n"
    "    vendor: V\n";

struct MalformedCase {
  const char* label;
  std::string yaml;
  const char* where;  // "cat.yaml:line:column"
  const char* key;
  const char* what;  // part of the explanation
};

class MalformedCatalogTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedCatalogTest, IsRejectedNamingLineColumnAndKey) {
  const MalformedCase& m = GetParam();
  Result<Catalog> c = Catalog::Parse(m.yaml, kFile);
  SCOPED_TRACE(m.label);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  // "file:line:column: key: what", the shape editors jump to.
  EXPECT_THAT(c.status().message(), StartsWith(std::string(m.where) + ": " + m.key + ": "));
  EXPECT_THAT(c.status().message(), HasSubstr(m.what));
}

const std::string kHead = kEntryHead;

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedCatalogTest,
    ::testing::Values(
        MalformedCase{"unknown field", kHead + "    die_area: 600\n", "cat.yaml:5:5", "die_area",
                      "unknown key"},
        MalformedCase{"string for number", kHead + "    tdp_w: lots\n", "cat.yaml:5:12", "tdp_w",
                      "expected a number, got 'lots'"},
        MalformedCase{"quoted number", kHead + "    memory_gb: \"80\"\n", "cat.yaml:5:16",
                      "memory_gb", "got the string \"80\""},
        MalformedCase{"negative die area", kHead + "    die_area_mm2: -814\n", "cat.yaml:5:19",
                      "die_area_mm2", "must not be negative, got -814"},
        MalformedCase{"zero die area", kHead + "    die_area_mm2: 0\n", "cat.yaml:5:19",
                      "die_area_mm2", "must be positive"},
        MalformedCase{"not a finite number", kHead + "    price_usd: nan\n", "cat.yaml:5:16",
                      "price_usd", "expected a finite number, got 'nan'"},
        MalformedCase{"empty value", kHead + "    tdp_w:\n    notes: x\n", "cat.yaml:5:5", "tdp_w",
                      "leave the key out"},
        MalformedCase{"unknown precision", kHead + "    dense_tops: {fp16: 1, fp12: 2}\n",
                      "cat.yaml:5:27", "dense_tops", "unknown precision 'fp12'"},
        MalformedCase{"zero rate", kHead + "    dense_tops: {fp16: 0}\n", "cat.yaml:5:24",
                      "dense_tops.fp16", "must be positive"},
        MalformedCase{"rates not a map", kHead + "    dense_tops: [1, 2]\n", "cat.yaml:5:17",
                      "dense_tops", "expected a map"},
        MalformedCase{"aliases not a list", kHead + "    aliases: H100\n", "cat.yaml:5:14",
                      "aliases", "expected a list"},
        MalformedCase{"duplicate alias across entries",
                      kHead + "    aliases: [X1]\n  - id: b\n    name: B\n    vendor: V\n"
                              "    aliases: [Y, x1]\n",
                      "cat.yaml:9:18", "aliases", "'x1' is already an alias of 'a'"},
        MalformedCase{"alias equal to another id",
                      kHead + "  - id: b\n    name: B\n    vendor: V\n    aliases: [A]\n",
                      "cat.yaml:8:15", "aliases", "'A' is already the id"},
        MalformedCase{"duplicate id", kHead + "  - id: a\n    name: B\n    vendor: V\n",
                      "cat.yaml:5:9", "id", "'a' is already the id"},
        MalformedCase{"id not a slug",
                      "accelerators:\n  - id: H100 SXM\n    name: A\n"
                      "    vendor: V\n",
                      "cat.yaml:2:9", "id", "not a slug"},
        MalformedCase{"missing vendor", "accelerators:\n  - id: a\n    name: A\n", "cat.yaml:2:5",
                      "vendor", "missing"},
        MalformedCase{"key given twice", kHead + "    name: B\n", "cat.yaml:5:5", "name",
                      "given twice"},
        MalformedCase{"country not a code", kHead + "    fab_country: Taiwan\n", "cat.yaml:5:18",
                      "fab_country", "'Taiwan'"},
        MalformedCase{"domestic_in not codes", kHead + "    domestic_in: [China]\n",
                      "cat.yaml:5:19", "domestic_in", "'China'"},
        // The shape of a code is not enough: no country is UK, EU or XX.
        MalformedCase{"designer country unassigned", kHead + "    designer_country: UK\n",
                      "cat.yaml:5:23", "designer_country",
                      "'UK' is not an ISO 3166-1 alpha-2 country code (did you mean GB"},
        MalformedCase{"fab country unassigned", kHead + "    fab_country: XX\n", "cat.yaml:5:18",
                      "fab_country", "'XX' is not an ISO 3166-1 alpha-2 country code"},
        MalformedCase{"domestic_in unassigned", kHead + "    domestic_in: [CN, EU]\n",
                      "cat.yaml:5:23", "domestic_in", "'EU' is not an ISO 3166-1 alpha-2"},
        MalformedCase{"YAML not-a-number", kHead + "    tdp_w: .nan\n", "cat.yaml:5:12", "tdp_w",
                      "expected a number, got '.nan'"},
        MalformedCase{"YAML infinity", kHead + "    memory_gb: .inf\n", "cat.yaml:5:16",
                      "memory_gb", "expected a number, got '.inf'"},
        MalformedCase{"overflowing number", kHead + "    price_usd: 1e999\n", "cat.yaml:5:16",
                      "price_usd", "expected a number, got '1e999'"},
        MalformedCase{"bool spelled yes", kHead + "    datacenter: yes\n", "cat.yaml:5:17",
                      "datacenter", "expected true or false"},
        MalformedCase{"fractional year", kHead + "    launch_year: 2023.5\n", "cat.yaml:5:18",
                      "launch_year", "expected a year"},
        MalformedCase{"estimate of an absent fact", kHead + "    estimates: [price_usd]\n",
                      "cat.yaml:5:17", "estimates", "'price_usd' is not a fact"},
        MalformedCase{"estimate of an absent rate",
                      kHead + "    dense_tops: {fp16: 1}\n    estimates: [dense_tops.int8]\n",
                      "cat.yaml:6:17", "estimates", "'dense_tops.int8' is not a fact"},
        MalformedCase{"entry not a map", "accelerators:\n  - H100\n", "cat.yaml:2:5",
                      "accelerators", "must be a map"},
        MalformedCase{"list not a list", "accelerators: {a: 1}\n", "cat.yaml:1:15", "accelerators",
                      "expected a list"},
        MalformedCase{"unknown top-level key", "accelerators: []\nchips: []\n", "cat.yaml:2:1",
                      "chips", "unknown key"},
        MalformedCase{"syntax error", kHead + "    aliases: [H100\n", "cat.yaml:6:1",
                      "invalid YAML", "end of sequence flow"}),
    [](const ::testing::TestParamInfo<MalformedCase>& param) {
      std::string name = param.param.label;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(CatalogTest, MissingListAndEmptyDocumentAreErrors) {
  Result<Catalog> empty = Catalog::Parse("", kFile);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("accelerators"));
  Result<Catalog> no_list = Catalog::Parse("{}\n", kFile);
  ASSERT_FALSE(no_list.ok());
  EXPECT_THAT(no_list.status().message(), HasSubstr("accelerators: missing"));
}

TEST(CatalogTest, LoadReportsAnUnreadableFile) {
  Result<Catalog> c = Catalog::Load(::testing::TempDir() + "/gpufleet_catalog_no_such.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kIOError);
  EXPECT_THAT(c.status().message(), HasSubstr("gpufleet_catalog_no_such.yaml"));
}

}  // namespace
}  // namespace gpufleet::catalog
