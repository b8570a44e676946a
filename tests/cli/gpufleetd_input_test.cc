// gpufleetd refuses to start on a fleet or rule overlay naming a country no ISO 3166-1 code
// names: it would otherwise schedule under rules that silently never apply there.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

const std::string kSource = GPUFLEET_SOURCE_DIR;

// gpufleetd on its own store in `dir`, without scheduling: only its start-up is under test.
CliResult RunDaemon(const std::string& dir, const std::string& args) {
  return RunGpufleetd("--port 0 --no-scheduler --store " + dir + "/d.db " + args);
}

// The example fleet with its first `from` replaced by `to`, and its assets beside it.
std::string FleetWith(const std::string& dir, const std::string& from, const std::string& to) {
  std::string fleet = ReadFile(kSource + "/examples/fleet.yaml");
  const size_t at = fleet.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  fleet.replace(at, from.size(), to);
  std::ofstream(dir + "/fleet.yaml") << fleet;
  std::filesystem::copy_file(kSource + "/examples/assets.csv", dir + "/assets.csv");
  return dir + "/fleet.yaml";
}

TEST(GpufleetdInputTest, RefusesAFleetWithAnUnassignedCountry) {
  const std::string dir = FreshDir("gpufleetd_bad_country");
  CliResult r =
      RunDaemon(dir, "--fleet " + FleetWith(dir, "\n    country: CN", "\n    country: UK"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("gpufleetd: fleet: "));
  EXPECT_THAT(r.err, HasSubstr("'UK' is not an ISO 3166-1 alpha-2 country code"));
}

TEST(GpufleetdInputTest, RefusesAnOverlayWithAnUnassignedCountry) {
  const std::string dir = FreshDir("gpufleetd_bad_overlay");
  std::ofstream(dir + "/overlay.yaml") << "licences:\n"
                                          "  - id: LIC-X\n"
                                          "    holder: acme\n"
                                          "    models: [H20]\n"
                                          "    locations: [XX]\n"
                                          "    status: granted\n";
  CliResult r = RunDaemon(
      dir, "--fleet " + kSource + "/examples/fleet.yaml --overlay " + dir + "/overlay.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("gpufleetd: rules: "));
  EXPECT_THAT(r.err, HasSubstr("unknown group or country code 'XX'"));
}

}  // namespace
}  // namespace gpufleet::testing
