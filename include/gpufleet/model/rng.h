#pragma once
// Deterministic random numbers (xoshiro256**, seeded through SplitMix64). Our own so that a
// seed reproduces results bit-for-bit across standard libraries.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace gpufleet {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n);
  // Uniform in [0, 1).
  double UniformDouble();

  // One of `items` (a vector, an array or a braced list), uniformly. REQUIRES: not empty.
  template <typename Items>
  const auto& Pick(const Items& items) {
    return items[Uniform(std::size(items))];
  }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Uniform(N)];
  }

  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      const size_t j = Uniform(i);
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  uint64_t s_[4];
};

}  // namespace gpufleet
