#include "gpufleet/model/job.h"

#include <string>

#include "gpufleet/model/utf8.h"

namespace gpufleet {

Status ValidatePodRequest(const PodRequest& r, std::string_view what) {
  const std::string w(what);
  if (r.cpu_milli < 0) return Status::InvalidArgument(w + ": negative cpu_milli");
  if (r.memory_mib < 0) return Status::InvalidArgument(w + ": negative memory_mib");
  if (r.gpu_count < 0) return Status::InvalidArgument(w + ": negative gpu count");
  if (r.gpu_milli < 0 || r.gpu_milli > kMilliPerGpu) {
    return Status::InvalidArgument(w + ": gpu_milli " + std::to_string(r.gpu_milli) +
                                   " outside 0..1000");
  }
  if (r.gpu_count > 1 && r.gpu_milli != kMilliPerGpu) {
    return Status::InvalidArgument(w + ": a fractional GPU (gpu_milli " +
                                   std::to_string(r.gpu_milli) +
                                   ") can only be asked for with gpu count 1");
  }
  return Status::Ok();
}

WorkloadClasses::WorkloadClasses()
    : WorkloadClasses({"training", "inference", "recommendation", "batch"}) {}

WorkloadClasses::WorkloadClasses(std::vector<std::string> names) : names_(std::move(names)) {}

Result<WorkloadClassId> WorkloadClasses::Find(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return WorkloadClassId(static_cast<uint16_t>(i));
  }
  return Status::NotFound("workload class '" + Excerpt(name) + "'");
}

}  // namespace gpufleet
