#include "service/job_admission.h"

#include <algorithm>
#include <string>
#include <vector>

namespace gpufleet::service::v1 {
namespace {

constexpr int32_t kWholeGpuMilli = 1000;

Status FieldError(std::string_view field, const std::string& what) {
  return Status::InvalidArgument("field '" + std::string(field) + "': " + what);
}

// A model the catalog knows but the fleet has no GPUs of can never be given to the job.
Status CheckModelsInFleet(const ApiState& state, const store::JobSpec& spec) {
  for (const std::string& m : spec.models) {
    if (!state.summary().models.contains(m)) {
      return FieldError("models", "model '" + m + "' has no GPUs in the fleet");
    }
  }
  return Status::Ok();
}

// Rejects a job no part of the fleet could ever hold, whatever else runs: a replica larger
// than the largest node of the models it accepts, or more GPUs in all than those models have.
// Such a job would otherwise wait forever with a pending reason nobody reads.
Status CheckFitsFleet(const ApiState& state, const store::JobSpec& spec) {
  if (spec.gpu_count == 0) return Status::Ok();
  int64_t total = 0;
  int32_t largest = 0;
  const auto add = [&](const ModelTotals& m) {
    total += m.gpus;
    largest = std::max(largest, m.max_node_gpus);
  };
  if (spec.models.empty()) {
    for (const auto& [id, totals] : state.summary().models) add(totals);
  } else {
    for (const std::string& m : spec.models) add(state.summary().models.find(m)->second);
  }
  const std::string which = spec.models.empty() ? "the fleet" : "the accepted models";
  if (spec.gpu_count > largest) {
    return FieldError("gpus", "a replica needs " + std::to_string(spec.gpu_count) +
                                  " GPUs but the largest node of " + which + " has " +
                                  std::to_string(largest));
  }
  // Fractional replicas may share a GPU: they need ceil(replicas * milli / 1000) GPUs at least.
  const int64_t needed_milli = int64_t{spec.replicas} * spec.gpu_count * spec.gpu_milli;
  const int64_t needed = (needed_milli + kWholeGpuMilli - 1) / kWholeGpuMilli;
  if (needed > total) {
    return FieldError("replicas", "the job needs " + std::to_string(needed) + " GPUs (" +
                                      std::to_string(spec.replicas) + " replicas) but " + which +
                                      (spec.models.empty() ? " has " : " have ") +
                                      std::to_string(total));
  }
  // CPU and memory come with the GPUs: some node of an accepted model must hold one replica.
  const Fleet& fleet = state.nodes();
  for (const NodeSpec& node : fleet.nodes()) {
    if (node.gpu_count < spec.gpu_count) continue;
    const std::string& model = fleet.model(node.gpu_model).name;
    if (!spec.models.empty() &&
        std::find(spec.models.begin(), spec.models.end(), model) == spec.models.end()) {
      continue;
    }
    if (node.cpu_milli >= spec.cpu_milli && node.memory_mib >= spec.memory_mib) {
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("no node of " + which + " with " + std::to_string(spec.gpu_count) +
                                 " GPUs has cpu_milli " + std::to_string(spec.cpu_milli) +
                                 " and memory_mib " + std::to_string(spec.memory_mib) +
                                 " for one replica");
}

bool Accepts(const store::JobSpec& spec, const std::string& model) {
  return spec.models.empty() ||
         std::find(spec.models.begin(), spec.models.end(), model) != spec.models.end();
}

// How many replicas of `spec` one empty node holds: by its GPUs (a shared GPU holds
// 1000 / gpu_milli of them), its CPU and its memory.
int64_t ReplicasOn(const NodeSpec& node, const store::JobSpec& spec) {
  int64_t n = spec.gpu_milli < kWholeGpuMilli
                  ? int64_t{node.gpu_count} * (kWholeGpuMilli / spec.gpu_milli)
                  : node.gpu_count / spec.gpu_count;
  if (spec.cpu_milli > 0) n = std::min(n, node.cpu_milli / spec.cpu_milli);
  if (spec.memory_mib > 0) n = std::min(n, node.memory_mib / spec.memory_mib);
  return n;
}

// The gang runs within one site, on the (site, model) pairs the rules let the tenant's
// organisation use for the job's data class: the same filter the scheduler places with.
Status CheckSomeSiteHoldsTheGang(const ApiState& state, const store::JobSpec& spec,
                                 const store::TenantRecord& tenant) {
  const std::shared_ptr<const ZoneFilter> zones = state.ZonesFor(tenant.org, spec.data_class);
  const Fleet& fleet = state.nodes();
  // Replicas an empty site holds. Every submission passes here, so the scan stops at the
  // first site that holds the gang (for most jobs, the first node that fits); only a refusal
  // reads the whole fleet.
  std::vector<int64_t> by_site(fleet.sites().size(), 0);
  for (const NodeSpec& node : fleet.nodes()) {
    if (node.gpu_count == 0 || !Accepts(spec, fleet.model(node.gpu_model).name)) continue;
    if (zones && !zones->Allows(node.site.value(), node.gpu_model)) continue;
    if ((by_site[node.site.value()] += ReplicasOn(node, spec)) >= spec.replicas) {
      return Status::Ok();
    }
  }
  const auto best = std::max_element(by_site.begin(), by_site.end());
  const int64_t most = best == by_site.end() ? 0 : *best;
  const std::string who = "organisation '" + tenant.org + "' (tenant '" + tenant.id +
                          "', data class '" + spec.data_class + "')";
  if (most == 0) {
    return Status::InvalidArgument("the rules let " + who + " use no node of " +
                                   (spec.models.empty() ? "the fleet" : "the accepted models") +
                                   " that holds one replica");
  }
  return FieldError(
      "replicas",
      std::to_string(spec.replicas) + " replicas run together at one site, but the most any site " +
          who + " may use holds is " + std::to_string(most) + " (site '" +
          fleet.site(SiteId(static_cast<uint32_t>(best - by_site.begin()))).name + "')");
}

}  // namespace

Status CheckCanEverRun(const ApiState& state, const store::JobSpec& spec,
                       const store::TenantRecord* tenant) {
  GPUFLEET_RETURN_IF_ERROR(CheckModelsInFleet(state, spec));
  GPUFLEET_RETURN_IF_ERROR(CheckFitsFleet(state, spec));
  if (tenant == nullptr || spec.gpu_count == 0) return Status::Ok();
  return CheckSomeSiteHoldsTheGang(state, spec, *tenant);
}

}  // namespace gpufleet::service::v1
