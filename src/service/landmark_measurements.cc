// Landmark measurements and the location rule (service/landmark_measurements.h).

#include "gpufleet/service/landmark_measurements.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "gpufleet/model/utf8.h"

namespace gpufleet::service {

LocationVerdict JudgeMeasurement(const Landmark& landmark, int64_t rtt_us,
                                 const inventory::Site* site, const LocationRule& rule) {
  LocationVerdict v;
  v.rtt_ms = static_cast<double>(rtt_us) / 1000.0;
  v.bound_km = rule.fibre_km_per_rtt_ms * v.rtt_ms;
  v.limit_km = rule.vacuum_km_per_rtt_ms * v.rtt_ms + rule.margin_km;
  if (site == nullptr) {
    v.skipped = "site_unknown";
    return v;
  }
  if (!site->lat || !site->lon) {
    v.skipped = "site_without_coordinates";
    return v;
  }
  v.distance_km = GreatCircleKm(landmark.lat, landmark.lon, *site->lat, *site->lon);
  v.contradicts = *v.distance_km > v.limit_km;
  return v;
}

std::string DeclaredSite(const std::string& node) { return node.substr(0, node.find('/')); }

Result<std::unique_ptr<LandmarkMeasurements>> LandmarkMeasurements::Create(
    std::vector<Landmark> landmarks, LocationRule rule) {
  std::vector<ledger::NoteVerifier> keys;
  for (const Landmark& l : landmarks) {
    Result<ledger::NoteVerifier> key = ledger::NoteVerifier::Parse(l.verifier_key);
    if (!key.ok()) {
      return Status::InvalidArgument("landmark '" + Excerpt(l.name) +
                                     "': key: " + key.status().message());
    }
    // The note's signature line names the key, and the measurement names the landmark: one
    // name for both, so that neither can be read as another landmark's.
    if (key->name() != l.name) {
      return Status::InvalidArgument("landmark '" + Excerpt(l.name) + "': key is named '" +
                                     Excerpt(key->name()) + "', not after the landmark");
    }
    keys.push_back(std::move(*key));
  }
  return std::unique_ptr<LandmarkMeasurements>(
      new LandmarkMeasurements(std::move(landmarks), std::move(keys), rule));
}

LandmarkMeasurements::LandmarkMeasurements(std::vector<Landmark> landmarks,
                                           std::vector<ledger::NoteVerifier> keys,
                                           LocationRule rule)
    : landmarks_(std::move(landmarks)), verifiers_(std::move(keys)), rule_(rule) {}

const Landmark* LandmarkMeasurements::FindLandmark(std::string_view name) const {
  for (const Landmark& l : landmarks_) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

Result<bool> LandmarkMeasurements::Record(LandmarkMeasurement m, int64_t received_ms) {
  const std::lock_guard<std::mutex> lock(mu_);
  auto node = held_.find(m.node);
  if (node == held_.end()) {
    if (held_.size() >= kMaxLocatedNodes) {
      return Status::ResourceExhausted("already holding measurements of " +
                                       std::to_string(kMaxLocatedNodes) +
                                       " nodes; not taking node '" + Excerpt(m.node) + "'");
    }
    node = held_.emplace(m.node, std::map<std::string, HeldMeasurement>()).first;
  }
  auto [it, inserted] = node->second.try_emplace(m.landmark);
  if (!inserted && it->second.measurement.measured_ms > m.measured_ms) return false;
  it->second = HeldMeasurement{.measurement = std::move(m), .received_ms = received_ms};
  return true;
}

std::vector<HeldMeasurement> LandmarkMeasurements::ForNode(const std::string& node) const {
  const std::lock_guard<std::mutex> lock(mu_);
  std::vector<HeldMeasurement> out;
  const auto it = held_.find(node);
  if (it == held_.end()) return out;
  for (const auto& [unused, held] : it->second) out.push_back(held);
  return out;
}

std::vector<LocationContradiction> LandmarkMeasurements::Contradictions(
    const inventory::Inventory& inventory, size_t* skipped) const {
  std::vector<LocationContradiction> out;
  size_t skips = 0;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [node, by_landmark] : held_) {
      const std::string site_id = DeclaredSite(node);
      const inventory::Site* site = inventory.FindSite(site_id);
      for (const auto& [name, held] : by_landmark) {
        const Landmark* landmark = FindLandmark(name);
        if (landmark == nullptr) continue;  // Record's contract: cannot happen
        const LocationVerdict v = JudgeMeasurement(*landmark, held.measurement.rtt_us, site, rule_);
        if (!v.skipped.empty()) ++skips;
        if (!v.contradicts) continue;
        out.push_back({.node = node,
                       .landmark = name,
                       .declared_site = site_id,
                       .rtt_ms = v.rtt_ms,
                       .bound_km = v.bound_km,
                       .limit_km = v.limit_km,
                       .distance_km = *v.distance_km,
                       .measured_ms = held.measurement.measured_ms});
      }
    }
  }
  // held_ is unordered: sorted so that findings come out the same on every call.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.node, a.landmark) < std::tie(b.node, b.landmark);
  });
  if (skipped != nullptr) *skipped = skips;
  return out;
}

}  // namespace gpufleet::service
