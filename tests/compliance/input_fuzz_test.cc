// Every shipped rule file, the catalog and the compliance examples, mutated with fixed seeds
// (input_fuzzer.h): no crash, abort, exception or runaway error message. Sized to stay well
// under five minutes under ASan on two cores; input_fuzz_slow_test.cc runs many more.

#include "compliance/input_fuzzer.h"

namespace gpufleet::compliance::fuzz {
namespace {

class InputFuzzTest : public ::testing::TestWithParam<size_t> {};

TEST_P(InputFuzzTest, MutatedFilesAreReadOrRefusedCleanly) {
  InputFuzzer fuzzer;
  fuzzer.Run(GetParam(), 100, 1000 + GetParam());
}

INSTANTIATE_TEST_SUITE_P(ShippedFiles, InputFuzzTest, ::testing::Range(size_t{0}, Targets().size()),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                           std::string name;
                           for (char c : Targets()[p.param]) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace gpufleet::compliance::fuzz
