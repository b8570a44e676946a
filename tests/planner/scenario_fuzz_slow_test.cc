// The planner fuzz run of scenario_fuzz_test.cc at scale: 400 mutations of each shipped
// example file (3,200 in all) with other seeds. Labelled slow: `ctest -L slow`.

#include "planner/scenario_fuzzer.h"

namespace gpufleet::planner::fuzz {
namespace {

TEST(ScenarioFuzzSlowTest, ThousandsOfMutatedScenariosArePlannedOrRefusedCleanly) {
  ScenarioFuzzer fuzzer;
  for (size_t t = 0; t < Targets().size(); ++t) fuzzer.Run(t, 400, 90000 + t);
}

}  // namespace
}  // namespace gpufleet::planner::fuzz
