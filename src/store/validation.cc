#include "store/validation.h"

#include <cstdint>
#include <set>
#include <string>

namespace gpufleet::store {
namespace {

Status Invalid(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(std::string(field) + ": " + std::string(what));
}

bool IsSlug(std::string_view s) {
  if (s.empty() || s.size() > kMaxSlugLength) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Status CheckText(std::string_view field, std::string_view value, bool may_be_empty) {
  if (value.empty() && !may_be_empty) return Invalid(field, "must not be empty");
  if (value.size() > kMaxTextLength) {
    return Invalid(field, "longer than " + std::to_string(kMaxTextLength) + " characters");
  }
  return Status::Ok();
}

Status CheckRange(std::string_view field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    return Invalid(field, std::to_string(value) + " is outside " + std::to_string(lo) + ".." +
                              std::to_string(hi));
  }
  return Status::Ok();
}

constexpr int64_t kMaxInt64 = INT64_MAX;

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kTenant:
      return "tenant";
    case Role::kInventory:
      return "inventory";
    case Role::kNode:
      return "node";
    case Role::kViewer:
      return "viewer";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (const Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return Status::InvalidArgument("role: unknown '" + std::string(name) +
                                 "' (admin, tenant, inventory, node or viewer)");
}

std::string TokenIdForHash(std::string_view sha256_hex) {
  return "tok_" + std::string(sha256_hex.substr(0, 16));
}

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kPending:
      return "pending";
    case JobState::kRunning:
      return "running";
    case JobState::kCompleted:
      return "completed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Result<JobState> ParseJobState(std::string_view name) {
  for (JobState s :
       {JobState::kPending, JobState::kRunning, JobState::kCompleted, JobState::kCancelled}) {
    if (JobStateName(s) == name) return s;
  }
  return Status::InvalidArgument("state: unknown '" + std::string(name) + "'");
}

Status ValidateTenant(const TenantRecord& t) {
  if (!IsSlug(t.id)) {
    return Invalid("id", "'" + t.id + "' is not 1..63 characters of [a-z0-9-]");
  }
  GPUFLEET_RETURN_IF_ERROR(CheckText("name", t.name, false));
  GPUFLEET_RETURN_IF_ERROR(CheckText("org", t.org, true));
  return CheckRange("max_job_priority", t.max_job_priority, 0, INT32_MAX);
}

Status ValidateQuota(const QuotaRecord& q) {
  if (!IsSlug(q.tenant)) return Invalid("tenant", "'" + q.tenant + "' is not a tenant id");
  GPUFLEET_RETURN_IF_ERROR(CheckText("model", q.model, false));
  return CheckRange("guaranteed_gpus", q.guaranteed_gpus, 0, INT32_MAX);
}

Status ValidateToken(const TokenRecord& t) {
  if (t.sha256_hex.size() != 64 ||
      t.sha256_hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Invalid("sha256_hex", "not 64 lowercase hex digits");
  }
  if (t.id != TokenIdForHash(t.sha256_hex)) {
    return Invalid("id", "'" + t.id + "' is not the id of its hash");
  }
  if (t.role == Role::kTenant) {
    if (!IsSlug(t.tenant)) return Invalid("tenant", "'" + t.tenant + "' is not a tenant id");
  } else if (!t.tenant.empty()) {
    return Invalid("tenant", "must be empty for a " + std::string(RoleName(t.role)) + " token");
  }
  if (t.role == Role::kNode) {
    GPUFLEET_RETURN_IF_ERROR(CheckText("node", t.node, false));
  } else if (!t.node.empty()) {
    return Invalid("node", "must be empty for a " + std::string(RoleName(t.role)) + " token");
  }
  GPUFLEET_RETURN_IF_ERROR(CheckText("name", t.name, true));
  GPUFLEET_RETURN_IF_ERROR(CheckRange("created_at_ms", t.created_at_ms, 0, kMaxInt64));
  GPUFLEET_RETURN_IF_ERROR(CheckRange("expires_at_ms", t.expires_at_ms, 0, kMaxInt64));
  if (t.expires_at_ms != 0 && t.expires_at_ms <= t.created_at_ms) {
    return Invalid("expires_at_ms", "must be after created_at_ms");
  }
  return Status::Ok();
}

Status ValidateJobSpec(const JobSpec& spec) {
  if (!IsSlug(spec.tenant)) return Invalid("tenant", "'" + spec.tenant + "' is not a tenant id");
  GPUFLEET_RETURN_IF_ERROR(CheckText("name", spec.name, false));
  GPUFLEET_RETURN_IF_ERROR(CheckText("data_class", spec.data_class, false));
  std::set<std::string_view> seen;
  for (const std::string& m : spec.models) {
    GPUFLEET_RETURN_IF_ERROR(CheckText("models", m, false));
    if (m.find('|') != std::string::npos) return Invalid("models", "'" + m + "' contains '|'");
    if (!seen.insert(m).second) return Invalid("models", "'" + m + "' listed twice");
  }
  GPUFLEET_RETURN_IF_ERROR(CheckRange("gpu_count", spec.gpu_count, 0, kMaxGpusPerReplica));
  if (spec.gpu_count == 0) {
    GPUFLEET_RETURN_IF_ERROR(CheckRange("gpu_milli", spec.gpu_milli, 0, 0));
  } else {
    GPUFLEET_RETURN_IF_ERROR(CheckRange("gpu_milli", spec.gpu_milli, 1, 1000));
    if (spec.gpu_count > 1 && spec.gpu_milli != 1000) {
      return Invalid("gpu_milli", "a fraction of a GPU needs gpu_count 1");
    }
  }
  GPUFLEET_RETURN_IF_ERROR(CheckRange("replicas", spec.replicas, 1, kMaxReplicas));
  GPUFLEET_RETURN_IF_ERROR(CheckRange("cpu_milli", spec.cpu_milli, 0, kMaxInt64));
  GPUFLEET_RETURN_IF_ERROR(CheckRange("memory_mib", spec.memory_mib, 0, kMaxInt64));
  GPUFLEET_RETURN_IF_ERROR(CheckRange("duration_s", spec.duration_s, 0, kMaxInt64));
  GPUFLEET_RETURN_IF_ERROR(CheckRange("submitted_at_ms", spec.submitted_at_ms, 0, kMaxInt64));
  if (spec.idempotency_key.has_value()) {
    GPUFLEET_RETURN_IF_ERROR(CheckText("idempotency_key", *spec.idempotency_key, false));
  }
  return Status::Ok();
}

Status ValidateJobFilter(const JobFilter& f) {
  return CheckRange("limit", f.limit, 1, kMaxPageSize);
}

Status ValidateStartReplicas(const Schedule::Start& start, int64_t replicas) {
  const std::string job = std::to_string(start.job.value());
  if (static_cast<int64_t>(start.placements.size()) != replicas) {
    return Status::InvalidArgument("placements: " + std::to_string(start.placements.size()) +
                                   " for job " + job + " with " + std::to_string(replicas) +
                                   " replicas");
  }
  for (const Placement& p : start.placements) {
    if (p.replica < 0 || p.replica >= replicas) {
      return Status::InvalidArgument("placements.replica: " + std::to_string(p.replica) +
                                     " is outside 0.." + std::to_string(replicas - 1) +
                                     " for job " + job);
    }
  }
  return Status::Ok();
}

Status ValidateInventoryAppend(const std::vector<InventoryEntry>& entries,
                               const std::vector<AssetRow>& assets) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const InventoryEntry& e = entries[i];
    if (e.index < 0 || (i > 0 && e.index != entries[i - 1].index + 1)) {
      return Invalid("index", "entries must be numbered consecutively from the log's size");
    }
    if (e.subject.empty() || e.kind.empty() || e.body.empty()) {
      return Invalid("entry", "subject, kind and body must not be empty");
    }
    if (e.hashes.empty() || e.hashes.size() % 64 != 0) {
      return Invalid("hashes", "must be one or more 64-digit hex hashes");
    }
  }
  for (const AssetRow& a : assets) {
    if (a.serial.empty() || a.record.empty()) {
      return Invalid("asset", "serial and record must not be empty");
    }
    if (a.status != "active" && a.status != "retired" && a.status != "lost") {
      return Invalid("status", "'" + a.status + "' is not active, retired or lost");
    }
  }
  return Status::Ok();
}

Status ValidateInventoryRead(int64_t from, int32_t limit) {
  GPUFLEET_RETURN_IF_ERROR(CheckRange("from", from, 0, kMaxInt64));
  return CheckRange("limit", limit, 1, 100'000);
}

Status ValidateAssetFilter(const AssetFilter& f) {
  return CheckRange("limit", f.limit, 1, kMaxPageSize);
}

Status InventoryRace(int64_t first_index, int64_t size) {
  return Status::FailedPrecondition("inventory log: entries start at " +
                                    std::to_string(first_index) + " but the log holds " +
                                    std::to_string(size) + " (appended elsewhere meanwhile)");
}

Status ValidateInventoryIndexes(const std::vector<int64_t>& indexes) {
  if (indexes.size() > 1000) return Invalid("indexes", "at most 1000 at once");
  for (const int64_t i : indexes) GPUFLEET_RETURN_IF_ERROR(CheckRange("index", i, 0, kMaxInt64));
  return Status::Ok();
}

Status ValidateCheckpoint(const CheckpointRecord& cp) {
  GPUFLEET_RETURN_IF_ERROR(CheckRange("size", cp.size, 0, kMaxInt64));
  if (cp.note.empty()) return Invalid("note", "must not be empty");
  return Status::Ok();
}

Status ValidateObservedNode(const ObservedNodeRow& row) {
  if (row.node.empty() || row.node.size() > kMaxTextLength) {
    return Invalid("node", "must have 1 to " + std::to_string(kMaxTextLength) + " characters");
  }
  if (row.report.size() > kMaxObservedReportBytes) {
    return Invalid("report", "longer than " + std::to_string(kMaxObservedReportBytes) + " bytes");
  }
  GPUFLEET_RETURN_IF_ERROR(CheckRange("first_seen_ms", row.first_seen_ms, 0, kMaxInt64));
  GPUFLEET_RETURN_IF_ERROR(CheckRange("last_change_ms", row.last_change_ms, 0, kMaxInt64));
  return CheckRange("last_seen_ms", row.last_seen_ms, 0, kMaxInt64);
}

Status CheckpointBeyondLog(int64_t size, int64_t log_size) {
  return Status::InvalidArgument("checkpoint: size " + std::to_string(size) +
                                 " is beyond the log's " + std::to_string(log_size) + " entries");
}

Status CheckpointTaken(int64_t size) {
  return Status::AlreadyExists("checkpoint: another note is recorded for size " +
                               std::to_string(size));
}

Status UnknownTenant(std::string_view tenant) {
  return Status::InvalidArgument("tenant: unknown '" + std::string(tenant) + "'");
}

Status ValidateSchedule(const Schedule& s) {
  for (const Schedule::Start& start : s.starts) {
    std::set<int32_t> replicas;
    for (const Placement& p : start.placements) {
      GPUFLEET_RETURN_IF_ERROR(CheckText("placements.node", p.node, false));
      if (!replicas.insert(p.replica).second) {
        return Invalid("placements.replica", std::to_string(p.replica) + " placed twice for job " +
                                                 std::to_string(start.job.value()));
      }
    }
  }
  for (const Schedule::Preemption& p : s.preemptions) {
    GPUFLEET_RETURN_IF_ERROR(CheckText("preemptions.reason", p.reason, false));
  }
  for (const Schedule::PendingReason& p : s.pending_reasons) {
    GPUFLEET_RETURN_IF_ERROR(CheckText("pending_reasons.reason", p.reason, true));
  }
  for (const Schedule::Drain& d : s.drains) {
    GPUFLEET_RETURN_IF_ERROR(CheckText("drains.reason", d.reason, true));
    if (d.until_ms < 0) return Invalid("drains.until_ms", "must not be negative");
  }
  return Status::Ok();
}

std::string JoinModels(const std::vector<std::string>& models) {
  std::string out;
  for (const std::string& m : models) {
    if (!out.empty()) out += '|';
    out += m;
  }
  return out;
}

std::vector<std::string> SplitModels(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const size_t bar = joined.find('|');
    out.emplace_back(joined.substr(0, bar));
    if (bar == std::string_view::npos) break;
    joined.remove_prefix(bar + 1);
  }
  return out;
}

}  // namespace gpufleet::store
