// Great-circle distances against values worked by hand on a sphere of kEarthRadiusKm: an arc
// of angle θ radians is θ·R.

#include "gpufleet/model/location_evidence.h"

#include <gtest/gtest.h>

#include <numbers>

namespace gpufleet {
namespace {

struct DistanceCase {
  const char* what;
  double lat1, lon1, lat2, lon2;
  double km;  // θ·R, θ by hand
};

TEST(GreatCircleKmTest, ArcsWorkedByHand) {
  constexpr double kR = kEarthRadiusKm;
  constexpr double kPi = std::numbers::pi;
  const DistanceCase cases[] = {
      {"same point", 3.14, 101.69, 3.14, 101.69, 0.0},
      {"one degree along a meridian", 0, 0, 1, 0, kPi / 180 * kR},
      {"a quarter of the equator", 0, 0, 0, 90, kPi / 2 * kR},
      {"antipodes on the equator", 0, 0, 0, 180, kPi * kR},
      {"pole to pole", 90, 0, -90, 0, kPi * kR},
      {"across the antimeridian", 0, 179.5, 0, -179.5, kPi / 180 * kR},
      // On the 60th parallel the shortest path is not along it: the central angle of two
      // points 180° of longitude apart there is 60° (over the pole).
      {"over the pole, not along the parallel", 60, 0, 60, 180, kPi / 3 * kR},
  };
  for (const DistanceCase& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_NEAR(GreatCircleKm(c.lat1, c.lon1, c.lat2, c.lon2), c.km, 1e-6);
    EXPECT_NEAR(GreatCircleKm(c.lat2, c.lon2, c.lat1, c.lon1), c.km, 1e-6);  // symmetric
  }
}

TEST(GreatCircleKmTest, KualaLumpurToShanghaiIsAbout3750Km) {
  // Published great-circle distance (distance calculators, city centres): about 3,750 km.
  const double km = GreatCircleKm(3.139, 101.687, 31.230, 121.474);
  EXPECT_GT(km, 3700);
  EXPECT_LT(km, 3800);
}

}  // namespace
}  // namespace gpufleet
