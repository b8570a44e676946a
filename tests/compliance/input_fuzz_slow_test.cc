// The input fuzz run of input_fuzz_test.cc at scale: 800 mutations of each shipped file
// (6,400 in all) with other seeds. Labelled slow: `ctest -L slow`.

#include "compliance/input_fuzzer.h"

namespace gpufleet::compliance::fuzz {
namespace {

TEST(InputFuzzSlowTest, ThousandsOfMutatedFilesAreReadOrRefusedCleanly) {
  InputFuzzer fuzzer;
  for (size_t t = 0; t < Targets().size(); ++t) fuzzer.Run(t, 800, 50000 + t);
}

}  // namespace
}  // namespace gpufleet::compliance::fuzz
