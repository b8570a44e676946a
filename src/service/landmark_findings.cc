#include "gpufleet/service/landmark_findings.h"

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "gpufleet/model/iso_time.h"

namespace gpufleet::service {
namespace {

std::string Km(double km) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f km", km);
  return buf;
}

}  // namespace

DetectionSource LandmarkFindings(const LandmarkMeasurements& landmarks, const FleetHolder& fleet) {
  return [&landmarks, &fleet](int64_t /*now_ms*/) {
    ExtraDetections out;
    out.kinds = {findings::Kind::kLocationContradictsSite};
    const std::shared_ptr<const FleetContext> context = fleet.Get();
    std::set<std::string> named;
    for (const LocationContradiction& c : landmarks.Contradictions(context->inventory)) {
      if (!named.insert(c.node).second) continue;  // sorted by node, then landmark
      char rtt[32];
      std::snprintf(rtt, sizeof rtt, "%.3f ms", c.rtt_ms);
      out.found.push_back(
          {.kind = findings::Kind::kLocationContradictsSite,
           .subject = c.node,
           .serial = "",
           .node = c.node,
           .detail = "node " + c.node + " answered landmark " + c.landmark + " in " + rtt +
                     ", so it is within " + Km(c.limit_km) + " of it; its declared site " +
                     c.declared_site + " is " + Km(c.distance_km) + " away",
           .evidence = {"measurement by " + c.landmark + " at " + FormatIsoTime(c.measured_ms) +
                        " (signed by the landmark)"}});
    }
    return out;
  };
}

}  // namespace gpufleet::service
