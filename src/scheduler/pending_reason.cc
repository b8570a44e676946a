#include "scheduler/pending_reason.h"

#include <cstdio>

namespace gpufleet::scheduler::internal {
namespace {

// "US-2023-3A090A-CN (US licence_required): 6 nodes, 48 GPUs; ..."
std::string ListExclusions(const std::vector<RuleExclusion>& rules) {
  std::string out;
  for (const RuleExclusion& x : rules) {
    if (!out.empty()) out += "; ";
    out += x.rule_id + " (" + x.jurisdiction + " " + std::string(compliance::ActionName(x.action)) +
           (x.may_apply ? ", may apply: needs manual classification" : "") +
           "): " + std::to_string(x.nodes) + " nodes, " + std::to_string(x.gpus) + " GPUs";
  }
  return out;
}

bool CouldEverHold(const NodeSpec& n, const PodRequest& pod) {
  return pod.allowed_models.Allows(n.gpu_model) && n.gpu_count >= pod.gpu_count;
}

}  // namespace

std::string Pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v);
  return buf;
}

// Why a job that did not place is pending, with counts.
void ExplainPending(const InventoryFleet& fleet, const placement::Placer& placer,
                    const JobRequest& job, const PodRequest& pod, const Eligibility& e,
                    bool fits_without_rules, JobOutcome& out) {
  int64_t model_nodes = 0, eligible_nodes = 0, eligible_gpus = 0, free_gpus = 0;
  for (const NodeSpec& n : fleet.fleet.nodes()) {
    if (!CouldEverHold(n, pod)) continue;
    ++model_nodes;
    if (!pod.zones->Allows(n.site.value(), n.gpu_model)) continue;
    ++eligible_nodes;
    eligible_gpus += n.gpu_count;
    free_gpus += placer.state().node(n.id).full_free_gpus();
  }
  const std::string per = pod.sharing() ? std::to_string(pod.gpu_milli) + " milli-GPU"
                                        : std::to_string(pod.gpu_count) + " GPUs";
  const std::string need =
      job.replicas == 1 ? per : std::to_string(job.replicas) + " x " + per + " in one site";
  if (model_nodes == 0) {
    out.pending = Pending::kModel;
    out.reason = "no node in the fleet has an accepted model with " +
                 std::to_string(pod.gpu_count) + " GPUs";
    return;
  }
  const std::vector<RuleExclusion> rules = e.ExclusionsFor(pod.allowed_models);
  if (eligible_nodes == 0 || fits_without_rules) {
    out.pending = Pending::kCompliance;
    out.reason =
        "compliance: " + std::to_string(model_nodes - eligible_nodes) + " of " +
        std::to_string(model_nodes) + " nodes that could hold " + need + " are excluded for " +
        job.tenant_org + (job.data_class.empty() ? "" : " (" + job.data_class + " data)") +
        (eligible_nodes > 0 ? " (the other " + std::to_string(eligible_nodes) + " have no room)"
                            : "") +
        ": " + ListExclusions(rules);
    return;
  }
  out.pending = Pending::kCapacity;
  out.reason = "capacity: " + need + " does not fit on the " + std::to_string(eligible_nodes) +
               " allowed nodes (" + std::to_string(free_gpus) + " of " +
               std::to_string(eligible_gpus) + " GPUs free)" +
               (rules.empty() ? "" : "; excluded by rules: " + ListExclusions(rules));
}

}  // namespace gpufleet::scheduler::internal
