// The shipped example fleet (examples/fleet.yaml + examples/assets.csv) against the shipped
// catalog: what it holds, the three anomalies planted in it, and the lookups rules need.

#include "gpufleet/inventory/inventory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace gpufleet::inventory {
namespace {

using ::testing::HasSubstr;

const std::string kExample = std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml";
const std::string kCatalog = std::string(GPUFLEET_SOURCE_DIR) + "/data/catalog/accelerators.yaml";

// 1-based number of the first line of `path` that contains `text`; 0 when none.
int LineOf(const std::string& path, const std::string& text) {
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(text) != std::string::npos) return n;
  }
  return 0;
}

class ExampleFleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<catalog::Catalog> c = catalog::Catalog::Load(kCatalog);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_.emplace(std::move(c).value());
    Result<Inventory> inv = Inventory::Load(kExample, *catalog_);
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    inventory_.emplace(std::move(inv).value());
  }

  std::optional<catalog::Catalog> catalog_;
  std::optional<Inventory> inventory_;
};

TEST_F(ExampleFleetTest, HoldsEveryOrganisationSiteAndAsset) {
  const Inventory& inv = *inventory_;
  EXPECT_EQ(inv.organisations().size(), 9u);
  EXPECT_EQ(inv.sites().size(), 7u);
  // 8 inline in the YAML, then 113 CSV rows.
  ASSERT_EQ(inv.assets().size(), 121u);
  EXPECT_EQ(inv.assets().front().file, kExample);
  EXPECT_EQ(inv.assets().front().line, LineOf(kExample, "1654823001201"));
  EXPECT_EQ(inv.assets()[8].file, std::string(GPUFLEET_SOURCE_DIR) + "/examples/assets.csv");
  EXPECT_EQ(inv.assets()[8].line, 2);

  std::map<std::string, int> per_site;
  for (const Asset& a : inv.assets()) ++per_site[a.site];
  EXPECT_EQ(per_site, (std::map<std::string, int>{{"sh-03", 45},
                                                  {"bj-01", 24},
                                                  {"gz-hub", 20},
                                                  {"hk-01", 8},
                                                  {"sg-01", 8},
                                                  {"johor-dc", 8},
                                                  {"abu-dhabi", 8}}));
}

TEST_F(ExampleFleetTest, ResolvesAliasesToCatalogIds) {
  std::map<std::string, int> per_model;
  for (const Asset& a : inventory_->assets()) ++per_model[a.model];
  EXPECT_EQ(per_model.at("nvidia-h20-96gb"), 25);
  EXPECT_EQ(per_model.at("nvidia-h100-sxm5-80gb"), 28);
  EXPECT_EQ(per_model.at("huawei-ascend-910b"), 16);
  EXPECT_EQ(per_model.at("bytedance-broadcom-5nm-asic"), 4);
  EXPECT_EQ(per_model.at("nvidia-geforce-rtx-4090d"), 4);
  for (const Asset& a : inventory_->assets()) {
    EXPECT_NE(catalog_->Find(a.model), nullptr) << a.model;
    EXPECT_EQ(catalog_->Find(a.model)->id, a.model);
  }
}

TEST_F(ExampleFleetTest, FlagsExactlyTheThreePlantedAnomalies) {
  const std::vector<DiversionFlag>& flags = inventory_->flags();
  ASSERT_EQ(flags.size(), 3u);
  // In asset order: the Singapore board re-appearing in Shanghai (CSV line 20), the H20
  // registered twice (line 38), the H20 with H200 memory (line 70).
  EXPECT_EQ(flags[0].kind, DiversionFlag::Kind::kSerialAtTwoSites);
  EXPECT_EQ(flags[0].serial, "1654823001203");
  EXPECT_EQ(flags[0].line, 20);
  EXPECT_THAT(flags[0].detail, HasSubstr("'sh-03' here and at site 'sg-01'"));
  EXPECT_EQ(flags[1].kind, DiversionFlag::Kind::kSerialRegisteredTwice);
  EXPECT_EQ(flags[1].serial, "1655023004417");
  EXPECT_EQ(flags[1].line, 38);
  EXPECT_THAT(flags[1].detail, HasSubstr("assets.csv:28"));
  EXPECT_EQ(flags[2].kind, DiversionFlag::Kind::kSpecsContradictCatalog);
  EXPECT_EQ(flags[2].serial, "1655025009904");
  EXPECT_EQ(flags[2].line, 70);
  EXPECT_EQ(flags[2].detail, "declared memory 141 GB, catalog says 96 GB for nvidia-h20-96gb");
}

TEST_F(ExampleFleetTest, SubsidiaryAbroadLeadsBackToAChineseParent) {
  const Inventory& inv = *inventory_;
  ASSERT_NE(inv.FindOrg("acme-sg"), nullptr);
  EXPECT_EQ(inv.FindOrg("acme-sg")->hq_country, "SG");
  EXPECT_EQ(inv.FindOrg("acme-sg")->kind, OrgKind::kSubsidiary);
  // Through acme-hk (HQ HK) to acme.
  EXPECT_EQ(inv.UltimateParentHq("acme-sg"), "CN");
  EXPECT_EQ(inv.UltimateParentHq("acme"), "CN");
  EXPECT_EQ(inv.UltimateParentHq("tanjung-dc"), "MY");
  EXPECT_EQ(inv.UltimateParentHq("no-such-org"), "");
  EXPECT_EQ(inv.FindOrg("no-such-org"), nullptr);
}

TEST_F(ExampleFleetTest, SitesCarryTheirPolicyAttributes) {
  const Inventory& inv = *inventory_;
  const Site* bj = inv.FindSite("bj-01");
  ASSERT_NE(bj, nullptr);
  EXPECT_TRUE(bj->state_funded);
  EXPECT_FALSE(bj->public_hub);
  EXPECT_EQ(bj->project_completion_pct, 20);
  const Site* hub = inv.FindSite("gz-hub");
  ASSERT_NE(hub, nullptr);
  EXPECT_TRUE(hub->public_hub);
  EXPECT_EQ(hub->project_completion_pct, std::nullopt);
  const Site* johor = inv.FindSite("johor-dc");
  ASSERT_NE(johor, nullptr);
  EXPECT_EQ(johor->ownership, SiteOwnership::kRented);
  EXPECT_EQ(johor->country, "MY");
  EXPECT_EQ(inv.FindSite("hk-01")->ownership, SiteOwnership::kLeased);
  EXPECT_EQ(inv.FindSite("sh-99"), nullptr);
}

TEST_F(ExampleFleetTest, AcquisitionsFallOnBothSidesOfTheRuleDates) {
  // The H20 guidance (2025-04-09) and the Oct 2022 rule for H100s in China.
  const Date h20_rule = *Date::Parse("2025-04-09");
  const Date oct_2022 = *Date::Parse("2022-10-07");
  int h20_before = 0, h20_after = 0, h100_cn_before = 0, h100_cn_after = 0;
  for (const Asset& a : inventory_->assets()) {
    if (a.model == "nvidia-h20-96gb") ++(a.acquired < h20_rule ? h20_before : h20_after);
    if (a.model == "nvidia-h100-sxm5-80gb" && inventory_->FindSite(a.site)->country == "CN") {
      ++(a.acquired < oct_2022 ? h100_cn_before : h100_cn_after);
    }
  }
  EXPECT_EQ(h20_before, 9);
  EXPECT_EQ(h20_after, 16);
  EXPECT_EQ(h100_cn_before, 8);
  EXPECT_EQ(h100_cn_after, 4);
}

TEST_F(ExampleFleetTest, RecordsHowEachAssetIsHeldAndArrived) {
  const Asset* rented = nullptr;
  const Asset* transferred = nullptr;
  for (const Asset& a : inventory_->assets()) {
    if (a.site == "abu-dhabi" && rented == nullptr) rented = &a;
    if (a.owner == "northstar-compute" && transferred == nullptr) transferred = &a;
  }
  ASSERT_NE(rented, nullptr);
  EXPECT_EQ(rented->holding, Holding::kRentedRemote);
  EXPECT_EQ(rented->owner, "falcon-cloud");
  EXPECT_EQ(rented->operator_org, "acme-cloud");
  EXPECT_EQ(rented->node, "");
  ASSERT_NE(transferred, nullptr);
  EXPECT_EQ(transferred->arrival, Arrival::kInCountryTransfer);
  EXPECT_EQ(transferred->from_country, "CN");
  EXPECT_EQ(transferred->declared_memory_gb, std::nullopt);
}

TEST(EnumNamesTest, RoundTripEverySpelling) {
  for (const OrgKind k : {OrgKind::kCompany, OrgKind::kSubsidiary, OrgKind::kExternalCustomer,
                          OrgKind::kCounterparty}) {
    EXPECT_EQ(ParseOrgKind(OrgKindName(k)), k);
  }
  for (const SiteOwnership o :
       {SiteOwnership::kOwned, SiteOwnership::kLeased, SiteOwnership::kRented}) {
    EXPECT_EQ(ParseSiteOwnership(SiteOwnershipName(o)), o);
  }
  for (const Holding h : {Holding::kOwned, Holding::kLeased, Holding::kRentedRemote}) {
    EXPECT_EQ(ParseHolding(HoldingName(h)), h);
  }
  for (const Arrival a : {Arrival::kExport, Arrival::kReexport, Arrival::kInCountryTransfer}) {
    EXPECT_EQ(ParseArrival(ArrivalName(a)), a);
  }
  EXPECT_EQ(ArrivalName(Arrival::kInCountryTransfer), "in_country_transfer");
  EXPECT_EQ(HoldingName(Holding::kRentedRemote), "rented_remote");
  EXPECT_EQ(FlagKindName(DiversionFlag::Kind::kSerialAtTwoSites), "serial_at_two_sites");
  EXPECT_EQ(ParseHolding("Owned"), std::nullopt);
  EXPECT_EQ(ParseArrival("re-export"), std::nullopt);
}

}  // namespace
}  // namespace gpufleet::inventory
