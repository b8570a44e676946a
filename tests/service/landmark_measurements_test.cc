// The location rule and the store of measurements: verdicts against distances worked outside
// the program (arcs on the sphere, KL to Shanghai), the margin that makes a contradiction
// "provable", skips counted, and a replayed older measurement never hiding a newer one.

#include "gpufleet/service/landmark_measurements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numbers>

#include "gpufleet/catalog/catalog.h"

namespace gpufleet::service {
namespace {

using ::testing::HasSubstr;

// One degree along the equator on the model sphere: π/180 · 6371.0088 km.
constexpr double kKmPerDegree = std::numbers::pi / 180 * kEarthRadiusKm;

Landmark AtOrigin(const std::string& name = "origin") {
  return {.name = name, .lat = 0, .lon = 0, .verifier_key = ""};
}

inventory::Site SiteAt(std::optional<double> lat, std::optional<double> lon) {
  inventory::Site site;
  site.id = "s";
  site.lat = lat;
  site.lon = lon;
  return site;
}

Landmark Shanghai() { return {.name = "shanghai", .lat = 31.230, .lon = 121.474}; }
inventory::Site KualaLumpur() { return SiteAt(3.139, 101.687); }

TEST(LocationRuleTest, TwoMillisecondsFromShanghaiContradictsKualaLumpur) {
  const inventory::Site kl = KualaLumpur();
  const LocationVerdict v = JudgeMeasurement(Shanghai(), 2'000, &kl);
  EXPECT_DOUBLE_EQ(v.rtt_ms, 2.0);
  EXPECT_DOUBLE_EQ(v.bound_km, 200.0);  // 100·t
  EXPECT_DOUBLE_EQ(v.limit_km, 149.896 * 2 + 200);
  ASSERT_TRUE(v.distance_km.has_value());
  EXPECT_NEAR(*v.distance_km, 3750, 50);
  EXPECT_TRUE(v.contradicts);
  EXPECT_EQ(v.skipped, "");
}

TEST(LocationRuleTest, SixtyMillisecondsFromShanghaiIsConsistentWithKualaLumpur) {
  // 60 ms could be 6,000 km of fibre: a node in KL (or one adding delay) answers so.
  const inventory::Site kl = KualaLumpur();
  const LocationVerdict v = JudgeMeasurement(Shanghai(), 60'000, &kl);
  EXPECT_DOUBLE_EQ(v.bound_km, 6000.0);
  EXPECT_FALSE(v.contradicts);
}

TEST(LocationRuleTest, OnlyADistanceBeyondTheVacuumBoundAndMarginContradicts) {
  // A 10 ms round trip: fibre says about 1,000 km; light in vacuum 1,498.96 km; with the
  // 200 km margin the limit is 1,698.96 km. A site 15 degrees away (1,667.9 km) is beyond
  // the fibre estimate yet within the limit: not provable. 16 degrees (1,779.1 km) is.
  const LocationRule rule;
  const inventory::Site within = SiteAt(0, 15);
  const inventory::Site beyond = SiteAt(0, 16);
  const LocationVerdict near = JudgeMeasurement(AtOrigin(), 10'000, &within, rule);
  EXPECT_NEAR(*near.distance_km, 15 * kKmPerDegree, 1e-6);
  EXPECT_GT(*near.distance_km, near.bound_km);
  EXPECT_FALSE(near.contradicts);
  const LocationVerdict far = JudgeMeasurement(AtOrigin(), 10'000, &beyond, rule);
  EXPECT_NEAR(far.limit_km, 1698.96, 1e-9);
  EXPECT_TRUE(far.contradicts);
  // The margin is the rule's: with none, 15 degrees would be beyond 1,498.96 km too.
  const LocationVerdict strict = JudgeMeasurement(AtOrigin(), 10'000, &within, {.margin_km = 0});
  EXPECT_TRUE(strict.contradicts);
}

TEST(LocationRuleTest, AZeroRoundTripStillAllowsTheMargin) {
  // A landmark in the same city as the site: the margin keeps metro-scale error from
  // contradicting.
  const inventory::Site site = SiteAt(0, 1);  // 111.2 km
  EXPECT_FALSE(JudgeMeasurement(AtOrigin(), 0, &site).contradicts);
  const inventory::Site farther = SiteAt(0, 2);  // 222.4 km
  EXPECT_TRUE(JudgeMeasurement(AtOrigin(), 0, &farther).contradicts);
}

TEST(LocationRuleTest, AnUnknownSiteOrOneWithoutCoordinatesIsSkipped) {
  const LocationVerdict unknown = JudgeMeasurement(Shanghai(), 100, nullptr);
  EXPECT_EQ(unknown.skipped, "site_unknown");
  EXPECT_FALSE(unknown.contradicts);
  EXPECT_FALSE(unknown.distance_km.has_value());
  const inventory::Site bare = SiteAt(std::nullopt, std::nullopt);
  const LocationVerdict no_position = JudgeMeasurement(Shanghai(), 100, &bare);
  EXPECT_EQ(no_position.skipped, "site_without_coordinates");
  EXPECT_FALSE(no_position.contradicts);
  EXPECT_DOUBLE_EQ(no_position.bound_km, 10.0);  // the bound is reported all the same
}

TEST(LocationRuleTest, TheDeclaredSiteIsTheNodeNameBeforeTheFirstSlash) {
  EXPECT_EQ(DeclaredSite("kl-1/n0"), "kl-1");
  EXPECT_EQ(DeclaredSite("kl-1/rack/n0"), "kl-1");
  EXPECT_EQ(DeclaredSite("lonely"), "lonely");
}

class LandmarkMeasurementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<ledger::NoteKeyPair> sh = ledger::GenerateNoteKey("shanghai");
    Result<ledger::NoteKeyPair> kl = ledger::GenerateNoteKey("kl");
    ASSERT_TRUE(sh.ok() && kl.ok());
    Landmark shanghai = Shanghai();
    shanghai.verifier_key = sh->verifier_key;
    Result<std::unique_ptr<LandmarkMeasurements>> made = LandmarkMeasurements::Create(
        {shanghai, {.name = "kl", .lat = 3.139, .lon = 101.687, .verifier_key = kl->verifier_key}});
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    held_ = std::move(*made);
    Result<catalog::Catalog> catalog = catalog::Catalog::Load(std::string(GPUFLEET_SOURCE_DIR) +
                                                              "/data/catalog/accelerators.yaml");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    Result<inventory::Inventory> inv = inventory::Inventory::Parse(
        "organisations:\n"
        "  - {id: co, name: Co, kind: company, hq_country: MY}\n"
        "sites:\n"
        "  - {id: kl-1, name: KL 1, country: MY, ownership: owned, lat: 3.139, lon: 101.687}\n"
        "  - {id: bare, name: Bare, country: MY, ownership: owned}\n",
        "fleet.yaml", "", *catalog);
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    inventory_ = std::make_unique<inventory::Inventory>(std::move(*inv));
  }

  static LandmarkMeasurement M(const std::string& node, const std::string& landmark, int64_t rtt_us,
                               int64_t measured_ms) {
    return {.landmark = landmark,
            .node = node,
            .nonce_hex = std::string(64, '0'),
            .echo_signature_base64 = "x",
            .rtt_us = rtt_us,
            .samples = 1,
            .measured_ms = measured_ms};
  }

  std::unique_ptr<LandmarkMeasurements> held_;
  std::unique_ptr<inventory::Inventory> inventory_;
};

TEST_F(LandmarkMeasurementsTest, ContradictionsListEachNodeTooCloseToAFarLandmark) {
  ASSERT_TRUE(*held_->Record(M("kl-1/n0", "shanghai", 300, 10), 100));     // contradicts
  ASSERT_TRUE(*held_->Record(M("kl-1/n0", "kl", 300, 10), 100));           // same city: fine
  ASSERT_TRUE(*held_->Record(M("kl-1/n1", "shanghai", 60'000, 10), 100));  // far enough
  ASSERT_TRUE(*held_->Record(M("bare/n0", "shanghai", 300, 10), 100));     // no coordinates
  ASSERT_TRUE(*held_->Record(M("gone/n0", "shanghai", 300, 10), 100));     // no such site
  size_t skipped = 0;
  const std::vector<LocationContradiction> c = held_->Contradictions(*inventory_, &skipped);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].node, "kl-1/n0");
  EXPECT_EQ(c[0].landmark, "shanghai");
  EXPECT_EQ(c[0].declared_site, "kl-1");
  EXPECT_DOUBLE_EQ(c[0].rtt_ms, 0.3);
  EXPECT_DOUBLE_EQ(c[0].bound_km, 30.0);
  EXPECT_NEAR(c[0].distance_km, 3750, 50);
  EXPECT_GT(c[0].distance_km, c[0].limit_km);
  EXPECT_EQ(c[0].measured_ms, 10);
  EXPECT_EQ(skipped, 2u);
}

TEST_F(LandmarkMeasurementsTest, TheLatestMeasurementPerNodeAndLandmarkIsKept) {
  ASSERT_TRUE(*held_->Record(M("kl-1/n0", "shanghai", 300, 20), 100));
  // Replayed older evidence does not replace newer; newer does, even if it says otherwise.
  EXPECT_FALSE(*held_->Record(M("kl-1/n0", "shanghai", 60'000, 10), 101));
  EXPECT_EQ(held_->ForNode("kl-1/n0").at(0).measurement.rtt_us, 300);
  EXPECT_EQ(held_->Contradictions(*inventory_).size(), 1u);
  EXPECT_TRUE(*held_->Record(M("kl-1/n0", "shanghai", 60'000, 30), 102));
  const std::vector<HeldMeasurement> now = held_->ForNode("kl-1/n0");
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].measurement.rtt_us, 60'000);
  EXPECT_EQ(now[0].received_ms, 102);
  EXPECT_TRUE(held_->Contradictions(*inventory_).empty());
  EXPECT_TRUE(held_->ForNode("kl-1/n9").empty());
}

TEST(LandmarkMeasurementsCreateTest, KeysAreCheckedAndNamedAfterTheirLandmark) {
  Result<ledger::NoteKeyPair> key = ledger::GenerateNoteKey("shanghai");
  ASSERT_TRUE(key.ok());
  Landmark l = Shanghai();
  l.verifier_key = "not a key";
  Result<std::unique_ptr<LandmarkMeasurements>> bad = LandmarkMeasurements::Create({l});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("landmark 'shanghai': key:"));
  l.name = "beijing";
  l.verifier_key = key->verifier_key;
  bad = LandmarkMeasurements::Create({l});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("key is named 'shanghai'"));
  l.name = "shanghai";
  Result<std::unique_ptr<LandmarkMeasurements>> good = LandmarkMeasurements::Create({l});
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_NE((*good)->FindLandmark("shanghai"), nullptr);
  EXPECT_EQ((*good)->FindLandmark("beijing"), nullptr);
  EXPECT_EQ((*good)->verifiers().size(), 1u);
}

}  // namespace
}  // namespace gpufleet::service
