#include "support/shared_data.h"

#include <cstdlib>
#include <filesystem>

namespace gpufleet::testing {

namespace {
std::string SharedDir() {
  if (const char* env = std::getenv("GPUFLEET_SHARED_DIR")) return env;
  return std::string(GPUFLEET_SOURCE_DIR) + "/../shared";
}
std::string IfExists(const std::string& path) {
  return std::filesystem::is_directory(path) ? path : "";
}
}  // namespace

std::string AlibabaTraceDir() { return IfExists(SharedDir() + "/data/alibaba-gpu-v2023"); }
std::string ReferenceDir() { return IfExists(SharedDir() + "/reference"); }

}  // namespace gpufleet::testing
