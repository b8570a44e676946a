// The input fuzz run of input_fuzz_test.cc at scale: 1,000 mutations of each shipped file
// (8,000 in all) with other seeds. Labelled slow: `ctest -L slow`.

#include "compliance/input_fuzzer.h"

namespace gpufleet::compliance::fuzz {
namespace {

TEST(InputFuzzSlowTest, ThousandsOfMutatedFilesAreReadOrRefusedCleanly) {
  InputFuzzer fuzzer;
  for (size_t t = 0; t < Targets().size(); ++t) fuzzer.Run(t, 1000, 50000 + t);
}

}  // namespace
}  // namespace gpufleet::compliance::fuzz
