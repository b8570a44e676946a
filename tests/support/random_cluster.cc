#include "support/random_cluster.h"

#include <string>

namespace gpufleet::testing {

Fleet RandomFleet(Rng& rng, int nodes) { return RandomFleet(rng, nodes, 1); }

Fleet RandomFleet(Rng& rng, int nodes, int sites) {
  Fleet fleet;
  for (int s = 0; s < sites; ++s) {
    (void)fleet.AddSite("site-" + std::to_string(s), "CN", "own", Ownership::kOwned);
  }
  const int models = 1 + static_cast<int>(rng.Uniform(3));
  for (int m = 0; m < models; ++m) {
    (void)fleet.AddModel("vendor", "M" + std::to_string(m), 16384);
  }
  const int32_t gpus[] = {1, 2, 4, 8, 8};
  const int64_t cpus[] = {16000, 32000, 64000, 96000};
  const int64_t mems[] = {65536, 131072, 262144};
  for (int i = 0; i < nodes; ++i) {
    // Single-site fleets draw no site, so their node sequence is as it always was.
    const SiteId site(sites == 1 ? 0 : static_cast<uint32_t>(rng.Uniform(sites)));
    (void)fleet.AddNode("n" + std::to_string(i), site,
                        ChipModelId(static_cast<uint16_t>(rng.Uniform(models))), rng.Pick(gpus),
                        rng.Pick(cpus), rng.Pick(mems));
  }
  return fleet;
}

PodRequest RandomPod(Rng& rng, const Fleet& fleet) {
  const int64_t cpus[] = {1000, 2000, 4000, 8000, 12000};
  const int64_t mems[] = {2048, 8192, 16384, 32768};
  const int32_t fractions[] = {100, 250, 300, 470, 500, 810};
  const int32_t counts[] = {1, 1, 1, 2, 4, 8};
  PodRequest p;
  p.cpu_milli = rng.Pick(cpus);
  p.memory_mib = rng.Pick(mems);
  switch (rng.Uniform(4)) {
    case 0:  // CPU-only
      break;
    case 1:
      p.gpu_count = 1;
      p.gpu_milli = rng.Pick(fractions);
      break;
    default:
      p.gpu_count = rng.Pick(counts);
      p.gpu_milli = kMilliPerGpu;
      break;
  }
  if (p.gpu_count > 0 && rng.Uniform(4) == 0) {
    p.allowed_models.Add(ChipModelId(static_cast<uint16_t>(rng.Uniform(fleet.models().size()))));
  }
  return p;
}

std::vector<std::shared_ptr<const ZoneFilter>> RandomZoneFilters(Rng& rng, const Fleet& fleet,
                                                                 int count) {
  std::vector<std::shared_ptr<const ZoneFilter>> filters;
  for (int i = 0; i < count; ++i) {
    auto f = std::make_shared<ZoneFilter>(fleet.sites().size());
    const bool none = rng.Uniform(6) == 0;
    for (uint32_t s = 0; s < fleet.sites().size(); ++s) {
      for (uint16_t m = 0; m < fleet.models().size(); ++m) {
        if (!none && rng.Uniform(2) == 0) f->Allow(s, ChipModelId(m));
      }
    }
    filters.push_back(std::move(f));
  }
  return filters;
}

std::vector<placement::TypicalTask> RandomTypicalTasks(Rng& rng, const Fleet& fleet, int shapes) {
  std::vector<placement::TraceShape> pods;
  for (int i = 0; i < shapes * 4; ++i) {
    const PodRequest p = RandomPod(rng, fleet);
    pods.push_back({p.cpu_milli, p.gpu_milli, p.gpu_count, std::to_string(p.allowed_models.bits()),
                    p.allowed_models});
  }
  return placement::BuildTypicalTasks(pods);
}

}  // namespace gpufleet::testing
