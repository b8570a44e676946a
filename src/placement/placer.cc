#include "gpufleet/placement/placer.h"

namespace gpufleet::placement {

std::optional<Assignment> Placer::Place(const PodRequest& pod, Rng& rng) {
  std::optional<Assignment> a = Decide(pod, rng);
  if (a) Bind(pod, *a);
  return a;
}

std::optional<std::vector<Assignment>> Placer::PlaceGang(const PodRequest& pod, int32_t count,
                                                         Rng& rng) {
  std::vector<Assignment> placed;
  placed.reserve(count);
  for (int32_t i = 0; i < count; ++i) {
    std::optional<Assignment> a = Place(pod, rng);
    if (!a) {
      // All or nothing: give back what the gang already took, newest first.
      for (auto it = placed.rbegin(); it != placed.rend(); ++it) Unbind(pod, *it);
      return std::nullopt;
    }
    placed.push_back(*a);
  }
  return placed;
}

}  // namespace gpufleet::placement
