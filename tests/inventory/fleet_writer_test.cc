// Writing an inventory and loading it back gives the same data: for the shipped example, and
// for seeded random fleets with awkward text (quotes, commas, YAML indicators, line breaks,
// non-ASCII) and full-precision numbers.

#include <gtest/gtest.h>

#include <charconv>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/rng.h"

namespace gpufleet::inventory {
namespace {

const std::string kSourceDir = GPUFLEET_SOURCE_DIR;

catalog::Catalog ShippedCatalog() {
  Result<catalog::Catalog> c =
      catalog::Catalog::Load(kSourceDir + "/data/catalog/accelerators.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = ::testing::TempDir() + "fleet_writer_test_" + info->name();
  std::filesystem::create_directories(dir);
  return dir;
}

// Positions say where a record was read, not what it is.
std::vector<Asset> WithoutPositions(std::vector<Asset> assets) {
  for (Asset& a : assets) {
    a.file.clear();
    a.line = 0;
  }
  return assets;
}

std::vector<std::pair<DiversionFlag::Kind, std::string>> FlagKeys(const Inventory& inv) {
  std::vector<std::pair<DiversionFlag::Kind, std::string>> keys;
  for (const DiversionFlag& f : inv.flags()) keys.emplace_back(f.kind, f.serial);
  return keys;
}

void ExpectSameData(const Inventory& want, const Inventory& got) {
  EXPECT_EQ(want.organisations(), got.organisations());
  EXPECT_EQ(want.sites(), got.sites());
  EXPECT_EQ(want.nodes(), got.nodes());
  EXPECT_EQ(WithoutPositions(want.assets()), WithoutPositions(got.assets()));
  EXPECT_EQ(FlagKeys(want), FlagKeys(got));
}

TEST(FleetWriterTest, ExampleRoundTrips) {
  const catalog::Catalog catalog = ShippedCatalog();
  Result<Inventory> original = Inventory::Load(kSourceDir + "/examples/fleet.yaml", catalog);
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  const std::string path = TestDir() + "/out.yaml";
  ASSERT_TRUE(original->WriteYaml(path).ok());

  Result<Inventory> reread = Inventory::Load(path, catalog);
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  ExpectSameData(*original, *reread);
  // Every asset, inline or not, now lives in the sibling CSV.
  ASSERT_FALSE(reread->assets().empty());
  EXPECT_EQ(reread->assets().front().file, TestDir() + "/out.assets.csv");
  EXPECT_EQ(reread->assets().front().line, 2);
  EXPECT_EQ(reread->flags().size(), 3u);
}

// Node records and site positions survive the round trip too.
TEST(FleetWriterTest, NodesAndPositionsRoundTrip) {
  const catalog::Catalog catalog = ShippedCatalog();
  Result<Inventory> original = Inventory::Parse(
      "organisations:\n  - {id: co, name: Co, kind: company, hq_country: SG}\n"
      "sites:\n  - {id: sg1, name: S, country: SG, ownership: owned, lat: 1.3521, lon: 103.8198}\n"
      "nodes:\n  - {id: 'n1', site: sg1, host_name: 'h-1.sg', cpu_cores: 96, memory_gib: 1536}\n"
      "  - {id: 'rack 7/slot 2', site: sg1, cpu_cores: 8, memory_gib: 64}\n",
      "fleet.yaml", "", catalog);
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  const std::string path = TestDir() + "/nodes.yaml";
  ASSERT_TRUE(original->WriteYaml(path).ok());
  Result<Inventory> reread = Inventory::Load(path, catalog);
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  ExpectSameData(*original, *reread);
  EXPECT_EQ(reread->nodes().size(), 2u);
  EXPECT_EQ(reread->sites().front().lat, 1.3521);
}

TEST(FleetWriterTest, UnwritablePathIsAnIOError) {
  const catalog::Catalog catalog = ShippedCatalog();
  Result<Inventory> inv = Inventory::Load(kSourceDir + "/examples/fleet.yaml", catalog);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  const Status s = inv->WriteYaml(TestDir() + "/no/such/dir/fleet.yaml");
  EXPECT_EQ(s.code(), Status::Code::kIOError);
}

// --- Seeded random fleets --------------------------------------------------------------------

// Text that trips up naive YAML or CSV writers.
constexpr const char* kAwkward[] = {
    "Acme",        "Acme, Inc.", "say \"hi\"", "colon: here", "# not a comment",
    "- dash",      "null",       "true",       "~",           "123",
    "1e3",         " padded ",   "阿克米集团", "tab\there",   "two\nlines",
    "back\\slash", "'single'",   "[flow]",     "{map}",       "&anchor",
    "*alias",      "!tag",       "%percent",   "@at",         "`tick`",
    "?q",          "|pipe",      ">fold",      "a,b,\"c\"",   "\"",
};
constexpr const char* kCountries[] = {"CN", "HK", "SG", "MY", "AE", "US", "TW", "JP", "DE"};

std::string Awkward(Rng& rng) {
  return std::string(rng.Pick(kAwkward)) + (rng.Uniform(2) ? std::to_string(rng.Uniform(99)) : "");
}

// A number that needs all 17 digits, or a round one.
double RandomNumber(Rng& rng, double scale) {
  return rng.Uniform(2) ? rng.UniformDouble() * scale : static_cast<double>(rng.Uniform(1000) + 1);
}

template <typename E>
E RandomEnum(Rng& rng, std::initializer_list<E> values) {
  return *(values.begin() + rng.Uniform(values.size()));
}

// YAML double-quoted scalar; escapes written by hand so the test does not rely on the
// emitter it checks.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Number(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  EXPECT_EQ(ec, std::errc());
  return std::string(buf, ptr);
}

// Organisations whose parents form a forest, listed in shuffled order so parents are
// sometimes defined after their children.
std::vector<Organisation> RandomOrganisations(Rng& rng) {
  const int n = 1 + static_cast<int>(rng.Uniform(8));
  std::vector<Organisation> orgs;
  for (int i = 0; i < n; ++i) {
    Organisation o;
    o.id = "org-" + std::to_string(i);
    o.name = Awkward(rng);
    o.kind = RandomEnum(rng, {OrgKind::kCompany, OrgKind::kSubsidiary, OrgKind::kExternalCustomer,
                              OrgKind::kCounterparty});
    if (i > 0 && (o.kind == OrgKind::kSubsidiary || rng.Uniform(3) == 0)) {
      o.parent = orgs[rng.Uniform(orgs.size())].id;
    }
    if (o.kind == OrgKind::kSubsidiary && o.parent.empty()) o.kind = OrgKind::kCompany;
    o.hq_country = rng.Pick(kCountries);
    orgs.push_back(o);
  }
  rng.Shuffle(orgs);
  return orgs;
}

std::vector<Site> RandomSites(Rng& rng) {
  const int n = 1 + static_cast<int>(rng.Uniform(5));
  std::vector<Site> sites;
  for (int i = 0; i < n; ++i) {
    Site s;
    s.id = "site-" + std::to_string(i);
    s.name = Awkward(rng);
    s.country = rng.Pick(kCountries);
    if (rng.Uniform(2)) s.region = Awkward(rng);
    s.ownership =
        RandomEnum(rng, {SiteOwnership::kOwned, SiteOwnership::kLeased, SiteOwnership::kRented});
    if (s.ownership == SiteOwnership::kRented || rng.Uniform(2)) s.provider = Awkward(rng);
    s.state_funded = rng.Uniform(2);
    s.public_hub = rng.Uniform(2);
    if (rng.Uniform(2)) s.project_completion_pct = rng.UniformDouble() * 100;
    sites.push_back(s);
  }
  return sites;
}

// A consistent asset: the path agrees with from_country, rented capacity is someone else's.
// A small serial pool makes repeats (and so flags) common.
Asset RandomAsset(Rng& rng, const catalog::Catalog& catalog, const std::vector<Organisation>& orgs,
                  const std::vector<Site>& sites, int pool) {
  Asset a;
  a.serial = "SN-" + std::to_string(rng.Uniform(pool));
  a.model = catalog.models()[rng.Uniform(catalog.models().size())].id;
  const Site& site = sites[rng.Uniform(sites.size())];
  a.site = site.id;
  if (rng.Uniform(2)) a.node = Awkward(rng);
  a.owner = orgs[rng.Uniform(orgs.size())].id;
  a.operator_org = orgs[rng.Uniform(orgs.size())].id;
  a.holding = RandomEnum(rng, {Holding::kOwned, Holding::kLeased, Holding::kRentedRemote});
  if (a.holding == Holding::kRentedRemote && a.owner == a.operator_org)
    a.holding = Holding::kLeased;
  a.acquired = Date::FromDays(18000 + static_cast<int32_t>(rng.Uniform(3000)));
  a.arrival = RandomEnum(rng, {Arrival::kExport, Arrival::kReexport, Arrival::kInCountryTransfer});
  if (rng.Uniform(4) > 0) {
    if (a.arrival == Arrival::kInCountryTransfer) {
      a.from_country = site.country;
    } else {
      while (a.from_country.empty() || a.from_country == site.country) {
        a.from_country = rng.Pick(kCountries);
      }
    }
  }
  if (rng.Uniform(3) == 0) a.declared_memory_gb = RandomNumber(rng, 200);
  if (rng.Uniform(3) == 0) a.declared_tpp = RandomNumber(rng, 30000);
  if (rng.Uniform(3) == 0) a.declared_dram_bw_gbs = RandomNumber(rng, 9000);
  return a;
}

// The fleet as YAML with inline assets, models written by id or by any alias.
std::string FleetYaml(Rng& rng, const catalog::Catalog& catalog,
                      const std::vector<Organisation>& orgs, const std::vector<Site>& sites,
                      const std::vector<Asset>& assets) {
  std::string y = "organisations:\n";
  for (const Organisation& o : orgs) {
    y += "  - {id: " + o.id + ", name: " + Quote(o.name) +
         ", kind: " + std::string(OrgKindName(o.kind));
    if (!o.parent.empty()) y += ", parent: " + o.parent;
    y += ", hq_country: " + o.hq_country + "}\n";
  }
  y += "sites:\n";
  for (const Site& s : sites) {
    y += "  - {id: " + s.id + ", name: " + Quote(s.name) + ", country: " + s.country;
    if (!s.region.empty()) y += ", region: " + Quote(s.region);
    if (!s.provider.empty()) y += ", provider: " + Quote(s.provider);
    y += ", ownership: " + std::string(SiteOwnershipName(s.ownership));
    if (s.state_funded || rng.Uniform(2))
      y += s.state_funded ? ", state_funded: true" : ", state_funded: false";
    if (s.public_hub) y += ", public_hub: true";
    if (s.project_completion_pct) {
      y += ", project_completion_pct: " + Number(*s.project_completion_pct);
    }
    y += "}\n";
  }
  y += assets.empty() ? "assets: []\n" : "assets:\n";
  for (const Asset& a : assets) {
    const catalog::AcceleratorSpec& spec = *catalog.Find(a.model);
    const size_t spelling = rng.Uniform(spec.aliases.size() + 1);
    const std::string model = spelling == 0 ? spec.id : spec.aliases[spelling - 1];
    y += "  - {serial: " + Quote(a.serial) + ", model: " + Quote(model) + ", site: " + a.site;
    if (!a.node.empty()) y += ", node: " + Quote(a.node);
    y += ", owner: " + a.owner + ", operator: " + a.operator_org +
         ", holding: " + std::string(HoldingName(a.holding)) +
         ", acquired: " + a.acquired.ToString() +
         ", arrival: " + std::string(ArrivalName(a.arrival));
    if (!a.from_country.empty()) y += ", from_country: " + a.from_country;
    if (a.declared_memory_gb) y += ", declared_memory_gb: " + Number(*a.declared_memory_gb);
    if (a.declared_tpp) y += ", declared_tpp: " + Number(*a.declared_tpp);
    if (a.declared_dram_bw_gbs) {
      y += ", declared_dram_bw_gbs: " + Number(*a.declared_dram_bw_gbs);
    }
    y += "}\n";
  }
  return y;
}

TEST(FleetWriterPropertyTest, RandomFleetsReadAsGeneratedAndRoundTrip) {
  const catalog::Catalog catalog = ShippedCatalog();
  const std::string dir = TestDir();
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Rng rng(seed);
    const std::vector<Organisation> orgs = RandomOrganisations(rng);
    const std::vector<Site> sites = RandomSites(rng);
    const int count = static_cast<int>(rng.Uniform(60));
    std::vector<Asset> assets;
    for (int i = 0; i < count; ++i) {
      assets.push_back(RandomAsset(rng, catalog, orgs, sites, count + 5));
    }
    const std::string yaml = FleetYaml(rng, catalog, orgs, sites, assets);

    Result<Inventory> parsed = Inventory::Parse(yaml, "gen.yaml", "", catalog);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << yaml;
    EXPECT_EQ(parsed->organisations(), orgs);
    EXPECT_EQ(parsed->sites(), sites);
    EXPECT_EQ(WithoutPositions(parsed->assets()), assets);

    const std::string path = dir + "/seed" + std::to_string(seed) + ".yaml";
    ASSERT_TRUE(parsed->WriteYaml(path).ok());
    Result<Inventory> reread = Inventory::Load(path, catalog);
    ASSERT_TRUE(reread.ok()) << reread.status().ToString();
    ExpectSameData(*parsed, *reread);
    if (HasFailure()) return;  // one seed's diff is enough to read
  }
}

}  // namespace
}  // namespace gpufleet::inventory
