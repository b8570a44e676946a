#pragma once
// Draws from the distributions the synthetic generators need, built only on gpufleet::Rng so a
// seed gives the same sequence on every standard library (std::*_distribution does not).

#include <cstdint>
#include <vector>

#include "gpufleet/model/rng.h"
#include "gpufleet/synth/synthetic.h"

namespace gpufleet::synth {

// Picks index i with probability weights[i] / sum. REQUIRES: weights non-empty, each > 0.
// O(log n) per pick.
class WeightedPicker {
 public:
  explicit WeightedPicker(const std::vector<double>& weights);
  size_t Pick(Rng& rng) const;

 private:
  std::vector<double> cumulative_;
};

// Uniform integer in [min, max]. REQUIRES: min <= max.
int64_t UniformInRange(Rng& rng, int64_t min, int64_t max);
// Uniform over min, min + step, ... <= max. REQUIRES: a valid range.
int64_t UniformInRange(Rng& rng, const Int64Range& r);
// Exponential with the given mean. REQUIRES: mean > 0.
double Exponential(Rng& rng, double mean);
// Standard normal (Marsaglia's polar method: needs only log and sqrt, no trigonometry).
double StandardNormal(Rng& rng);
// Log-normal whose mean (not median) is `mean`. REQUIRES: mean > 0, sigma >= 0.
double LogNormalWithMean(Rng& rng, double mean, double sigma);

}  // namespace gpufleet::synth
