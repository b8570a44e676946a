#include "gpufleet/sim/workload.h"

#include <numeric>

namespace gpufleet::sim {

std::vector<size_t> TunedArrivals(const std::vector<codec::TracePod>& pods, int64_t target_milli,
                                  uint64_t seed) {
  Rng rng(seed);
  std::vector<size_t> order(pods.size());
  std::iota(order.begin(), order.end(), size_t{0});
  rng.Shuffle(order);
  if (pods.empty()) return order;
  int64_t total = 0;
  for (const codec::TracePod& p : pods) total += p.pod.total_gpu_milli();
  // A trace with no GPU demand could never reach the target.
  if (total > 0 && total < target_milli) {
    for (;;) {
      const size_t j = rng.Uniform(pods.size());
      // As in the reference: the overshoot test adds the drawn pod's per-GPU share, not its
      // total request.
      if (total + pods[j].pod.gpu_milli > target_milli) break;
      order.push_back(j);
      total += pods[j].pod.total_gpu_milli();
    }
  } else {
    while (total > target_milli && !order.empty()) {
      const size_t k = rng.Uniform(order.size());
      total -= pods[order[k]].pod.total_gpu_milli();
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  return order;
}

std::vector<placement::TraceShape> TraceShapes(const std::vector<codec::TracePod>& pods) {
  std::vector<placement::TraceShape> shapes;
  shapes.reserve(pods.size());
  for (const codec::TracePod& p : pods) {
    shapes.push_back(
        {p.pod.cpu_milli, p.pod.gpu_milli, p.pod.gpu_count, p.gpu_spec, p.pod.allowed_models});
  }
  return shapes;
}

}  // namespace gpufleet::sim
