#include "service/cycle_input.h"

#include <algorithm>
#include <map>

namespace gpufleet::service::internal {

std::vector<scheduler::TenantPolicy> MakeTenantPolicies(
    const scheduler::InventoryFleet& fleet, const std::vector<store::TenantRecord>& tenants,
    const std::vector<store::QuotaRecord>& quotas, std::vector<std::string>& notes) {
  std::map<std::string, size_t> index;
  std::vector<scheduler::TenantPolicy> out;
  out.reserve(tenants.size());
  for (const store::TenantRecord& t : tenants) {
    index.emplace(t.id, out.size());
    out.push_back({.id = t.id, .org = t.org, .priority = t.priority, .guaranteed_gpus = {}});
  }
  for (const store::QuotaRecord& q : quotas) {
    const auto it = index.find(q.tenant);
    if (it == index.end() || q.guaranteed_gpus <= 0) continue;
    const std::optional<ChipModelId> model = fleet.fleet.FindModel(q.model);
    if (!model) {
      notes.push_back("tenant '" + q.tenant + "': quota on '" + q.model +
                      "' ignored: no such model in the fleet");
      continue;
    }
    out[it->second].guaranteed_gpus[*model] = q.guaranteed_gpus;
  }
  return out;
}

namespace {

ModelSet ModelsOf(const store::JobSpec& spec, const scheduler::InventoryFleet& fleet) {
  ModelSet models;
  for (const std::string& name : spec.models) {
    if (const std::optional<ChipModelId> id = fleet.fleet.FindModel(name)) models.Add(*id);
  }
  return models;
}

}  // namespace

bool ModelsAbsent(const store::JobRecord& job, const scheduler::InventoryFleet& fleet) {
  return !job.spec.models.empty() && ModelsOf(job.spec, fleet).empty();
}

scheduler::CycleJob ToCycleJob(const store::JobRecord& job,
                               const scheduler::InventoryFleet& fleet) {
  const store::JobSpec& spec = job.spec;
  const ModelSet models = ModelsOf(spec, fleet);
  // The store's JobSpec and PodRequest agree: gpu_milli is 0 for CPU-only jobs, 1000 for whole
  // GPUs and below 1000 only for one shared GPU.
  return scheduler::CycleJob{
      .id = job.id.value(),
      .tenant = spec.tenant,
      .data_class = spec.data_class,
      .priority = spec.priority,
      .pod = PodRequest{.cpu_milli = spec.cpu_milli,
                        .memory_mib = spec.memory_mib,
                        .gpu_count = spec.gpu_count,
                        .gpu_milli = spec.gpu_milli,
                        .allowed_models = models,
                        .zones = nullptr},
      .replicas = spec.replicas,
      .submitted_at = spec.submitted_at_ms,
  };
}

std::string ModelsAbsentReason(const store::JobRecord& job,
                               const scheduler::InventoryFleet& fleet) {
  std::string names;
  for (const std::string& m : job.spec.models) {
    if (!names.empty()) names += ", ";
    names += m;
  }
  // The rules that keep the job's models out, when it is they: what the tenant can act on
  // (ask for the licence) rather than "not in the fleet".
  std::map<std::string, int64_t> quarantined;  // by rules, GPUs
  for (const scheduler::Quarantined& q : fleet.quarantined) {
    if (std::find(job.spec.models.begin(), job.spec.models.end(), q.model) !=
        job.spec.models.end()) {
      quarantined[q.rules] += q.gpus;
    }
  }
  std::string out = "model: none of the job's models (" + names + ") is in the fleet";
  std::string why;
  for (const auto& [rules, gpus] : quarantined) {
    why += (why.empty() ? "" : ", ") + std::to_string(gpus) + " quarantined by " + rules;
  }
  return why.empty() ? out : out + " (" + why + ")";
}

Result<std::vector<Assignment>> ToAssignments(const store::JobRecord& job,
                                              const scheduler::InventoryFleet& fleet) {
  std::vector<Assignment> out(job.placements.size());
  std::vector<bool> seen(job.placements.size(), false);
  for (const store::Placement& p : job.placements) {
    const std::optional<NodeId> node = fleet.fleet.FindNode(p.node);
    if (!node) return Status::NotFound("node " + p.node + " is no longer in the fleet");
    const auto replica = static_cast<size_t>(p.replica);
    if (p.replica < 0 || replica >= out.size() || seen[replica] || p.gpu_mask >> 32 != 0) {
      return Status::Corruption("job " + std::to_string(job.id.value()) +
                                ": placement of replica " + std::to_string(p.replica) + " on " +
                                p.node + " is malformed");
    }
    seen[replica] = true;
    out[replica] = {*node, static_cast<uint32_t>(p.gpu_mask)};
  }
  return out;
}

std::vector<store::Placement> ToPlacements(const std::vector<Assignment>& placements,
                                           const scheduler::InventoryFleet& fleet) {
  std::vector<store::Placement> out;
  out.reserve(placements.size());
  for (size_t i = 0; i < placements.size(); ++i) {
    out.push_back({.replica = static_cast<int32_t>(i),
                   .node = fleet.fleet.node(placements[i].node).name,
                   .gpu_mask = placements[i].gpu_mask,
                   .epoch = 0});
  }
  return out;
}

Result<std::unique_ptr<placement::Policy>> MakeCyclePolicy(
    const std::string& name, const std::vector<scheduler::CycleJob>& pending,
    const std::vector<scheduler::RunningJob>& running) {
  std::vector<placement::TraceShape> shapes;
  const auto add = [&shapes](const scheduler::CycleJob& j) {
    for (int32_t i = 0; i < j.replicas; ++i) {
      shapes.push_back({j.pod.cpu_milli, j.pod.gpu_milli, j.pod.gpu_count,
                        std::to_string(j.pod.allowed_models.bits()), j.pod.allowed_models});
    }
  };
  for (const scheduler::CycleJob& j : pending) add(j);
  for (const scheduler::RunningJob& r : running) add(r.job);
  placement::PolicyOptions options;
  options.typical_tasks = placement::BuildTypicalTasks(shapes);
  return placement::MakePolicy(name, options);
}

}  // namespace gpufleet::service::internal
