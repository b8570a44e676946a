#pragma once
// Private to the scheduler (batch.cc, cycle.cc): placing a gang within one site.

#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "gpufleet/placement/placer.h"

namespace gpufleet::scheduler::internal {

// Gangs run within one site: the replicas of a training job exchange data all the time, and
// a job split across continents would crawl. Filters limited to one site are made once per
// (filter, site) and kept, so the indexed placer's caches keyed by filter stay valid.
class GangPlacer {
 public:
  GangPlacer(placement::Placer& placer, size_t sites) : placer_(placer), sites_(sites) {}

  std::optional<std::vector<Assignment>> Place(const PodRequest& pod, int32_t replicas, Rng& rng) {
    if (replicas == 1) return placer_.PlaceGang(pod, 1, rng);
    const std::optional<Assignment> first = placer_.Decide(pod, rng);
    if (!first) return std::nullopt;
    const uint32_t best = placer_.state().node(first->node).zone;
    // The site the policy likes best for one replica first, then the others in order.
    for (uint32_t k = 0; k <= sites_; ++k) {
      const uint32_t site = k == 0 ? best : k - 1;
      if (k > 0 && site == best) continue;
      if (pod.zones && !HasZone(*pod.zones, site)) continue;
      PodRequest one_site = pod;
      one_site.zones = OnlySite(pod.zones.get(), site);
      if (auto placed = placer_.PlaceGang(one_site, replicas, rng)) return placed;
    }
    return std::nullopt;
  }

 private:
  bool HasZone(const ZoneFilter& f, uint32_t zone) const {
    for (int m = 0; m < kMaxChipModels; ++m) {
      if (f.Allows(zone, ChipModelId(static_cast<uint16_t>(m)))) return true;
    }
    return false;
  }

  std::shared_ptr<const ZoneFilter> OnlySite(const ZoneFilter* base, uint32_t site) {
    std::shared_ptr<const ZoneFilter>& f = by_site_[{base, site}];
    if (!f) f = std::make_shared<ZoneFilter>(ZoneFilter::OnlyZone(base, sites_, site));
    return f;
  }

  placement::Placer& placer_;
  size_t sites_;
  std::map<std::pair<const ZoneFilter*, uint32_t>, std::shared_ptr<const ZoneFilter>> by_site_;
};

}  // namespace gpufleet::scheduler::internal
