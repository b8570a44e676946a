// Strict reading of fleet files: each malformed input is rejected with the file, line and
// column of the mistake, the field, and what is wrong; nothing is loaded.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gpufleet/inventory/inventory.h"

namespace gpufleet::inventory {
namespace {

using ::testing::StartsWith;

constexpr char kCatalog[] =
    "accelerators:\n"
    "  - {id: nvidia-h20-96gb, name: NVIDIA H20, vendor: NVIDIA, aliases: [H20]}\n"
    "  - {id: nvidia-h100-sxm5-80gb, name: NVIDIA H100, vendor: NVIDIA, aliases: [H100]}\n";

// A valid fleet; the cases below edit one line of it. Line numbers refer to this text.
constexpr char kFleet[] =
    "organisations:\n"           // 1
    "  - id: acme\n"             // 2
    "    name: Acme\n"           // 3
    "    kind: company\n"        // 4
    "    hq_country: CN\n"       // 5
    "  - id: acme-sg\n"          // 6
    "    name: Acme SG\n"        // 7
    "    kind: subsidiary\n"     // 8
    "    parent: acme\n"         // 9
    "    hq_country: SG\n"       // 10
    "sites:\n"                   // 11
    "  - id: sh-03\n"            // 12
    "    name: Shanghai 3\n"     // 13
    "    country: CN\n"          // 14
    "    ownership: owned\n"     // 15
    "  - id: sg-01\n"            // 16
    "    name: Singapore 1\n"    // 17
    "    country: SG\n"          // 18
    "    ownership: owned\n"     // 19
    "assets_csv: assets.csv\n";  // 20

constexpr char kAssets[] =
    "serial,model,site,owner,operator,holding,acquired,arrival,from_country\n"  // 1
    "S1,H20,sh-03,acme,acme,owned,2024-11-20,export,TW\n"                       // 2
    "S2,H100,sg-01,acme-sg,acme-sg,owned,2023-08-14,export,US\n";               // 3

struct Case {
  const char* name;
  // Replaces the first occurrence of `from` in the fleet (or, with `in_csv`, the assets).
  const char* from;
  const char* to;
  bool in_csv;
  // The message after the temporary directory: "file:line:column: field: what".
  const char* want;
};

const Case kCases[] = {
    // The YAML.
    {"unknown key", "    ownership: owned\n  - id: sg-01", "    ownrship: owned\n  - id: sg-01",
     false, "fleet.yaml:15:5: ownrship: unknown key (known: id name country"},
    {"unknown top-level key", "assets_csv:", "asset_csv:", false,
     "fleet.yaml:20:1: asset_csv: unknown key (known: organisations sites nodes assets "
     "assets_csv)"},
    {"top-level key given twice", "sites:\n", "organisations: []\nsites:\n", false,
     "fleet.yaml:11:1: organisations: key given twice"},
    {"duplicate site id", "  - id: sg-01", "  - id: sh-03", false,
     "fleet.yaml:16:9: id: 'sh-03' is already the id of the site on line 12"},
    {"duplicate organisation id", "  - id: acme-sg", "  - id: acme", false,
     "fleet.yaml:6:9: id: 'acme' is already the id of the organisation on line 2"},
    {"parent cycle", "    kind: company\n", "    kind: company\n    parent: acme-sg\n", false,
     "fleet.yaml:5:13: parent: cycle acme -> acme-sg -> acme"},
    {"own parent", "    parent: acme\n", "    parent: acme-sg\n", false,
     "fleet.yaml:9:13: parent: cycle acme-sg -> acme-sg"},
    {"unknown parent", "    parent: acme\n", "    parent: acme-hk\n", false,
     "fleet.yaml:9:13: parent: unknown organisation 'acme-hk'"},
    {"subsidiary without parent", "    parent: acme\n", "", false,
     "fleet.yaml:6:5: parent: missing; a subsidiary needs its parent"},
    {"missing required key", "    name: Shanghai 3\n", "", false,
     "fleet.yaml:12:5: name: missing; every site needs one"},
    {"bad country code", "    country: CN", "    country: China", false,
     "fleet.yaml:14:14: country: 'China' is not an ISO 3166-1 alpha-2 country code (did you "
     "mean CN, China?)"},
    // Two upper-case letters that no country has: the rules would never see the site.
    {"unassigned site country", "    country: SG", "    country: UK", false,
     "fleet.yaml:18:14: country: 'UK' is not an ISO 3166-1 alpha-2 country code (did you mean "
     "GB, United Kingdom?)"},
    {"unassigned headquarters", "    hq_country: SG", "    hq_country: XX", false,
     "fleet.yaml:10:17: hq_country: 'XX' is not an ISO 3166-1 alpha-2 country code"},
    {"negative completion", "    ownership: owned\n  - id: sg-01",
     "    ownership: owned\n    project_completion_pct: -1\n  - id: sg-01", false,
     "fleet.yaml:16:29: project_completion_pct: expected a percentage from 0 to 100, got -1"},
    {"not-a-number completion", "    ownership: owned\n  - id: sg-01",
     "    ownership: owned\n    project_completion_pct: .nan\n  - id: sg-01", false,
     "fleet.yaml:16:29: project_completion_pct: expected a number, got '.nan'"},
    {"unknown enum value", "kind: company", "kind: corporation", false,
     "fleet.yaml:4:11: kind: unknown kind 'corporation' (known: company subsidiary "
     "external_customer counterparty)"},
    {"bad bool", "    ownership: owned\n  - id: sg-01",
     "    ownership: owned\n    state_funded: yes\n  - id: sg-01", false,
     "fleet.yaml:16:19: state_funded: expected true or false, got 'yes'"},
    {"quoted number", "    ownership: owned\n  - id: sg-01",
     "    ownership: owned\n    project_completion_pct: \"20\"\n  - id: sg-01", false,
     "fleet.yaml:16:29: project_completion_pct: expected a number, got the string \"20\""},
    {"percentage over 100", "    ownership: owned\n  - id: sg-01",
     "    ownership: owned\n    project_completion_pct: 120\n  - id: sg-01", false,
     "fleet.yaml:16:29: project_completion_pct: expected a percentage from 0 to 100, got 120"},
    {"empty value", "    name: Singapore 1", "    name:", false,
     "fleet.yaml:17:5: name: no value; leave the key out when it is unknown"},
    {"rented site without provider", "    ownership: owned\nassets_csv",
     "    ownership: rented\nassets_csv", false,
     "fleet.yaml:16:5: provider: missing; a rented site names the provider it rents from"},
    {"not a slug", "  - id: sg-01", "  - id: SG_01", false,
     "fleet.yaml:16:9: id: 'SG_01' is not a slug (lower-case letters, digits and '-')"},
    {"invalid YAML", "    name: Acme\n", "    name: [Acme\n", false,
     "fleet.yaml:4:9: invalid YAML: end of sequence flow not found"},
    {"inline asset with an unknown owner", "assets_csv: assets.csv\n",
     "assets:\n"
     "  - {serial: S9, model: H20, site: sh-03, owner: acme-cn, operator: acme,\n"
     "     holding: owned, acquired: 2024-01-02, arrival: export}\n",
     false, "fleet.yaml:21:50: owner: unknown organisation 'acme-cn'"},
    {"inline asset missing a key", "assets_csv: assets.csv\n",
     "assets:\n"
     "  - {serial: S9, model: H20, site: sh-03, owner: acme, operator: acme,\n"
     "     holding: owned, arrival: export}\n",
     false, "fleet.yaml:21:5: acquired: missing; every asset needs one"},
    {"inline asset with a quoted number", "assets_csv: assets.csv\n",
     "assets:\n"
     "  - {serial: S9, model: H20, site: sh-03, owner: acme, operator: acme, holding: owned,\n"
     "     acquired: 2024-01-02, arrival: export, declared_tpp: \"2368\"}\n",
     false, "fleet.yaml:22:59: declared_tpp: expected a number, got the string \"2368\""},
    // The CSV.
    {"unknown site in CSV row 3", "S2,H100,sg-01", "S2,H100,sg-02", true,
     "assets.csv:3:3: site: unknown site 'sg-02'"},
    {"bad date", "2024-11-20", "2024-02-30", true,
     "assets.csv:2:7: acquired: '2024-02-30' is not a date (YYYY-MM-DD)"},
    {"unknown model", "S1,H20,", "S1,H30,", true,
     "assets.csv:2:2: model: unknown model 'H30' (no catalog id or alias)"},
    {"unassigned origin", "export,TW", "export,EU", true,
     "assets.csv:2:9: from_country: 'EU' is not an ISO 3166-1 alpha-2 country code"},
    {"lower-case origin", "export,US", "export,us", true,
     "assets.csv:3:9: from_country: 'us' is not an ISO 3166-1 alpha-2 country code (did you "
     "mean US, United States?)"},
    {"unknown CSV column", "from_country\n", "colour\n", true,
     "assets.csv:1:9: colour: unknown column (known: serial model site node owner operator"},
    {"repeated CSV column", "from_country\n", "site\n", true,
     "assets.csv:1:9: site: column given twice"},
    {"missing CSV column", ",arrival,", ",node,", true,
     "assets.csv:1: arrival: missing column; every asset needs one"},
    {"wrong column count", "export,US\n", "export,US,extra\n", true,
     "assets.csv:3: expected 9 columns (as the header), found 10"},
    {"empty required cell", "S2,H100,sg-01,acme-sg", "S2,H100,sg-01,", true,
     "assets.csv:3:4: owner: empty; every asset needs one"},
    {"unknown holding", "acme,owned,", "acme,bought,", true,
     "assets.csv:2:6: holding: unknown holding 'bought' (known: owned leased rented_remote)"},
    {"blank-padded serial", "S1,", " S1,", true,
     "assets.csv:2:1: serial: ' S1' has leading or trailing blanks"},
    {"in-country transfer from abroad", "export,TW", "in_country_transfer,TW", true,
     "assets.csv:2:9: from_country: 'TW' is not the country of site 'sh-03' (CN), but arrival "
     "is in_country_transfer"},
    {"export from the site's own country", "export,TW", "export,CN", true,
     "assets.csv:2:9: from_country: 'CN' is the country of site 'sh-03' itself, but arrival "
     "is export (use in_country_transfer)"},
    {"rented from oneself", "acme,acme,owned", "acme,acme,rented_remote", true,
     "assets.csv:2:4: owner: 'acme' both owns and operates it, but holding is rented_remote"},
};

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "case does not apply: '" << from << "'";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

class FleetYamlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<catalog::Catalog> c = catalog::Catalog::Parse(kCatalog, "cat.yaml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_.emplace(std::move(c).value());
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::testing::TempDir() + "fleet_yaml_test_" + info->name();
    std::filesystem::create_directories(dir_);
  }

  Result<Inventory> LoadFiles(const std::string& fleet, const std::string& assets) {
    WriteFile(dir_ + "/fleet.yaml", fleet);
    WriteFile(dir_ + "/assets.csv", assets);
    return Inventory::Load(dir_ + "/fleet.yaml", *catalog_);
  }

  std::optional<catalog::Catalog> catalog_;
  std::string dir_;
};

TEST_F(FleetYamlTest, BaseFleetLoads) {
  Result<Inventory> inv = LoadFiles(kFleet, kAssets);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->organisations().size(), 2u);
  EXPECT_EQ(inv->sites().size(), 2u);
  ASSERT_EQ(inv->assets().size(), 2u);
  EXPECT_EQ(inv->assets()[1].model, "nvidia-h100-sxm5-80gb");
  EXPECT_EQ(inv->assets()[1].line, 3);
  EXPECT_TRUE(inv->flags().empty());
}

TEST_F(FleetYamlTest, RejectsEachMalformedInputAtItsPosition) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string fleet = c.in_csv ? kFleet : Replace(kFleet, c.from, c.to);
    const std::string assets = c.in_csv ? Replace(kAssets, c.from, c.to) : kAssets;
    Result<Inventory> inv = LoadFiles(fleet, assets);
    ASSERT_FALSE(inv.ok());
    EXPECT_EQ(inv.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(inv.status().message(), StartsWith(dir_ + "/" + c.want));
  }
}

TEST_F(FleetYamlTest, MissingCsvIsAnIOErrorWhereTheYamlNamesIt) {
  WriteFile(dir_ + "/fleet.yaml", Replace(kFleet, "assets.csv", "nowhere.csv"));
  Result<Inventory> inv = Inventory::Load(dir_ + "/fleet.yaml", *catalog_);
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().code(), Status::Code::kIOError);
  EXPECT_THAT(inv.status().message(),
              StartsWith(dir_ + "/fleet.yaml:20:13: assets_csv: " + dir_ + "/nowhere.csv"));
}

TEST_F(FleetYamlTest, MissingFleetFileIsAnIOError) {
  Result<Inventory> inv = Inventory::Load(dir_ + "/absent.yaml", *catalog_);
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().code(), Status::Code::kIOError);
}

TEST_F(FleetYamlTest, EmptyAndNonMapDocumentsAreRejected) {
  for (const char* text : {"", "# nothing\n", "- a\n- b\n", "organisations: []\n"}) {
    SCOPED_TRACE(text);
    Result<Inventory> inv = Inventory::Parse(text, "f.yaml", "", *catalog_);
    ASSERT_FALSE(inv.ok());
    EXPECT_THAT(inv.status().message(), StartsWith("f.yaml"));
  }
}

TEST_F(FleetYamlTest, ParseResolvesTheCsvAgainstBaseDir) {
  WriteFile(dir_ + "/assets.csv", kAssets);
  Result<Inventory> inv = Inventory::Parse(kFleet, "inline.yaml", dir_, *catalog_);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->assets().size(), 2u);
  EXPECT_EQ(inv->assets()[0].file, dir_ + "/assets.csv");
}

TEST_F(FleetYamlTest, OptionalCsvColumnsMayBeBlankOrAbsent) {
  const std::string assets =
      "model,serial,site,node,owner,operator,holding,acquired,arrival,declared_memory_gb\n"
      "h20,S1,sh-03,,acme,acme,leased,2024-11-20,reexport,\n"
      "H100,S2,sg-01,\"rack 4, slot 2\",acme-sg,acme-sg,owned,2023-08-14,export,80\n";
  Result<Inventory> inv = LoadFiles(kFleet, assets);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  const Asset& a = inv->assets()[0];
  EXPECT_EQ(a.model, "nvidia-h20-96gb");
  EXPECT_EQ(a.node, "");
  EXPECT_EQ(a.holding, Holding::kLeased);
  EXPECT_EQ(a.arrival, Arrival::kReexport);
  EXPECT_EQ(a.from_country, "");
  EXPECT_EQ(a.declared_memory_gb, std::nullopt);
  EXPECT_EQ(a.acquired, *Date::Parse("2024-11-20"));
  EXPECT_EQ(inv->assets()[1].node, "rack 4, slot 2");
  EXPECT_EQ(inv->assets()[1].declared_memory_gb, 80);
}

TEST_F(FleetYamlTest, SectionsMayComeInAnyOrderAndParentsMayPointForward) {
  const std::string fleet =
      "sites: [{id: s, name: S, country: SG, ownership: owned}]\n"
      "assets: [{serial: X, model: H20, site: s, owner: sub, operator: sub, holding: owned,\n"
      "          acquired: 2024-01-02, arrival: export, from_country: US}]\n"
      "organisations:\n"
      "  - {id: sub, name: Sub, kind: subsidiary, parent: top, hq_country: SG}\n"
      "  - {id: top, name: Top, kind: company, hq_country: CN}\n";
  Result<Inventory> inv = Inventory::Parse(fleet, "f.yaml", "", *catalog_);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->UltimateParentHq("sub"), "CN");
  ASSERT_EQ(inv->assets().size(), 1u);
  EXPECT_EQ(inv->assets()[0].line, 2);
  EXPECT_EQ(inv->assets()[0].file, "f.yaml");
}

}  // namespace
}  // namespace gpufleet::inventory
