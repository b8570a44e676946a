#pragma once
// Seeded random fleets and pods for property and differential tests. Small shapes on purpose:
// many nodes share a state, so ties and class sharing are exercised hard.

#include <cstdint>
#include <memory>
#include <vector>

#include "gpufleet/model/fleet.h"
#include "gpufleet/model/job.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/placement/policy.h"

namespace gpufleet::testing {

// `nodes` nodes over up to 3 models, with 1, 2, 4 or 8 GPUs and a few CPU/memory sizes.
Fleet RandomFleet(Rng& rng, int nodes);
// As RandomFleet, over `sites` sites (for ClusterState zones by site).
Fleet RandomFleet(Rng& rng, int nodes, int sites);
// `count` random filters over the fleet's sites (as zones) and models, each allowing a random
// half or so of the (site, model) pairs; some allow none.
std::vector<std::shared_ptr<const ZoneFilter>> RandomZoneFilters(Rng& rng, const Fleet& fleet,
                                                                 int count);
// A pod: CPU-only, sharing (from a few fractions), or 1/2/4/8 whole GPUs; sometimes limited to
// a subset of the fleet's models.
PodRequest RandomPod(Rng& rng, const Fleet& fleet);
// A typical-task distribution over random pods, for FGD.
std::vector<placement::TypicalTask> RandomTypicalTasks(Rng& rng, const Fleet& fleet, int shapes);

}  // namespace gpufleet::testing
