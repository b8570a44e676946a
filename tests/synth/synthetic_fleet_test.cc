// GenerateFleet: determinism, target accuracy, weight and site apportionment, scale, and
// spec validation.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

#include "gpufleet/synth/synthetic.h"

namespace gpufleet::synth {
namespace {

constexpr int64_t kMiBPerTiB = 1024 * 1024;

Fleet MustGenerate(const FleetSpec& spec, uint64_t seed) {
  auto fleet = GenerateFleet(spec, seed);
  EXPECT_TRUE(fleet.ok()) << fleet.status().ToString();
  return fleet.ok() ? std::move(fleet).value() : Fleet();
}

bool SameNodes(const Fleet& a, const Fleet& b) {
  if (a.nodes().size() != b.nodes().size()) return false;
  for (size_t i = 0; i < a.nodes().size(); ++i) {
    const NodeSpec& x = a.nodes()[i];
    const NodeSpec& y = b.nodes()[i];
    if (x.id != y.id || x.name != y.name || x.site != y.site || x.gpu_model != y.gpu_model ||
        x.gpu_count != y.gpu_count || x.cpu_milli != y.cpu_milli || x.memory_mib != y.memory_mib) {
      return false;
    }
  }
  return true;
}

TEST(GenerateFleetTest, SameSeedGivesIdenticalFleet) {
  const Fleet a = MustGenerate(DemoFleetSpec(), 42);
  const Fleet b = MustGenerate(DemoFleetSpec(), 42);
  ASSERT_EQ(a.models().size(), b.models().size());
  for (size_t i = 0; i < a.models().size(); ++i) {
    EXPECT_EQ(a.models()[i].id, b.models()[i].id);
    EXPECT_EQ(a.models()[i].vendor, b.models()[i].vendor);
    EXPECT_EQ(a.models()[i].name, b.models()[i].name);
    EXPECT_EQ(a.models()[i].memory_mib, b.models()[i].memory_mib);
  }
  ASSERT_EQ(a.sites().size(), b.sites().size());
  for (size_t i = 0; i < a.sites().size(); ++i) {
    EXPECT_EQ(a.sites()[i].id, b.sites()[i].id);
    EXPECT_EQ(a.sites()[i].name, b.sites()[i].name);
    EXPECT_EQ(a.sites()[i].country, b.sites()[i].country);
    EXPECT_EQ(a.sites()[i].provider, b.sites()[i].provider);
    EXPECT_EQ(a.sites()[i].ownership, b.sites()[i].ownership);
  }
  EXPECT_TRUE(SameNodes(a, b));
  EXPECT_EQ(a.total_gpus(), b.total_gpus());
}

TEST(GenerateFleetTest, DifferentSeedsSplitNodesDifferently) {
  EXPECT_FALSE(SameNodes(MustGenerate(DemoFleetSpec(), 1), MustGenerate(DemoFleetSpec(), 2)));
}

TEST(GenerateFleetTest, DemoFleetHasTheDescribedShape) {
  const Fleet fleet = MustGenerate(DemoFleetSpec(), 7);
  EXPECT_GE(fleet.total_gpus(), 2000);
  EXPECT_LE(fleet.total_gpus(), 4000);
  EXPECT_EQ(fleet.sites().size(), 5u);
  for (const char* model : {"H20", "H200", "H100", "Ascend910B", "MLU370"}) {
    EXPECT_TRUE(fleet.FindModel(model).has_value()) << model;
  }
  const ChipModelId h100 = *fleet.FindModel("H100");
  std::map<int32_t, int> nodes_by_gpus;
  for (const NodeSpec& n : fleet.nodes()) {
    const Site& site = fleet.site(n.site);
    ++nodes_by_gpus[n.gpu_count];
    EXPECT_EQ(n.name.rfind(site.name + "-", 0), 0u) << n.name;
    // Rented capacity abroad is exactly the H100s.
    EXPECT_EQ(n.gpu_model == h100, site.ownership == Ownership::kRented) << n.name;
    EXPECT_EQ(n.gpu_model == h100, site.country != "CN") << n.name;
    EXPECT_GE(n.cpu_milli, 128000);
    EXPECT_LE(n.cpu_milli, 192000);
    EXPECT_GE(n.memory_mib, 1 * kMiBPerTiB);
    EXPECT_LE(n.memory_mib, 2 * kMiBPerTiB);
  }
  EXPECT_EQ(nodes_by_gpus.size(), 2u);
  EXPECT_GT(nodes_by_gpus[8], 4 * nodes_by_gpus[4]);
  EXPECT_GT(nodes_by_gpus[4], 0);
}

TEST(GenerateFleetTest, HitsTargetWithinOneNode) {
  for (const int64_t target : {1, 3, 7, 8, 100, 1001, 3072, 12345}) {
    FleetSpec spec = DemoFleetSpec();
    spec.target_gpus = target;
    const Fleet fleet = MustGenerate(spec, 3);
    // The smallest demo node has 4 GPUs; rounding to the nearer side keeps within half of it.
    EXPECT_LE(std::abs(fleet.total_gpus() - target), 2) << "target " << target;
  }
}

TEST(GenerateFleetTest, TypesGetTheirWeightAndSitesWithinOneNodeOfTheirShare) {
  FleetSpec spec = DemoFleetSpec();
  spec.target_gpus = 30000;
  const Fleet fleet = MustGenerate(spec, 11);
  double type_weight = 0;
  for (const NodeTypeSpec& t : spec.node_types) type_weight += t.weight;
  for (const NodeTypeSpec& t : spec.node_types) {
    std::map<std::string, int64_t> per_site;
    int64_t gpus = 0;
    for (const NodeSpec& n : fleet.nodes()) {
      const std::string& site = fleet.site(n.site).name;
      if (n.name.rfind(site + "-" + t.name_prefix + "-", 0) != 0) continue;
      ++per_site[site];
      gpus += n.gpu_count;
    }
    const double ideal = static_cast<double>(spec.target_gpus) * t.weight / type_weight;
    EXPECT_LE(std::abs(static_cast<double>(gpus) - ideal), 2.0 * t.gpus_per_node) << t.name_prefix;
    const int64_t nodes = gpus / t.gpus_per_node;
    double site_weight = 0;
    for (const SiteSpec& s : spec.sites) {
      if (std::find(t.sites.begin(), t.sites.end(), s.name) != t.sites.end()) {
        site_weight += s.weight;
      }
    }
    for (const SiteSpec& s : spec.sites) {
      if (std::find(t.sites.begin(), t.sites.end(), s.name) == t.sites.end()) {
        EXPECT_EQ(per_site[s.name], 0) << t.name_prefix << " at " << s.name;
        continue;
      }
      const double share = static_cast<double>(nodes) * s.weight / site_weight;
      EXPECT_LT(std::abs(static_cast<double>(per_site[s.name]) - share), 1.0)
          << t.name_prefix << " at " << s.name;
    }
  }
}

TEST(GenerateFleetTest, MillionGpuFleetHasAboutOneHundredTwentyFiveThousandNodes) {
  constexpr int64_t kGpus = 1'000'000;
  const Fleet fleet = MustGenerate(LargeFleetSpec(kGpus), 5);
  EXPECT_GE(fleet.nodes().size(), 125'000u);
  EXPECT_LE(fleet.nodes().size(), 140'000u);
  EXPECT_LE(std::abs(fleet.total_gpus() - kGpus), 8);
  std::map<int32_t, size_t> nodes_by_gpus;
  for (const NodeSpec& n : fleet.nodes()) ++nodes_by_gpus[n.gpu_count];
  EXPECT_GT(nodes_by_gpus[8], fleet.nodes().size() * 3 / 4);
  EXPECT_GT(nodes_by_gpus[4], 0u);
  EXPECT_GT(nodes_by_gpus[2], 0u);
}

struct BadFleetCase {
  const char* name;
  void (*mutate)(FleetSpec&);
  const char* field;
};

TEST(GenerateFleetTest, BadSpecsNameTheField) {
  const BadFleetCase cases[] = {
      {"no sites", [](FleetSpec& s) { s.sites.clear(); }, "FleetSpec.sites"},
      {"no models", [](FleetSpec& s) { s.models.clear(); }, "FleetSpec.models"},
      {"no node types", [](FleetSpec& s) { s.node_types.clear(); }, "FleetSpec.node_types"},
      {"unknown model", [](FleetSpec& s) { s.node_types[2].model = "B300"; },
       "FleetSpec.node_types[2].model"},
      {"zero type weight", [](FleetSpec& s) { s.node_types[1].weight = 0; },
       "FleetSpec.node_types[1].weight"},
      {"NaN type weight", [](FleetSpec& s) { s.node_types[0].weight = std::nan(""); },
       "FleetSpec.node_types[0].weight"},
      {"zero site weight", [](FleetSpec& s) { s.sites[3].weight = 0; },
       "FleetSpec.sites[3].weight"},
      {"no GPUs per node", [](FleetSpec& s) { s.node_types[0].gpus_per_node = 0; },
       "FleetSpec.node_types[0].gpus_per_node"},
      {"too many GPUs per node", [](FleetSpec& s) { s.node_types[0].gpus_per_node = 17; },
       "FleetSpec.node_types[0].gpus_per_node"},
      {"unknown site", [](FleetSpec& s) { s.node_types[3].sites.push_back("us-east-1"); },
       "FleetSpec.node_types[3].sites[2]"},
      {"duplicate site", [](FleetSpec& s) { s.sites[1].name = s.sites[0].name; },
       "FleetSpec.sites[1].name"},
      {"duplicate prefix", [](FleetSpec& s) { s.node_types[1].name_prefix = "h20x8"; },
       "FleetSpec.node_types[1].name_prefix"},
      {"negative CPU", [](FleetSpec& s) { s.node_types[0].cpu_milli = -1; },
       "FleetSpec.node_types[0].cpu_milli"},
      {"zero target", [](FleetSpec& s) { s.target_gpus = 0; }, "FleetSpec.target_gpus"},
  };
  for (const BadFleetCase& c : cases) {
    FleetSpec spec = DemoFleetSpec();
    c.mutate(spec);
    const auto fleet = GenerateFleet(spec, 1);
    ASSERT_FALSE(fleet.ok()) << c.name;
    EXPECT_EQ(fleet.status().code(), Status::Code::kInvalidArgument) << c.name;
    EXPECT_NE(fleet.status().message().find(c.field), std::string::npos)
        << c.name << ": " << fleet.status().message();
  }
}

}  // namespace
}  // namespace gpufleet::synth
