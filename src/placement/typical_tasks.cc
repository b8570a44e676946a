#include <algorithm>
#include <map>
#include <tuple>

#include "gpufleet/placement/policy.h"

namespace gpufleet::placement {

std::vector<TypicalTask> BuildTypicalTasks(const std::vector<TraceShape>& pods, double coverage) {
  using Key = std::tuple<int64_t, int32_t, int32_t, std::string>;
  std::map<Key, std::pair<int64_t, ModelSet>> counts;
  for (const TraceShape& p : pods) {
    auto& entry = counts[{p.cpu_milli, p.gpu_milli, p.gpu_count, p.model_list}];
    ++entry.first;
    entry.second = p.allowed_models;
  }
  struct Counted {
    Key key;
    int64_t count;
    ModelSet models;
  };
  std::vector<Counted> shapes;
  for (const auto& [key, v] : counts) shapes.push_back({key, v.first, v.second});
  // Most popular first; equal counts by CPU, GPU milli, GPU count, model list, all descending
  // (this decides which shapes survive a tie at the cut).
  std::sort(shapes.begin(), shapes.end(), [](const Counted& a, const Counted& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.key > b.key;
  });
  const double n = static_cast<double>(pods.size());
  size_t kept = 0;
  int64_t kept_count = 0;
  while (kept < shapes.size() && static_cast<double>(kept_count) < coverage * n) {
    kept_count += shapes[kept].count;
    ++kept;
  }
  const bool all_kept = kept == shapes.size();
  std::vector<TypicalTask> out;
  out.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    const auto& [cpu, g, k, models] = shapes[i].key;
    TypicalTask t;
    t.pod.cpu_milli = cpu;
    t.pod.gpu_milli = g;
    t.pod.gpu_count = k;
    t.pod.allowed_models = shapes[i].models;
    const double share = static_cast<double>(shapes[i].count) / n;
    t.probability = all_kept ? share : share / (static_cast<double>(kept_count) / n);
    out.push_back(t);
  }
  return out;
}

}  // namespace gpufleet::placement
