#include "service/api_json.h"

#include <bit>
#include <chrono>
#include <cstdio>

#include "gpufleet/model/iso_time.h"

namespace gpufleet::service::v1 {

std::string IsoTime(int64_t ms) { return FormatIsoTime(ms); }

nlohmann::json IsoTimeOrNull(int64_t ms) {
  if (ms == 0) return nullptr;
  return IsoTime(ms);
}

std::vector<int> GpuIndices(uint64_t mask) {
  std::vector<int> out;
  while (mask != 0) {
    out.push_back(std::countr_zero(mask));
    mask &= mask - 1;
  }
  return out;
}

nlohmann::json GpusJson(const store::JobSpec& spec) {
  constexpr int32_t kWholeGpuMilli = 1000;
  if (spec.gpu_count == 1 && spec.gpu_milli > 0 && spec.gpu_milli < kWholeGpuMilli) {
    return static_cast<double>(spec.gpu_milli) / kWholeGpuMilli;
  }
  return spec.gpu_count;
}

nlohmann::json TenantJson(const store::TenantRecord& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"org", t.org},
          {"external", t.external},
          {"priority", t.priority},
          {"max_job_priority", t.max_job_priority},
          {"created_at", IsoTime(t.created_at_ms)}};
}

nlohmann::json QuotaJson(const store::QuotaRecord& q) {
  return {{"tenant", q.tenant}, {"model", q.model}, {"guaranteed_gpus", q.guaranteed_gpus}};
}

nlohmann::json PlacementJson(const store::Placement& p, const FleetContext& fleet) {
  nlohmann::json site = nullptr;
  nlohmann::json model = nullptr;
  const Fleet& nodes = fleet.fleet.fleet;
  if (const std::optional<NodeId> id = nodes.FindNode(p.node)) {
    const NodeSpec& node = nodes.node(*id);
    site = nodes.site(node.site).name;
    model = nodes.model(node.gpu_model).name;
  }
  return {{"replica", p.replica},
          {"node", p.node},
          {"site", std::move(site)},
          {"model", std::move(model)},
          {"gpus", GpuIndices(p.gpu_mask)}};
}

nlohmann::json JobJson(const store::JobRecord& job, const FleetContext& fleet) {
  const store::JobSpec& s = job.spec;
  nlohmann::json placements = nlohmann::json::array();
  for (const store::Placement& p : job.placements) placements.push_back(PlacementJson(p, fleet));
  nlohmann::json pending_reason = nullptr;
  if (job.state == store::JobState::kPending && !job.pending_reason.empty()) {
    pending_reason = job.pending_reason;
  }
  nlohmann::json last_preemption = nullptr;
  if (!job.last_preemption_reason.empty()) last_preemption = job.last_preemption_reason;
  // Draining is a running job on borrowed time (store::JobRecord::draining_until_ms): shown
  // as its own state, with when it ends and why.
  const bool draining = job.state == store::JobState::kRunning && job.draining_until_ms > 0;
  nlohmann::json drain = nullptr;
  if (draining) {
    drain = {{"until", IsoTime(job.draining_until_ms)}, {"reason", job.draining_reason}};
  }
  return {
      {"id", job.id.value()},
      {"tenant", s.tenant},
      {"name", s.name},
      {"state", draining ? std::string("draining") : std::string(store::JobStateName(job.state))},
      {"draining", std::move(drain)},
      {"priority", s.priority},
      {"data_class", s.data_class},
      {"models", s.models},
      {"gpus", GpusJson(s)},
      {"replicas", s.replicas},
      {"cpu_milli", s.cpu_milli},
      {"memory_mib", s.memory_mib},
      {"duration_s", s.duration_s},
      {"submitted_at", IsoTime(s.submitted_at_ms)},
      {"started_at", IsoTimeOrNull(job.started_at_ms)},
      {"finished_at", IsoTimeOrNull(job.finished_at_ms)},
      {"pending_reason", std::move(pending_reason)},
      {"preempted_count", job.preempted_count},
      {"last_preemption_reason", std::move(last_preemption)},
      {"placements", std::move(placements)}};
}

nlohmann::json EventJson(const store::EventRecord& e) {
  nlohmann::json job = nullptr;
  if (e.job) job = e.job->value();
  nlohmann::json tenant = nullptr;
  if (!e.tenant.empty()) tenant = e.tenant;
  return {{"id", e.id},
          {"at", IsoTime(e.at_ms)},
          {"job", std::move(job)},
          {"tenant", std::move(tenant)},
          {"kind", e.kind},
          {"detail", e.detail}};
}

nlohmann::json TokenJson(const store::TokenRecord& t, int64_t now_ms) {
  const bool expired = t.expires_at_ms != 0 && now_ms >= t.expires_at_ms;
  return {{"id", t.id},
          {"role", store::RoleName(t.role)},
          {"tenant", t.tenant.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.tenant)},
          {"node", t.node.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.node)},
          {"name", t.name},
          {"state", t.revoked ? "revoked"
                    : expired ? "expired"
                              : "live"},
          {"created_at", IsoTime(t.created_at_ms)},
          {"expires_at", IsoTimeOrNull(t.expires_at_ms)},
          {"last_used_at", IsoTimeOrNull(t.last_used_at_ms)},
          {"revoked_at", IsoTimeOrNull(t.revoked_at_ms)}};
}

}  // namespace gpufleet::service::v1
