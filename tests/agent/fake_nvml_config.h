#pragma once
// Where the test build puts the fake libnvidia-ml.so.1 (tests/agent/fake_nvml.cc) and how a
// test describes the devices it reports ($FAKE_NVML_CONFIG).

#include <fstream>
#include <string>
#include <string_view>

namespace gpufleet::agent::testing {

// `a` then `b`. Built with +=: GCC 12 at -O2 warns (-Warray-bounds, a false positive) about
// operator+ on a temporary string in these inline helpers.
inline std::string Joined(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

// The folder holding the fake with every call, and the one lacking nvmlDeviceGetVbiosVersion.
inline std::string FakeNvmlDir() { return Joined(GPUFLEET_BINARY_DIR, "/tests/fake_nvml/full"); }
inline std::string FakeNvmlWithoutVbiosDir() {
  return Joined(GPUFLEET_BINARY_DIR, "/tests/fake_nvml/without_vbios");
}
inline std::string FakeNvmlPath(const std::string& dir) {
  return Joined(dir, "/libnvidia-ml.so.1");
}

// Two H100s as a DGX's driver would show them; the second board reports no part number.
inline constexpr const char* kTwoH100s =
    "driver 550.54.15\n"
    "device NVIDIA H100 80GB HBM3|1650123456789|GPU-11111111-2222-3333-4444-555555555555|"
    "00000000:17:00.0|699-2G520-0200-000|85520809984|96.00.99.00.01\n"
    "device NVIDIA H100 80GB HBM3|1650123456790|GPU-66666666-7777-8888-9999-000000000000|"
    "00000000:3D:00.0||85520809984|96.00.99.00.01\n";

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

}  // namespace gpufleet::agent::testing
