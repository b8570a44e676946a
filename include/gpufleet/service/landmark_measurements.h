#pragma once
// Location evidence in gpufleetd (docs/agent.md, "Location evidence"): the landmarks it trusts
// (gpufleetd --landmarks), the latest measurement per (node, landmark) they sent (POST
// /v1/landmarks/measurements, checked before it gets here), and the rule that decides when a
// measurement contradicts the site a node is declared at.
//
// The rule ("provably too close"). A round trip of t ms bounds the node's distance from the
// landmark: light in fibre covers about 200 km/ms, so about 100·t km (`bound_km`, what GET
// /v1/nodes/{id}/location reports). A contradiction must hold whatever the path, so it is
// judged against light in vacuum, 299.79 km/ms, 149.9·t km for a round trip (microwave and
// hollow-core links come close to it), plus a fixed margin for the extent of a site and of a
// landmark's city and the error of their coordinates (`limit_km`). A node declared at a site
// more than limit_km from the landmark cannot have answered that fast: it is not where it is
// declared. A node can add delay (sleep before answering, relay through elsewhere) but never
// remove it, so it can hide nearness, never fake it: the rule has no false positives from a
// lying node, only from wrong coordinates.
//
// A node's declared site is the part of its name before the first '/' ("kl-0/n0": "kl-0"),
// looked up in the inventory; without the site or its coordinates the measurement is skipped
// (counted, never a contradiction).
//
// Thread safety: every method may be called concurrently (one mutex; Record is a map update,
// the readers copy out what they read).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "gpufleet/inventory/inventory.h"
#include "gpufleet/ledger/note_key.h"
#include "gpufleet/model/location_evidence.h"
#include "gpufleet/status.h"

namespace gpufleet::service {

// Nodes with measurements kept, as ObservedNodes: a bound on what signed measurements for
// made-up node names can make the service keep (at most one per landmark per node).
inline constexpr size_t kMaxLocatedNodes = 250'000;

struct LocationRule {
  // The estimate reported: km per ms of round trip through fibre (200 km/ms one way).
  double fibre_km_per_rtt_ms = 100.0;
  // The bound judged against: light in vacuum, 299.792 km/ms one way, halved for the round
  // trip. No path is faster.
  double vacuum_km_per_rtt_ms = 149.896;
  // Added to the vacuum bound: a site or a landmark's city spans tens of km and their
  // coordinates are a point. Default 200 km.
  double margin_km = 200.0;
};

// What one measurement says about a node's declared site.
struct LocationVerdict {
  double rtt_ms = 0;
  double bound_km = 0;  // fibre estimate: the node is within about this of the landmark
  double limit_km = 0;  // provable: the node is within this, whatever the path
  // The landmark's distance to the declared site; nullopt when skipped.
  std::optional<double> distance_km{};
  bool contradicts = false;  // distance_km > limit_km
  // Why the check was skipped: "" when it was not, "site_unknown", "site_without_coordinates".
  std::string skipped{};
};

// The decision, pure: `site` is the declared site's record (nullptr when the inventory has no
// such site).
LocationVerdict JudgeMeasurement(const Landmark& landmark, int64_t rtt_us,
                                 const inventory::Site* site, const LocationRule& rule = {});

// "kl-0/n0" -> "kl-0"; the whole name when it has no '/'.
std::string DeclaredSite(const std::string& node);

// A measurement found to contradict a node's declared site: what becomes a finding of kind
// location_contradicts_site.
struct LocationContradiction {
  std::string node{};
  std::string landmark{};
  std::string declared_site{};
  double rtt_ms = 0;
  double bound_km = 0;      // fibre estimate, 100·rtt_ms with the default rule
  double limit_km = 0;      // what the distance exceeded (vacuum bound + margin)
  double distance_km = 0;   // landmark to declared site
  int64_t measured_ms = 0;  // on the landmark's clock
};

// A measurement as kept: what the landmark signed, and when the service took it.
struct HeldMeasurement {
  LandmarkMeasurement measurement{};
  int64_t received_ms = 0;  // the service's clock
};

class LandmarkMeasurements {
 public:
  // The landmarks' keys are parsed here: InvalidArgument naming the landmark for a malformed
  // key or one whose name is not the landmark's.
  static Result<std::unique_ptr<LandmarkMeasurements>> Create(std::vector<Landmark> landmarks,
                                                              LocationRule rule = {});

  LandmarkMeasurements(const LandmarkMeasurements&) = delete;
  LandmarkMeasurements& operator=(const LandmarkMeasurements&) = delete;

  // Immutable after Create: safe to read without the lock.
  const std::vector<Landmark>& landmarks() const { return landmarks_; }
  std::span<const ledger::NoteVerifier> verifiers() const { return verifiers_; }
  const LocationRule& rule() const { return rule_; }
  // nullptr for a landmark not configured.
  const Landmark* FindLandmark(std::string_view name) const;

  // Keeps `m` as the latest of (m.node, m.landmark), unless one measured later is held
  // (returns false: a replayed older measurement never hides a newer one). REQUIRES: the
  // caller checked both signatures and that the landmark is configured. ResourceExhausted for
  // a new node past kMaxLocatedNodes.
  Result<bool> Record(LandmarkMeasurement m, int64_t received_ms);

  // The node's measurements, by landmark name.
  std::vector<HeldMeasurement> ForNode(const std::string& node) const;

  // Every held measurement that contradicts its node's declared site in `inventory` (the
  // fleet version the caller judges against: FleetContext::inventory), by node then landmark.
  // `skipped`, when given, counts the measurements whose site was unknown or had no
  // coordinates. Linear in the measurements held.
  std::vector<LocationContradiction> Contradictions(const inventory::Inventory& inventory,
                                                    size_t* skipped = nullptr) const;

 private:
  LandmarkMeasurements(std::vector<Landmark> landmarks, std::vector<ledger::NoteVerifier> keys,
                       LocationRule rule);

  const std::vector<Landmark> landmarks_;
  const std::vector<ledger::NoteVerifier> verifiers_;  // same order as landmarks_
  const LocationRule rule_;
  mutable std::mutex mu_;
  // node -> landmark -> latest; guarded by mu_.
  std::unordered_map<std::string, std::map<std::string, HeldMeasurement>> held_;
};

}  // namespace gpufleet::service
