#pragma once
// FGD's fragmentation measure (Weng et al., ATC'23, §4): the expected number of GPU milli on
// a node that a task drawn from the typical-task distribution could not use.
// The summation order is part of the definition: it makes scores bit-identical with the
// reference simulator (fgd-policies.md, "Floating-point evaluation of F(n)").

#include <vector>

#include "gpufleet/model/cluster_state.h"
#include "gpufleet/placement/policy.h"

namespace gpufleet::placement {

// F(n) in GPU milli. Depends only on the GPU model, cpu_left and the multiset of gpu_left.
double NodeFragmentation(const NodeState& node, const std::vector<TypicalTask>& tasks);

}  // namespace gpufleet::placement
