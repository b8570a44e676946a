// Diversion flags: repeated serials (one site or two) and declared specs that contradict the
// catalog. Flags never fail an import.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "gpufleet/inventory/inventory.h"

namespace gpufleet::inventory {
namespace {

using Kind = DiversionFlag::Kind;
using ::testing::HasSubstr;

constexpr char kCatalog[] =
    "accelerators:\n"
    "  - id: nvidia-h20-96gb\n"
    "    name: NVIDIA H20\n"
    "    vendor: NVIDIA\n"
    "    aliases: [H20]\n"
    "    dense_tops: {fp16: 148, fp8: 296}\n"  // TPP 2368
    "    memory_gb: 96\n"
    "    dram_bw_gbs: 4000\n"
    "  - id: kunlunxin-p800\n"  // nothing published
    "    name: Baidu Kunlunxin P800\n"
    "    vendor: Baidu Kunlunxin\n";

// One asset line for the inline list: serial, site, and extra "key: value" pairs.
std::string AssetLine(const std::string& serial, const std::string& site,
                      const std::string& extra = "", const std::string& model = "H20") {
  return "  - {serial: " + serial + ", model: " + model + ", site: " + site +
         ", owner: acme, operator: acme, holding: owned, acquired: 2025-01-02, arrival: "
         "export" +
         (extra.empty() ? "" : ", " + extra) + "}\n";
}

// Organisations and two sites (lines 1-4), then the assets from line 6 on.
std::string Fleet(const std::vector<std::string>& asset_lines) {
  std::string text =
      "organisations: [{id: acme, name: Acme, kind: company, hq_country: CN}]\n"
      "sites:\n"
      "  - {id: sh-03, name: Shanghai 3, country: CN, ownership: owned}\n"
      "  - {id: sg-01, name: Singapore 1, country: SG, ownership: owned}\n"
      "assets:\n";
  for (const std::string& line : asset_lines) text += line;
  return text;
}

class DiversionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<catalog::Catalog> c = catalog::Catalog::Parse(kCatalog, "cat.yaml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_.emplace(std::move(c).value());
  }

  std::vector<DiversionFlag> Flags(const std::vector<std::string>& asset_lines) {
    Result<Inventory> inv = Inventory::Parse(Fleet(asset_lines), "f.yaml", "", *catalog_);
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    return inv.ok() ? inv->flags() : std::vector<DiversionFlag>{};
  }

  std::optional<catalog::Catalog> catalog_;
};

std::vector<Kind> Kinds(const std::vector<DiversionFlag>& flags) {
  std::vector<Kind> kinds;
  for (const DiversionFlag& f : flags) kinds.push_back(f.kind);
  return kinds;
}

TEST_F(DiversionTest, CleanFleetHasNoFlags) {
  EXPECT_TRUE(Flags({AssetLine("A1", "sh-03"), AssetLine("A2", "sh-03")}).empty());
}

TEST_F(DiversionTest, SerialTwiceAtOneSiteIsRegisteredTwice) {
  const std::vector<DiversionFlag> flags =
      Flags({AssetLine("A1", "sh-03"), AssetLine("A2", "sh-03"), AssetLine("A1", "sh-03")});
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, Kind::kSerialRegisteredTwice);
  EXPECT_EQ(flags[0].serial, "A1");
  EXPECT_EQ(flags[0].file, "f.yaml");
  EXPECT_EQ(flags[0].line, 8);  // the repeat, not the first record
  EXPECT_EQ(flags[0].detail, "serial 'A1' at site 'sh-03' is already registered in f.yaml:6");
}

TEST_F(DiversionTest, SerialAtTwoSitesIsOnlyThatKind) {
  const std::vector<DiversionFlag> flags =
      Flags({AssetLine("A1", "sg-01", "from_country: US"), AssetLine("A1", "sh-03")});
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, Kind::kSerialAtTwoSites);
  EXPECT_EQ(flags[0].line, 7);
  EXPECT_EQ(flags[0].detail, "serial 'A1' is at site 'sh-03' here and at site 'sg-01' in f.yaml:6");
}

TEST_F(DiversionTest, EachRepeatIsJudgedAgainstEveryEarlierRecord) {
  EXPECT_EQ(Kinds(Flags({AssetLine("A1", "sh-03"), AssetLine("A1", "sh-03"),
                         AssetLine("A1", "sg-01"), AssetLine("A1", "sh-03")})),
            (std::vector<Kind>{Kind::kSerialRegisteredTwice, Kind::kSerialAtTwoSites,
                               Kind::kSerialAtTwoSites}));
}

TEST_F(DiversionTest, SerialsCompareIgnoringCase) {
  const std::vector<DiversionFlag> flags =
      Flags({AssetLine("ab12x", "sh-03"), AssetLine("AB12X", "sh-03")});
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, Kind::kSerialRegisteredTwice);
  EXPECT_EQ(flags[0].serial, "AB12X");
}

TEST_F(DiversionTest, DeclaredSpecsWithinFivePercentPass) {
  // 100.8 GB is 5% over 96 GB; 2300 TPP and 4100 GB/s are close too.
  EXPECT_TRUE(Flags({AssetLine("A1", "sh-03", "declared_memory_gb: 100.8"),
                     AssetLine("A2", "sh-03", "declared_memory_gb: 91.2"),
                     AssetLine("A3", "sh-03", "declared_tpp: 2300"),
                     AssetLine("A4", "sh-03", "declared_dram_bw_gbs: 4100")})
                  .empty());
}

TEST_F(DiversionTest, DeclaredSpecsBeyondFivePercentAreFlaggedPerField) {
  const std::vector<DiversionFlag> flags =
      Flags({AssetLine("A1", "sh-03", "declared_memory_gb: 101"),
             AssetLine("A2", "sh-03", "declared_tpp: 15832, declared_dram_bw_gbs: 4800")});
  ASSERT_EQ(flags.size(), 3u);
  EXPECT_EQ(Kinds(flags), std::vector<Kind>(3, Kind::kSpecsContradictCatalog));
  EXPECT_EQ(flags[0].detail, "declared memory 101 GB, catalog says 96 GB for nvidia-h20-96gb");
  EXPECT_EQ(flags[0].line, 6);
  EXPECT_EQ(flags[1].detail, "declared TPP 15832, catalog says 2368 for nvidia-h20-96gb");
  EXPECT_EQ(flags[2].detail,
            "declared memory bandwidth 4800 GB/s, catalog says 4000 GB/s for nvidia-h20-96gb");
  EXPECT_EQ(flags[2].serial, "A2");
}

TEST_F(DiversionTest, UnknownCatalogFiguresAreNotFlagged) {
  EXPECT_TRUE(Flags({AssetLine("P1", "sh-03",
                               "declared_memory_gb: 96, declared_tpp: 9999, "
                               "declared_dram_bw_gbs: 1",
                               "kunlunxin-p800")})
                  .empty());
}

TEST_F(DiversionTest, SpecFlagsAndSerialFlagsCombine) {
  const std::vector<DiversionFlag> flags =
      Flags({AssetLine("A1", "sh-03"), AssetLine("A1", "sh-03", "declared_memory_gb: 141")});
  EXPECT_EQ(Kinds(flags),
            (std::vector<Kind>{Kind::kSerialRegisteredTwice, Kind::kSpecsContradictCatalog}));
  ASSERT_EQ(flags.size(), 2u);
  EXPECT_THAT(flags[1].detail, HasSubstr("141 GB"));
}

}  // namespace
}  // namespace gpufleet::inventory
