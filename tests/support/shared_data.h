#pragma once
// Where the reference data in ../shared lives, for tests that use it. Such tests call
// GTEST_SKIP() with a clear message when it is absent.

#include <string>

namespace gpufleet::testing {

// The directory holding the Alibaba GPU trace (openb_*.csv), or "" when absent.
// GPUFLEET_SHARED_DIR overrides the default <source>/../shared.
std::string AlibabaTraceDir();
// <shared>/reference, or "" when absent.
std::string ReferenceDir();

}  // namespace gpufleet::testing
