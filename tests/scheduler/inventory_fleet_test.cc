// The placement view of an inventory (inventory_fleet.h): how assets become nodes, which
// assets are left out on a date, and which are quarantined by the fleet check.

#include "gpufleet/scheduler/inventory_fleet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/rule_set.h"
#include "support/cli_runner.h"

namespace gpufleet::scheduler {
namespace {

using ::testing::HasSubstr;

const std::string kSource = GPUFLEET_SOURCE_DIR;
constexpr char kH20[] = "nvidia-h20-96gb";
constexpr char kA100[] = "nvidia-a100-sxm4-80gb";
constexpr char kH100[] = "nvidia-h100-sxm5-80gb";

struct AssetRow {
  std::string serial;
  std::string model;
  std::string site;
  std::string node;  // "" = not recorded
  std::string acquired = "2022-01-10";
  std::string arrival = "export";
  std::string from = "TW";
  std::string owner = "co";
  std::string operator_org = "co";
};

// One company with a subsidiary, a counterparty and an external customer, three sites
// (Singapore, Malaysia, mainland China), then `assets`.
std::string InventoryYaml(const std::vector<AssetRow>& assets) {
  std::string text =
      "organisations:\n"
      "  - {id: co, name: Co, kind: company, hq_country: CN}\n"
      "  - {id: sub, name: Sub, kind: subsidiary, parent: co, hq_country: SG}\n"
      "  - {id: buyer, name: Buyer, kind: counterparty, hq_country: SG}\n"
      "  - {id: cust, name: Cust, kind: external_customer, hq_country: SG}\n"
      "sites:\n"
      "  - {id: sg1, name: Singapore 1, country: SG, ownership: owned}\n"
      "  - {id: my1, name: Johor 1, country: MY, ownership: owned}\n"
      "  - {id: cn1, name: Shanghai 1, country: CN, ownership: owned}\n"
      "assets:\n";
  for (const AssetRow& a : assets) {
    text += "  - {serial: \"" + a.serial + "\", model: " + a.model + ", site: " + a.site +
            (a.node.empty() ? "" : ", node: " + a.node) + ", owner: " + a.owner +
            ", operator: " + a.operator_org + ", holding: owned, acquired: " + a.acquired +
            ", arrival: " + a.arrival + (a.from.empty() ? "" : ", from_country: " + a.from) + "}\n";
  }
  return text;
}

// `n` assets of `model` at `site` on `node`, serials "<prefix>-0", "<prefix>-1", ...
std::vector<AssetRow> Batch(const std::string& prefix, int n, const std::string& model,
                            const std::string& site, const std::string& node = "") {
  std::vector<AssetRow> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({prefix + "-" + std::to_string(i), model, site, node});
  }
  return out;
}

std::vector<AssetRow> Concat(std::vector<AssetRow> a, const std::vector<AssetRow>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class InventoryFleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = catalog::Catalog::Load(kSource + "/data/catalog/accelerators.yaml");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::make_unique<catalog::Catalog>(std::move(cat).value());
  }

  // Parses the inventory (kept alive by the fixture: the fleet points into it); a parse error
  // fails the test and leaves an inventory with no assets.
  const inventory::Inventory& Parse(const std::vector<AssetRow>& assets) {
    auto inv = inventory::Inventory::Parse(InventoryYaml(assets), "fleet.yaml", "", *catalog_);
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    if (!inv.ok())
      inv = inventory::Inventory::Parse(InventoryYaml({}), "empty.yaml", "", *catalog_);
    inventories_.push_back(std::make_unique<inventory::Inventory>(std::move(inv).value()));
    return *inventories_.back();
  }

  // The fleet on `date`; an error fails the test and gives an empty fleet.
  InventoryFleet Build(const inventory::Inventory& inv, const std::string& date = "2024-06-01",
                       const compliance::FleetCheckReport& check = {},
                       const NodeResources& resources = {}) {
    Result<InventoryFleet> f =
        BuildInventoryFleet(inv, *catalog_, *Date::Parse(date), check, resources);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : InventoryFleet{};
  }

  // Node name -> accelerators.
  static std::map<std::string, int32_t> NodeSizes(const InventoryFleet& f) {
    std::map<std::string, int32_t> out;
    for (const NodeSpec& n : f.fleet.nodes()) out[n.name] = n.gpu_count;
    return out;
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::vector<std::unique_ptr<inventory::Inventory>> inventories_;
};

TEST_F(InventoryFleetTest, UnnamedAssetsArePackedEightToANodePerSiteAndModel) {
  const inventory::Inventory& inv = Parse(Batch("h20", 20, kH20, "sg1"));
  const InventoryFleet f = Build(inv);
  const std::string base = std::string("sg1/") + kH20;
  const std::map<std::string, int32_t> expected = {
      {base + "#1", 8}, {base + "#2", 8}, {base + "#3", 4}};
  EXPECT_EQ(NodeSizes(f), expected);
  for (const NodeSpec& n : f.fleet.nodes()) {
    EXPECT_EQ(f.fleet.site(n.site).name, "sg1");
    EXPECT_EQ(f.fleet.model(n.gpu_model).name, kH20);
  }
}

TEST_F(InventoryFleetTest, UnnamedAssetsOfTwoModelsOrTwoSitesAreNotMixed) {
  const inventory::Inventory& inv = Parse(Concat(
      Concat(Batch("a", 3, kH20, "sg1"), Batch("b", 5, kA100, "sg1")), Batch("c", 2, kH20, "my1")));
  const InventoryFleet f = Build(inv);
  const std::map<std::string, int32_t> expected = {{std::string("sg1/") + kH20 + "#1", 3},
                                                   {std::string("sg1/") + kA100 + "#1", 5},
                                                   {std::string("my1/") + kH20 + "#1", 2}};
  EXPECT_EQ(NodeSizes(f), expected);
}

TEST_F(InventoryFleetTest, ANamedNodeKeepsItsNameAndSplitsByModel) {
  const inventory::Inventory& inv = Parse(
      Concat(Concat(Batch("a", 3, kH20, "sg1", "rack7"), Batch("b", 2, kA100, "sg1", "rack7")),
             Batch("c", 6, kH20, "sg1", "rack8")));
  const InventoryFleet f = Build(inv);
  const std::map<std::string, int32_t> expected = {{std::string("sg1/rack7/") + kH20, 3},
                                                   {std::string("sg1/rack7/") + kA100, 2},
                                                   {"sg1/rack8", 6}};
  EXPECT_EQ(NodeSizes(f), expected);
  const std::optional<NodeId> a100 = f.fleet.FindNode(std::string("sg1/rack7/") + kA100);
  ASSERT_TRUE(a100.has_value());
  EXPECT_EQ(f.fleet.model(f.fleet.node(*a100).gpu_model).name, kA100);
}

TEST_F(InventoryFleetTest, ANamedNodeOverSixteenIsCut) {
  const inventory::Inventory& inv = Parse(Batch("big", 20, kH20, "my1", "big"));
  const InventoryFleet f = Build(inv);
  ASSERT_EQ(kMaxGpusPerNode, 16);
  const std::map<std::string, int32_t> expected = {{"my1/big#1", 16}, {"my1/big#2", 4}};
  EXPECT_EQ(NodeSizes(f), expected);
}

TEST_F(InventoryFleetTest, ASerialRecordedTwiceCountsOnceWhereFirstRecorded) {
  std::vector<AssetRow> rows = Batch("s", 5, kH20, "sg1", "n1");
  rows.push_back({"s-2", kH20, "sg1", "n1"});  // the same board at the same site again
  rows.push_back({"s-3", kH20, "my1", "n9"});  // and one recorded at a second site
  const inventory::Inventory& inv = Parse(rows);
  ASSERT_EQ(inv.assets().size(), 7u);
  const InventoryFleet f = Build(inv);
  const std::map<std::string, int32_t> expected = {{"sg1/n1", 5}};
  EXPECT_EQ(NodeSizes(f), expected);
  EXPECT_EQ(f.fleet.total_gpus(), 5);
}

TEST_F(InventoryFleetTest, AssetsAcquiredAfterTheDateAreLeftOut) {
  std::vector<AssetRow> rows = Batch("old", 3, kH20, "sg1", "n1");
  for (AssetRow r : Batch("same-day", 2, kH20, "sg1", "n1")) {
    r.acquired = "2024-06-01";
    rows.push_back(r);
  }
  for (AssetRow r : Batch("new", 4, kH20, "sg1", "n1")) {
    r.acquired = "2024-06-02";
    rows.push_back(r);
  }
  for (AssetRow r : Batch("newer", 4, kA100, "my1")) {
    r.acquired = "2025-01-01";
    rows.push_back(r);
  }
  const inventory::Inventory& inv = Parse(rows);
  const InventoryFleet on_date = Build(inv, "2024-06-01");
  const std::map<std::string, int32_t> expected = {{"sg1/n1", 5}};
  EXPECT_EQ(NodeSizes(on_date), expected) << "acquired on the date counts, after it does not";
  EXPECT_FALSE(on_date.fleet.FindModel(kA100).has_value())
      << "a model with no asset yet is not in the fleet";
  const InventoryFleet later = Build(inv, "2025-01-01");
  EXPECT_EQ(later.fleet.total_gpus(), 13);
}

TEST_F(InventoryFleetTest, AssetsInViolationAreQuarantinedWithTheirRules) {
  // H100s re-exported to a mainland site in 2023 with no licence: the shipped history makes
  // that a violation (US-2022-3A090). H20s bought there in 2022 are not caught.
  std::vector<AssetRow> rows;
  for (AssetRow r : Batch("h100", 4, kH100, "cn1", "n1")) {
    r.acquired = "2023-03-20";
    r.arrival = "reexport";
    r.from = "SG";
    rows.push_back(r);
  }
  rows = Concat(rows, Batch("h20", 6, kH20, "cn1", "n2"));
  rows = Concat(rows, Batch("sg", 3, kH100, "sg1", "n3"));
  const inventory::Inventory& inv = Parse(rows);
  auto rules =
      compliance::RuleSet::Parse(gpufleet::testing::ReadFile(kSource + "/data/rules/default.yaml"),
                                 "default.yaml", catalog_->IdsByName());
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const auto engine = compliance::MakeNaiveEngine(*rules);
  const Date at = *Date::Parse("2024-06-01");
  const compliance::FleetCheckReport check =
      compliance::CheckFleet(inv, *catalog_, *rules, *engine, at);

  // What the check says, asset by asset.
  std::set<std::string> violating;
  for (const compliance::AssetFinding& af : check.findings) {
    if (af.situation->severity == compliance::Severity::kViolation) {
      violating.insert(af.asset->serial);
    }
  }
  ASSERT_EQ(violating.size(), 4u) << "precondition: only the re-exported H100s are in violation";
  for (const std::string& s : violating) ASSERT_EQ(s.substr(0, 5), "h100-");

  const InventoryFleet f = Build(inv, "2024-06-01", check);
  ASSERT_EQ(f.quarantined.size(), 1u);
  const Quarantined& q = f.quarantined[0];
  EXPECT_EQ(q.site, "cn1");
  EXPECT_EQ(q.model, kH100);
  EXPECT_EQ(q.gpus, 4);
  EXPECT_THAT(q.rules, HasSubstr("US-2022-3A090"));
  const std::map<std::string, int32_t> expected = {{"cn1/n2", 6}, {"sg1/n3", 3}};
  EXPECT_EQ(NodeSizes(f), expected) << "the quarantined H100s are placed on nowhere";
  // With no check, the same H100s are nodes again.
  const InventoryFleet unchecked = Build(inv, "2024-06-01");
  EXPECT_TRUE(unchecked.quarantined.empty());
  EXPECT_EQ(NodeSizes(unchecked).count("cn1/n1"), 1u);
}

TEST_F(InventoryFleetTest, HostResourcesScaleWithAccelerators) {
  const inventory::Inventory& inv =
      Parse(Concat(Batch("a", 11, kH20, "sg1"), Batch("b", 3, kA100, "my1", "n1")));
  for (const NodeResources& r : {NodeResources{}, NodeResources{4000, 2048}}) {
    const InventoryFleet f = Build(inv, "2024-06-01", {}, r);
    ASSERT_EQ(f.fleet.nodes().size(), 3u);
    for (const NodeSpec& n : f.fleet.nodes()) {
      EXPECT_EQ(n.cpu_milli, r.cpu_milli_per_gpu * n.gpu_count) << n.name;
      EXPECT_EQ(n.memory_mib, r.memory_mib_per_gpu * n.gpu_count) << n.name;
    }
  }
}

TEST_F(InventoryFleetTest, SitesAndChipsPointBackIntoTheInventoryAndCatalog) {
  const inventory::Inventory& inv =
      Parse(Concat(Batch("a", 2, kH20, "my1"), Batch("b", 2, kA100, "cn1", "x")));
  const InventoryFleet f = Build(inv);
  ASSERT_EQ(f.sites.size(), inv.sites().size());
  ASSERT_EQ(f.fleet.sites().size(), inv.sites().size());
  for (size_t s = 0; s < f.sites.size(); ++s) {
    EXPECT_EQ(f.sites[s], &inv.sites()[s]);
    EXPECT_EQ(f.fleet.sites()[s].name, inv.sites()[s].id);
    EXPECT_EQ(f.fleet.sites()[s].country, inv.sites()[s].country);
  }
  ASSERT_EQ(f.chips.size(), f.fleet.models().size());
  for (size_t m = 0; m < f.chips.size(); ++m) {
    EXPECT_EQ(f.chips[m], catalog_->Find(f.fleet.models()[m].name));
  }
}

// Recorded node names are free text and may equal a derived one ("n1#2" beside a cut "n1", a
// node named like a model beside unnamed assets of that model): every asset still gets a node.
TEST_F(InventoryFleetTest, RecordedNodeNamesNeverCollideWithDerivedOnes) {
  const std::vector<std::vector<AssetRow>> cases = {
      Concat(Batch("a", 20, kH20, "sg1", "n1"), Batch("b", 3, kH20, "sg1", "n1#2")),
      Concat(Batch("c", 20, kH20, "sg1", kH20), Batch("d", 3, kH20, "sg1")),
      Concat(Concat(Batch("e", 2, kH20, "sg1", "n1"), Batch("f", 2, kA100, "sg1", "n1")),
             Batch("g", 3, kH20, "sg1", std::string("n1/") + kH20)),
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const inventory::Inventory& inv = Parse(cases[i]);
    Result<InventoryFleet> f = BuildInventoryFleet(inv, *catalog_, *Date::Parse("2024-06-01"), {});
    EXPECT_TRUE(f.ok()) << "case " << i << ": " << f.status().ToString();
    if (f.ok()) {
      EXPECT_EQ(f->fleet.total_gpus(), static_cast<int64_t>(cases[i].size())) << "case " << i;
    }
  }
}

// An asset is the fleet's while the group (a company or a subsidiary) runs it, or a customer
// rents it: a board a counterparty runs (sold, or leased out to it) or a customer owns and
// runs (sold) is left out and counted; one rented from a provider, rented out to a customer,
// or a provider's rented to a customer is kept.
TEST_F(InventoryFleetTest, AssetsTheGroupNeitherRunsNorRentsOutAreLeftOut) {
  std::vector<AssetRow> rows;
  for (const auto& [serial, owner, op] : {std::tuple{"ours", "co", "co"},
                                          {"subs", "sub", "sub"},
                                          {"rented-in", "buyer", "co"},
                                          {"rented-out", "co", "cust"},
                                          {"resold", "buyer", "cust"},
                                          {"sold", "buyer", "buyer"},
                                          {"sold-to-cust", "cust", "cust"},
                                          {"leased-away", "co", "buyer"}}) {
    AssetRow r{serial, kH20, "sg1", "n1"};
    r.owner = owner;
    r.operator_org = op;
    rows.push_back(r);
  }
  const inventory::Inventory& inv = Parse(rows);
  const InventoryFleet f = Build(inv);
  EXPECT_EQ(NodeSizes(f), (std::map<std::string, int32_t>{{"sg1/n1", 5}}));
  ASSERT_EQ(f.held_by_others.size(), 3u);  // by owner
  EXPECT_EQ(f.held_by_others[0].owner, "buyer");
  EXPECT_EQ(f.held_by_others[0].gpus, 1);
  EXPECT_EQ(f.held_by_others[1].owner, "co");
  EXPECT_EQ(f.held_by_others[2].owner, "cust");
  const std::set<std::string> away = {"sold", "sold-to-cust", "leased-away"};
  for (const inventory::Asset& a : inv.assets()) {
    EXPECT_EQ(HeldByFleet(inv, a), !away.contains(a.serial)) << a.serial;
  }
}

// Each node knows the (site, node, model) group it was made from and the boards placed in
// it: the parts of a cut node share one group, quarantined and later boards are in none.
TEST_F(InventoryFleetTest, EveryNodeNamesItsGroupAndTheGroupItsPlacedBoards) {
  std::vector<AssetRow> rows = Batch("big", 20, kH20, "my1", "big");
  for (AssetRow r : Batch("late", 2, kH20, "my1", "big")) {
    r.acquired = "2025-01-01";
    rows.push_back(r);
  }
  rows = Concat(rows, Batch("loose", 3, kA100, "sg1"));
  const inventory::Inventory& inv = Parse(rows);
  const InventoryFleet f = Build(inv);
  ASSERT_EQ(f.node_groups.size(), f.fleet.nodes().size());
  ASSERT_EQ(f.groups.size(), 2u);
  std::map<std::string, size_t> group_of;
  for (const NodeSpec& n : f.fleet.nodes()) group_of[n.name] = f.node_groups[n.id.value()];
  EXPECT_EQ(group_of.at("my1/big#1"), group_of.at("my1/big#2"));
  const NodeGroup& big = f.groups[group_of.at("my1/big#1")];
  EXPECT_EQ(big.site, "my1");
  EXPECT_EQ(big.node, "big");
  EXPECT_EQ(big.model, kH20);
  ASSERT_EQ(big.assets.size(), 20u);
  for (size_t i = 0; i < big.assets.size(); ++i) {
    EXPECT_EQ(big.assets[i]->serial, "big-" + std::to_string(i)) << "in inventory order";
  }
  const NodeGroup& loose = f.groups[group_of.at(std::string("sg1/") + kA100 + "#1")];
  EXPECT_EQ(loose.node, "");
  EXPECT_EQ(loose.assets.size(), 3u);
}

}  // namespace
}  // namespace gpufleet::scheduler

namespace gpufleet::scheduler {
namespace {

// A node record gives the host's CPU and memory, shared among the placement nodes cut from it
// by their accelerators; a node without one gets the per-accelerator defaults.
TEST_F(InventoryFleetTest, NodeRecordsGiveTheirHostsCpuAndMemory) {
  std::string yaml = InventoryYaml(
      Concat(Concat(Batch("a", 2, kH20, "my1", "n1"), Batch("b", 1, kA100, "my1", "n1")),
             Batch("c", 2, kH20, "my1", "n2")));
  yaml.insert(yaml.find("assets:\n"),
              "nodes:\n  - {id: n1, site: my1, host_name: gpu-n1.my1, cpu_cores: 64, "
              "memory_gib: 512}\n");
  auto inv = inventory::Inventory::Parse(yaml, "fleet.yaml", "", *catalog_);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  ASSERT_EQ(inv->nodes().size(), 1u);
  EXPECT_EQ(inv->FindNode("my1", "n1")->host_name, "gpu-n1.my1");
  const InventoryFleet f = Build(*inv);
  std::map<std::string, std::pair<int64_t, int64_t>> host;  // name -> cpu, memory
  for (const NodeSpec& n : f.fleet.nodes()) host[n.name] = {n.cpu_milli, n.memory_mib};
  const std::string h20 = std::string("my1/n1/") + kH20;
  const std::string a100 = std::string("my1/n1/") + kA100;
  ASSERT_TRUE(host.contains(h20) && host.contains(a100) && host.contains("my1/n2"));
  using Host = std::pair<int64_t, int64_t>;
  EXPECT_EQ(host[h20], Host(64000 * 2 / 3, 512 * 1024 * 2 / 3));
  EXPECT_EQ(host[a100], Host(64000 / 3, 512 * 1024 / 3));
  const NodeResources defaults;
  EXPECT_EQ(host["my1/n2"], Host(defaults.cpu_milli_per_gpu * 2, defaults.memory_mib_per_gpu * 2));
}

TEST_F(InventoryFleetTest, NodeRecordsAreChecked) {
  const std::string base = InventoryYaml({});
  for (const auto& [nodes, message] : std::vector<std::pair<std::string, std::string>>{
           {"  - {id: n1, site: zz9, cpu_cores: 8, memory_gib: 64}\n", "no site 'zz9'"},
           {"  - {id: n1, site: my1, cpu_cores: 0, memory_gib: 64}\n", "expected 1 to"},
           {"  - {id: n1, site: my1, cpu_cores: 8}\n", "memory_gib"},
           {"  - {id: n1, site: my1, cpu_cores: 8, memory_gib: 64, gpus: 8}\n", "gpus"},
           {"  - {id: n1, site: my1, cpu_cores: 8, memory_gib: 64}\n"
            "  - {id: n1, site: my1, cpu_cores: 16, memory_gib: 64}\n",
            "already the node"}}) {
    std::string yaml = base;
    yaml.insert(yaml.find("assets:\n"), "nodes:\n" + nodes);
    auto inv = inventory::Inventory::Parse(yaml, "fleet.yaml", "", *catalog_);
    EXPECT_EQ(inv.status().code(), Status::Code::kInvalidArgument) << nodes;
    EXPECT_THAT(inv.status().message(), HasSubstr(message)) << nodes;
  }
}

}  // namespace
}  // namespace gpufleet::scheduler
