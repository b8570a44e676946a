// What gpufleetd leaves on disk and prints: the SQLite store, its WAL and the admin token file
// are readable by their owner only, and a PostgreSQL password never reaches its output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "support/cli_runner.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {
namespace {

// Permission bits of `path`; -1 when it does not exist.
int Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

TEST(GpufleetdFilesTest, StoreWalAndTokenFileAreOwnerOnly) {
  const std::string dir = FreshDir("gpufleetd_files");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {.args = {"--demo-gpus", "64", "--store", dir + "/gpufleet.db", "--port", "0",
                "--no-scheduler", "--admin-token-file", dir + "/admin-token"},
       .stderr_path = dir + "/stderr",
       .tmpdir = dir});
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  for (const std::string name : {"gpufleet.db", "gpufleet.db-wal", "admin-token"}) {
    EXPECT_EQ(Mode(dir + "/" + name), 0600) << name;
  }
  const Result<int> stopped = (*daemon)->Stop(std::chrono::seconds(30));
  EXPECT_TRUE(stopped.ok()) << stopped.status().ToString();
}

// CI's PostgreSQL URI carries a password; without one, a made-up unreachable server shows
// that a refused start does not print it either.
TEST(GpufleetdFilesTest, PostgresPasswordIsNeverPrinted) {
  const char* url = std::getenv("GPUFLEET_TEST_POSTGRES");
  const std::string unreachable = "postgresql://ops:never-print-me@127.0.0.1:1/none";
  const CliResult refused =
      RunGpufleetd("--demo-gpus 64 --port 0 --no-scheduler --store " + unreachable);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_THAT(refused.out + refused.err, ::testing::Not(::testing::HasSubstr("never-print-me")));
  EXPECT_THAT(refused.err, ::testing::HasSubstr("ops:***@127.0.0.1:1"));
  if (url == nullptr) GTEST_SKIP() << "GPUFLEET_TEST_POSTGRES unset: no running server to try";
  const std::string location = url;
  const size_t colon = location.find(':', location.find("://") + 3);
  const size_t at = location.find('@');
  if (colon == std::string::npos || at == std::string::npos || colon > at) {
    GTEST_SKIP() << "the test server's URI has no password";
  }
  const std::string password = location.substr(colon + 1, at - colon - 1);
  const std::string dir = FreshDir("gpufleetd_pg_banner");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {.args = {"--demo-gpus", "64", "--store", location, "--port", "0", "--no-scheduler"},
       .stderr_path = dir + "/stderr",
       .tmpdir = dir});
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  EXPECT_THAT((*daemon)->banner(), ::testing::Not(::testing::HasSubstr(":" + password + "@")));
  EXPECT_THAT((*daemon)->banner(), ::testing::HasSubstr(":***@"));
  EXPECT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
}

}  // namespace
}  // namespace gpufleet::testing
