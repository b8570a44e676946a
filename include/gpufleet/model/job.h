#pragma once
// Jobs: what a tenant asks for. A job is `gang_size` identical replicas that are placed all
// together or not at all; each replica asks for CPU, memory and either whole GPUs or a
// fraction of one GPU.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/model/ids.h"
#include "gpufleet/status.h"

namespace gpufleet {

// One GPU is 1000 milli-GPU.
inline constexpr int32_t kMilliPerGpu = 1000;
// Upper bound on distinct accelerator models, so a set of them is one machine word.
inline constexpr int kMaxChipModels = 64;

// A set of accelerator models; empty means "any model".
class ModelSet {
 public:
  constexpr ModelSet() = default;
  static ModelSet Of(std::initializer_list<ChipModelId> ids) {
    ModelSet s;
    for (ChipModelId id : ids) s.Add(id);
    return s;
  }
  void Add(ChipModelId id) { bits_ |= uint64_t{1} << id.value(); }
  bool empty() const { return bits_ == 0; }
  // True when `id` is allowed: the set is empty or contains it.
  bool Allows(ChipModelId id) const { return bits_ == 0 || (bits_ >> id.value()) & 1; }
  uint64_t bits() const { return bits_; }
  friend bool operator==(ModelSet, ModelSet) = default;

 private:
  uint64_t bits_ = 0;
};

// Which accelerator models a pod may use in each zone: the placement-side form of a
// compliance verdict. A zone is a group of nodes that rules treat alike (the scheduler makes
// one per site, see ClusterState); a verdict depends on the site and the model, so one bit per
// (zone, model) says everything. Shared, read-only, by every pod of one tenant profile.
class ZoneFilter {
 public:
  explicit ZoneFilter(size_t zones) : allowed_(zones, 0) {}
  void Allow(uint32_t zone, ChipModelId model) { allowed_[zone] |= uint64_t{1} << model.value(); }
  void AllowAll(uint32_t zone) { allowed_[zone] = ~uint64_t{0}; }
  // The same over one zone only; `base` nullptr = every model there.
  static ZoneFilter OnlyZone(const ZoneFilter* base, size_t zones, uint32_t zone) {
    ZoneFilter f(zones);
    f.allowed_[zone] = base ? base->allowed_[zone] : ~uint64_t{0};
    return f;
  }
  bool Allows(uint32_t zone, ChipModelId model) const {
    return zone < allowed_.size() && (allowed_[zone] >> model.value()) & 1;
  }

 private:
  std::vector<uint64_t> allowed_;  // by zone: a bit per model
};

// What one replica of a job needs on one node.
struct PodRequest {
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  int32_t gpu_count = 0;  // 0 = CPU-only
  int32_t gpu_milli = 0;  // per GPU: 1..999 for a shared GPU (gpu_count == 1), 1000 for whole
  ModelSet allowed_models;
  // nullptr = every zone. Pods sharing a filter share the pointer, so the indexed placer
  // caches their scores together.
  std::shared_ptr<const ZoneFilter> zones;

  bool cpu_only() const { return gpu_count == 0 || gpu_milli == 0; }
  bool sharing() const { return gpu_count == 1 && gpu_milli > 0 && gpu_milli < kMilliPerGpu; }
  int64_t total_gpu_milli() const { return cpu_only() ? 0 : int64_t{gpu_count} * gpu_milli; }
  friend bool operator==(const PodRequest&, const PodRequest&) = default;
};

// Checks the invariants of a request: non-negative sizes, whole GPUs unless exactly one GPU is
// shared. `what` names the request in the message.
Status ValidatePodRequest(const PodRequest& r, std::string_view what);

// The configurable list of workload classes; defaults: training, inference, recommendation,
// batch.
class WorkloadClasses {
 public:
  WorkloadClasses();
  explicit WorkloadClasses(std::vector<std::string> names);
  Result<WorkloadClassId> Find(std::string_view name) const;
  const std::string& name(WorkloadClassId id) const { return names_[id.value()]; }
  size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

using Seconds = std::chrono::seconds;

struct Job {
  JobId id;
  std::string name;
  TenantId tenant;
  int32_t priority = 0;  // higher runs first
  WorkloadClassId workload_class;
  DataClassId data_class;
  PodRequest pod;  // per replica
  int32_t gang_size = 1;
  Seconds arrival{0};
  Seconds duration{0};  // 0 = runs until the end of the simulation
};

}  // namespace gpufleet
