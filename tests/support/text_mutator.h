#pragma once
// Seeded mutations of text input files, for fuzz tests of the readers: byte flips, invalid
// UTF-8, extreme numbers, unknown countries and models, lines deleted, duplicated or swapped,
// truncation, deep nesting, a structure where a scalar belongs. Each mutation keeps most of
// the file, so it reaches past the first syntax check into the validators behind it.

#include <cstdint>
#include <string>

#include "gpufleet/model/rng.h"

namespace gpufleet::testing {

class TextMutator {
 public:
  explicit TextMutator(uint64_t seed) : rng_(seed) {}

  // `text` with 1-3 random mutations applied; `what` (if not null) receives their names.
  std::string Mutate(const std::string& text, std::string* what = nullptr);

 private:
  std::string MutateOnce(std::string text, std::string* what);

  Rng rng_;
};

}  // namespace gpufleet::testing
