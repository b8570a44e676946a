// The shipped planner example, each file mutated with a fixed seed (scenario_fuzzer.h): no
// crash, abort, exception or internal error, only a plan or a clean input error. Sized to stay
// well under a minute in the default build and under five minutes under ASan on two cores;
// scenario_fuzz_slow_test.cc runs many more.

#include "planner/scenario_fuzzer.h"

namespace gpufleet::planner::fuzz {
namespace {

TEST(ScenarioFuzzTest, TheShippedScenarioPlans) { ScenarioFuzzer().CheckOriginalPlans(); }

class ScenarioFuzzTest : public ::testing::TestWithParam<size_t> {};

TEST_P(ScenarioFuzzTest, MutatedFilesArePlannedOrRefusedCleanly) {
  ScenarioFuzzer fuzzer;
  fuzzer.Run(GetParam(), 40, 7000 + GetParam());
}

INSTANTIATE_TEST_SUITE_P(ShippedFiles, ScenarioFuzzTest,
                         ::testing::Range(size_t{0}, Targets().size()),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                           std::string name;
                           for (char c : Targets()[p.param]) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace gpufleet::planner::fuzz
