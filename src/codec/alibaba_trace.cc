#include "gpufleet/codec/alibaba_trace.h"

#include <fstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "gpufleet/codec/csv_table.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::codec {
namespace {

constexpr char kSiteName[] = "alibaba";

// Splits on '|' and drops empty entries, as the reference converter does.
std::vector<std::string> SplitModels(const std::string& spec) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t bar = spec.find('|', start);
    if (bar == std::string::npos) bar = spec.size();
    if (bar > start) out.push_back(spec.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

Result<std::optional<int64_t>> OptionalTime(const CsvTable& t, const CsvTable::Row& row,
                                            std::optional<size_t> column) {
  if (!column || row.fields[*column].empty()) return std::optional<int64_t>();
  Result<int64_t> v = t.NonNegativeInt(row, *column);
  if (!v.ok()) return v.status();
  return std::optional<int64_t>(*v);
}

}  // namespace

Result<Fleet> ReadAlibabaNodes(const std::string& path) {
  Result<CsvTable> table = CsvTable::Read(path);
  if (!table.ok()) return table.status();
  const CsvTable& t = *table;
  GPUFLEET_RETURN_IF_ERROR(t.RequireColumns({"sn", "cpu_milli", "memory_mib", "gpu", "model"}));
  const size_t c_sn = *t.Column("sn"), c_cpu = *t.Column("cpu_milli");
  const size_t c_mem = *t.Column("memory_mib"), c_gpu = *t.Column("gpu");
  const size_t c_model = *t.Column("model");

  Fleet fleet;
  Result<SiteId> site = fleet.AddSite(kSiteName, "CN", "alibaba", Ownership::kOwned);
  if (!site.ok()) return site.status();
  for (const CsvTable::Row& row : t.rows()) {
    const std::string& name = row.fields[c_sn];
    if (name.empty()) return t.Error(row, c_sn, "empty node name");
    Result<int64_t> cpu = t.NonNegativeInt(row, c_cpu);
    if (!cpu.ok()) return cpu.status();
    Result<int64_t> mem = t.NonNegativeInt(row, c_mem);
    if (!mem.ok()) return mem.status();
    Result<int64_t> gpus = t.NonNegativeInt(row, c_gpu);
    if (!gpus.ok()) return gpus.status();
    if (*gpus > kMaxGpusPerNode) {
      return t.Error(row, c_gpu,
                     std::to_string(*gpus) + " GPUs, at most " + std::to_string(kMaxGpusPerNode) +
                         " per node");
    }
    ChipModelId model(0);
    const std::string& model_name = row.fields[c_model];
    if (*gpus > 0) {
      if (model_name.empty()) return t.Error(row, c_model, "GPU node without a model");
      if (std::optional<ChipModelId> known = fleet.FindModel(model_name)) {
        model = *known;
      } else {
        if (fleet.models().size() >= static_cast<size_t>(kMaxChipModels)) {
          return t.Error(row, c_model,
                         "more than " + std::to_string(kMaxChipModels) + " distinct GPU models");
        }
        Result<ChipModelId> added = fleet.AddModel("unknown", model_name, 0);
        if (!added.ok()) return t.Error(row, c_model, added.status().message());
        model = *added;
      }
    }
    Result<NodeId> node =
        fleet.AddNode(name, *site, model, static_cast<int32_t>(*gpus), *cpu, *mem);
    if (!node.ok()) return t.Error(row, c_sn, node.status().message());
  }
  return fleet;
}

Result<std::vector<TracePod>> ReadAlibabaPods(const std::string& path, const Fleet& fleet) {
  Result<CsvTable> table = CsvTable::Read(path);
  if (!table.ok()) return table.status();
  const CsvTable& t = *table;
  GPUFLEET_RETURN_IF_ERROR(
      t.RequireColumns({"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"}));
  const size_t c_name = *t.Column("name"), c_cpu = *t.Column("cpu_milli");
  const size_t c_mem = *t.Column("memory_mib"), c_num = *t.Column("num_gpu");
  const size_t c_milli = *t.Column("gpu_milli");
  // The multigpu variants have only the five columns above.
  const std::optional<size_t> c_spec = t.Column("gpu_spec"), c_qos = t.Column("qos");
  const std::optional<size_t> c_phase = t.Column("pod_phase");
  const std::optional<size_t> c_create = t.Column("creation_time");
  const std::optional<size_t> c_delete = t.Column("deletion_time");
  const std::optional<size_t> c_sched = t.Column("scheduled_time");

  std::vector<TracePod> pods;
  pods.reserve(t.rows().size());
  std::unordered_set<std::string> names;
  for (const CsvTable::Row& row : t.rows()) {
    TracePod p;
    p.name = row.fields[c_name];
    if (p.name.empty()) return t.Error(row, c_name, "empty pod name");
    if (!names.insert(p.name).second)
      return t.Error(row, c_name, "duplicate pod '" + Excerpt(p.name) + "'");
    Result<int64_t> cpu = t.NonNegativeInt(row, c_cpu);
    if (!cpu.ok()) return cpu.status();
    Result<int64_t> mem = t.NonNegativeInt(row, c_mem);
    if (!mem.ok()) return mem.status();
    Result<int64_t> num = t.NonNegativeInt(row, c_num);
    if (!num.ok()) return num.status();
    if (*num > kMaxGpusPerNode) {
      return t.Error(row, c_num,
                     std::to_string(*num) + " GPUs, more than any node can hold (" +
                         std::to_string(kMaxGpusPerNode) + ")");
    }
    Result<int64_t> milli = t.Int(row, c_milli);
    if (!milli.ok()) return milli.status();
    // The reference converter's rules (fgd-policies.md, "Pod conversion").
    int64_t per_gpu = *milli;
    if (*num == 0) per_gpu = 0;
    if (per_gpu > kMilliPerGpu) per_gpu = kMilliPerGpu;
    if (per_gpu < 0) per_gpu = 0;
    if (*num > 1 && per_gpu > 0 && per_gpu < kMilliPerGpu) {
      return t.Error(row, c_milli,
                     "fractional GPU share " + std::to_string(per_gpu) + " with " +
                         std::to_string(*num) + " GPUs; a share is only allowed with one GPU");
    }
    p.pod.cpu_milli = *cpu;
    p.pod.memory_mib = *mem;
    p.pod.gpu_count = static_cast<int32_t>(*num);
    p.pod.gpu_milli = static_cast<int32_t>(per_gpu);
    if (c_spec) {
      p.gpu_spec = row.fields[*c_spec];
      for (const std::string& m : SplitModels(p.gpu_spec)) {
        std::optional<ChipModelId> id = fleet.FindModel(m);
        if (!id) return t.Error(row, c_spec, "unknown GPU model '" + Excerpt(m) + "'");
        p.pod.allowed_models.Add(*id);
      }
    }
    if (c_qos) p.qos = row.fields[*c_qos];
    if (c_phase) p.phase = row.fields[*c_phase];
    Result<std::optional<int64_t>> created = OptionalTime(t, row, c_create);
    if (!created.ok()) return created.status();
    Result<std::optional<int64_t>> deleted = OptionalTime(t, row, c_delete);
    if (!deleted.ok()) return deleted.status();
    Result<std::optional<int64_t>> scheduled = OptionalTime(t, row, c_sched);
    if (!scheduled.ok()) return scheduled.status();
    p.creation_time = *created;
    p.deletion_time = *deleted;
    p.scheduled_time = *scheduled;
    if (p.creation_time && p.deletion_time && *p.deletion_time < *p.creation_time) {
      return t.Error(row, c_delete, "deletion before creation");
    }
    GPUFLEET_RETURN_IF_ERROR(ValidatePodRequest(p.pod, t.path() + ":" + std::to_string(row.line)));
    pods.push_back(std::move(p));
  }
  return pods;
}

Result<std::vector<ArrivalRow>> ReadArrivalOrder(const std::string& path) {
  Result<CsvTable> table = CsvTable::Read(path);
  if (!table.ok()) return table.status();
  const CsvTable& t = *table;
  GPUFLEET_RETURN_IF_ERROR(t.RequireColumns({"arrival", "pod", "trace_pod"}));
  const size_t c_arrival = *t.Column("arrival"), c_pod = *t.Column("pod");
  const size_t c_trace = *t.Column("trace_pod");
  const std::optional<size_t> c_node = t.Column("node"), c_gpu = t.Column("gpu_index");
  std::vector<ArrivalRow> rows;
  rows.reserve(t.rows().size());
  for (const CsvTable::Row& row : t.rows()) {
    Result<int64_t> arrival = t.NonNegativeInt(row, c_arrival);
    if (!arrival.ok()) return arrival.status();
    if (*arrival != static_cast<int64_t>(rows.size())) {
      return t.Error(row, c_arrival,
                     "expected arrival " + std::to_string(rows.size()) + ", found " +
                         std::to_string(*arrival));
    }
    ArrivalRow a;
    a.pod = row.fields[c_pod];
    a.trace_pod = row.fields[c_trace];
    if (a.trace_pod.empty()) return t.Error(row, c_trace, "empty trace pod");
    if (c_node) a.node = row.fields[*c_node];
    if (c_gpu && !row.fields[*c_gpu].empty()) {
      const std::string& s = row.fields[*c_gpu];
      size_t start = 0;
      while (start <= s.size()) {
        size_t dash = s.find('-', start);
        if (dash == std::string::npos) dash = s.size();
        const std::string part = s.substr(start, dash - start);
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos ||
            part.size() > 3 || std::stoi(part) >= kMaxGpusPerNode) {
          return t.Error(row, c_gpu, "bad GPU index list '" + Excerpt(s) + "'");
        }
        a.gpus.push_back(std::stoi(part));
        start = dash + 1;
      }
    }
    rows.push_back(std::move(a));
  }
  // An empty order would silently mean "no explicit order" to the simulator.
  if (rows.empty()) return Status::InvalidArgument(path + ": no arrivals, only a header row");
  return rows;
}

Result<std::vector<std::string>> ReadNodeOrder(const std::string& path) {
  Result<CsvTable> table = CsvTable::Read(path);
  if (!table.ok()) return table.status();
  const CsvTable& t = *table;
  GPUFLEET_RETURN_IF_ERROR(t.RequireColumns({"rank", "node"}));
  const size_t c_rank = *t.Column("rank"), c_node = *t.Column("node");
  std::vector<std::string> nodes(t.rows().size());
  std::vector<bool> seen(t.rows().size(), false);
  std::unordered_map<std::string_view, int> line_of_node;
  for (const CsvTable::Row& row : t.rows()) {
    Result<int64_t> rank = t.NonNegativeInt(row, c_rank);
    if (!rank.ok()) return rank.status();
    if (*rank >= static_cast<int64_t>(nodes.size()) || seen[*rank]) {
      return t.Error(row, c_rank,
                     "ranks must be 0.." + std::to_string(nodes.size() - 1) + ", each once");
    }
    if (row.fields[c_node].empty()) return t.Error(row, c_node, "empty node name");
    const auto [first, inserted] = line_of_node.emplace(row.fields[c_node], row.line);
    if (!inserted) {
      return t.Error(row, c_node,
                     "'" + Excerpt(row.fields[c_node]) + "' already ranked on line " +
                         std::to_string(first->second));
    }
    seen[*rank] = true;
    nodes[*rank] = row.fields[c_node];
  }
  return nodes;
}

Status WriteArrivalOrder(const std::string& path, const std::vector<ArrivalRow>& rows) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError(path + ": cannot create file");
  out << "arrival,pod,trace_pod,node,gpu_index\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const ArrivalRow& r = rows[i];
    out << i << ',' << r.pod << ',' << r.trace_pod << ',' << r.node << ',';
    for (size_t g = 0; g < r.gpus.size(); ++g) out << (g ? "-" : "") << r.gpus[g];
    out << '\n';
  }
  out.flush();
  if (!out) return Status::IOError(path + ": write failed");
  return Status::Ok();
}

}  // namespace gpufleet::codec
