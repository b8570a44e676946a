#include "synth/sampling.h"

#include <algorithm>
#include <cmath>

namespace gpufleet::synth {

WeightedPicker::WeightedPicker(const std::vector<double>& weights) {
  cumulative_.reserve(weights.size());
  double sum = 0;
  for (const double w : weights) {
    sum += w;
    cumulative_.push_back(sum);
  }
}

size_t WeightedPicker::Pick(Rng& rng) const {
  const double u = rng.UniformDouble() * cumulative_.back();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  // u < back() always holds in exact arithmetic; the clamp guards the rounding of the product.
  return std::min(static_cast<size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

int64_t UniformInRange(Rng& rng, int64_t min, int64_t max) {
  const uint64_t span = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
  if (span == UINT64_MAX) return static_cast<int64_t>(rng.Next());
  return static_cast<int64_t>(static_cast<uint64_t>(min) + rng.Uniform(span + 1));
}

int64_t UniformInRange(Rng& rng, const Int64Range& r) {
  return r.min + UniformInRange(rng, 0, (r.max - r.min) / r.step) * r.step;
}

double Exponential(Rng& rng, double mean) {
  // 1 - U lies in (0, 1], so the log is finite.
  return -mean * std::log(1.0 - rng.UniformDouble());
}

double StandardNormal(Rng& rng) {
  double x = 0;
  double s = 0;
  do {
    x = 2.0 * rng.UniformDouble() - 1.0;
    const double y = 2.0 * rng.UniformDouble() - 1.0;
    s = x * x + y * y;
  } while (s >= 1.0 || s == 0.0);
  // The polar method yields two independent normals; dropping the second keeps the stream
  // position independent of caching state, at the cost of a few extra draws.
  return x * std::sqrt(-2.0 * std::log(s) / s);
}

double LogNormalWithMean(Rng& rng, double mean, double sigma) {
  // E[exp(mu + sigma Z)] = exp(mu + sigma^2 / 2), so this mu makes the mean exactly `mean`.
  const double mu = std::log(mean) - sigma * sigma / 2.0;
  return std::exp(mu + sigma * StandardNormal(rng));
}

}  // namespace gpufleet::synth
