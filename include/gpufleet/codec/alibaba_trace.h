#pragma once
// Reader for the Alibaba GPU cluster trace v2023 ("openb") CSV format: node lists
// (sn,cpu_milli,memory_mib,gpu,model) and pod lists (11 columns, or the 5-column multigpu
// variants). Errors name file, line and column; on error nothing is returned, so a caller
// never sees a half-loaded trace.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/model/fleet.h"
#include "gpufleet/model/job.h"
#include "gpufleet/status.h"

namespace gpufleet::codec {

struct TracePod {
  std::string name;
  // Converted as the reference simulator does: num_gpu 0 => CPU-only (gpu_milli 0);
  // gpu_milli > 1000 clamps to 1000; gpu_milli <= 0 with num_gpu > 0 acts as CPU-only.
  PodRequest pod;
  std::string gpu_spec;  // the model list as written ("" = any)
  std::string qos;
  std::string phase;
  std::optional<int64_t> creation_time;  // seconds, trace-relative
  std::optional<int64_t> deletion_time;
  std::optional<int64_t> scheduled_time;
};

// Reads a node list into a new Fleet with one site ("alibaba", CN, owned). Accelerator models
// are created in order of first appearance (vendor "unknown"). Rows with gpu 0 are CPU-only
// nodes.
Result<Fleet> ReadAlibabaNodes(const std::string& path);

// Reads a pod list. Models named in gpu_spec must exist in `fleet`.
Result<std::vector<TracePod>> ReadAlibabaPods(const std::string& path, const Fleet& fleet);

// The explicit orders of a recorded run (shape of reference/fgd-replay/*.csv).
struct ArrivalRow {
  std::string pod;        // name of this arrival (copies may be renamed)
  std::string trace_pod;  // the trace row it copies
  std::string node;       // where the recorded run placed it; "" = failed or not recorded
  std::vector<int> gpus;  // GPU indices on that node
};
// Columns arrival,pod,trace_pod[,node,gpu_index]; rows must be in arrival order 0,1,2...,
// and there must be at least one.
Result<std::vector<ArrivalRow>> ReadArrivalOrder(const std::string& path);
// Columns rank,node; returns node names by increasing rank. Each rank and each node once.
Result<std::vector<std::string>> ReadNodeOrder(const std::string& path);
// Writes rows in the ReadArrivalOrder format.
Status WriteArrivalOrder(const std::string& path, const std::vector<ArrivalRow>& rows);

}  // namespace gpufleet::codec
