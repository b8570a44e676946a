#pragma once
// A placement policy scores one feasible node for one pod and picks the GPUs on the node it
// won. Policies are pure: the same (node state, pod) always gives the same score, so the
// simulator and the live scheduler share them, and an indexed placer can cache scores of
// identical nodes. Definitions follow the FGD paper's simulator (docs/policies.md).
// Thread safety: const methods are safe to call concurrently.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/model/cluster_state.h"
#include "gpufleet/model/job.h"
#include "gpufleet/model/rng.h"
#include "gpufleet/status.h"

namespace gpufleet::placement {

// The filter every policy shares: GPU model allowed, CPU and memory fit, and at least
// gpu_count GPUs each with >= gpu_milli left. CPU-only pods skip the GPU tests.
bool Fits(const NodeState& node, const PodRequest& pod);

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;

  // Integer score; the highest wins and ties go to the lower tie-break rank.
  // REQUIRES: Fits(node, pod).
  virtual int64_t Score(const NodeState& node, const PodRequest& pod) const = 0;

  // The GPUs (bit i = GPU i) the pod takes on the node it won; 0 for CPU-only pods.
  // REQUIRES: Fits(node, pod).
  virtual uint32_t ChooseGpus(const NodeState& node, const PodRequest& pod, Rng& rng) const = 0;

  // True for a policy that picks uniformly among the feasible nodes instead of scoring
  // (Random). Score is then unused.
  virtual bool picks_uniformly() const { return false; }

  // True when Score reads NodeState::tag_count (GPU clustering); otherwise Score depends only
  // on the GPU model, cpu_left and the multiset of gpu_left.
  virtual bool score_uses_affinity_tags() const { return false; }
};

// One task shape of the typical-task distribution FGD measures fragmentation against.
struct TypicalTask {
  PodRequest pod;  // memory unused
  double probability = 0;
};

// A shape as written in a trace, with its model list spelled as in the file: the spelling
// orders equally popular shapes (fgd-policies.md, "Typical-task distribution").
struct TraceShape {
  int64_t cpu_milli = 0;
  int32_t gpu_milli = 0;  // per GPU
  int32_t gpu_count = 0;
  std::string model_list;
  ModelSet allowed_models;
};

// Builds FGD's typical-task distribution from every pod of the original trace: the most
// popular shapes covering >= `coverage` of pods, renormalised.
std::vector<TypicalTask> BuildTypicalTasks(const std::vector<TraceShape>& pods,
                                           double coverage = 0.95);

// What a policy may need besides the cluster: FGD's task distribution.
struct PolicyOptions {
  std::vector<TypicalTask> typical_tasks;
};

// Named registry: "fgd", "bestfit", "dotprod", "packing", "clustering", "random", "firstfit".
std::vector<std::string> PolicyNames();
Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options);
// The named policies in that order; `names` empty = every registered policy.
Result<std::vector<std::unique_ptr<Policy>>> MakePolicies(const std::vector<std::string>& names,
                                                          const PolicyOptions& options);

}  // namespace gpufleet::placement
