// Great-circle distance for location evidence (model/location_evidence.h).

#include "gpufleet/model/location_evidence.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gpufleet {

double GreatCircleKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRadians = std::numbers::pi / 180.0;
  const double phi1 = lat1 * kRadians;
  const double phi2 = lat2 * kRadians;
  const double dphi = (lat2 - lat1) * kRadians;
  const double dlambda = (lon2 - lon1) * kRadians;
  // The haversine form rather than the spherical law of cosines: it stays accurate for the
  // short distances (a landmark in the same city) where acos loses its digits.
  const double a = std::sin(dphi / 2) * std::sin(dphi / 2) +
                   std::cos(phi1) * std::cos(phi2) * std::sin(dlambda / 2) * std::sin(dlambda / 2);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::clamp(a, 0.0, 1.0)));
}

}  // namespace gpufleet
