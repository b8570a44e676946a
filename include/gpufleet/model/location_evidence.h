#pragma once
// Location evidence (issue 18 section 3, docs/agent.md "Location evidence"): where a node is,
// measured by landmarks rather than claimed by the node. A landmark at known coordinates sends
// the node's agent a fresh nonce, times the signed echo, and reports the round trip signed
// with its own key. Light in fibre covers about 200 km per millisecond, so a round trip of
// t ms puts the node within about 100·t km of the landmark; a node can add delay but never
// remove it, so the bound holds whatever the node does.
//
// Thread safety: values and pure functions.

#include <cstdint>
#include <string>

namespace gpufleet {

// A landmark as the service knows it (gpufleetd --landmarks): its name (the name of its
// signed-note key), where it stands, and the verifier key its measurements are signed with.
struct Landmark {
  std::string name{};
  double lat = 0;              // degrees, -90..90
  double lon = 0;              // degrees, -180..180
  std::string verifier_key{};  // ledger/note_key.h text form; its name is `name`
  friend bool operator==(const Landmark&, const Landmark&) = default;
};

// One measurement as a landmark signs it: the best (smallest) round trip over `samples`
// echoes, with the nonce and the node's signature of that best echo, so that the service can
// check that the node's own key answered.
struct LandmarkMeasurement {
  std::string landmark{};               // the landmark's name
  std::string node{};                   // the node's name in the fleet ("site/node")
  std::string nonce_hex{};              // the best echo's nonce, lowercase hex
  std::string echo_signature_base64{};  // the node's Ed25519 signature of EchoMessage
  int64_t rtt_us = 0;                   // the best round trip, microseconds, monotonic clock
  int32_t samples = 0;                  // echoes timed (the minimum is over these)
  int64_t measured_ms = 0;              // when, ms since the epoch on the landmark's clock
  friend bool operator==(const LandmarkMeasurement&, const LandmarkMeasurement&) = default;
};

// The mean Earth radius (IUGG), km.
inline constexpr double kEarthRadiusKm = 6371.0088;

// The great-circle distance between two points on a sphere of kEarthRadiusKm (haversine),
// km. Degrees in. The ellipsoid differs by at most about 0.5%, far inside the margins the
// location rule keeps.
double GreatCircleKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace gpufleet
