// Usage errors of both programs: exit 1 with the message and the usage line, never CLI11's own
// codes (104-109); help is no error.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

struct UsageCase {
  std::string args;
  std::string usage;  // the usage line stderr must show
};

TEST(UsageErrorTest, EveryCommandExitsOneWithItsUsageLine) {
  const UsageCase cases[] = {
      {"", "Usage: gpufleet [OPTIONS] SUBCOMMAND"},                        // missing subcommand
      {"frobnicate", "Usage: gpufleet [OPTIONS] SUBCOMMAND"},              // unknown subcommand
      {"check", "Usage: gpufleet check [OPTIONS]"},                        // missing --fleet
      {"check --fleet", "Usage: gpufleet check [OPTIONS]"},                // missing value
      {"check --fleet f.yaml --max-lines many", "Usage: gpufleet check"},  // malformed value
      {"check-transfer --bogus", "Usage: gpufleet check-transfer"},
      {"impact --bogus", "Usage: gpufleet impact"},
      {"place --bogus", "Usage: gpufleet place"},
      {"plan --bogus", "Usage: gpufleet plan"},
      {"simulate --seeds 0", "Usage: gpufleet simulate"},
      {"simulate --mode fast", "Usage: gpufleet simulate"},
      {"job", "Usage: gpufleet job [OPTIONS] SUBCOMMAND"},
      {"job submit --bogus", "Usage: gpufleet job submit"},
      {"job get", "Usage: gpufleet job get"},
      {"tenant", "Usage: gpufleet tenant"},
      {"fleet nodes --bogus", "Usage: gpufleet fleet nodes"},
      {"ledger", "Usage: gpufleet ledger [OPTIONS] SUBCOMMAND"},
      {"ledger keygen --out k", "Usage: gpufleet ledger keygen"},  // missing --name
      {"ledger verify --export e", "Usage: gpufleet ledger verify"},
      {"ledger witness --state s", "Usage: gpufleet ledger witness"},
  };
  for (const UsageCase& c : cases) {
    const CliResult r = RunGpufleet(c.args);
    EXPECT_EQ(r.exit_code, 1) << "gpufleet " << c.args << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.usage)) << "gpufleet " << c.args;
    EXPECT_THAT(r.err, HasSubstr("--help")) << "gpufleet " << c.args;
    EXPECT_EQ(r.out, "") << "gpufleet " << c.args;
  }
}

TEST(UsageErrorTest, TheMessageSaysWhatIsWrong) {
  const CliResult r = RunGpufleet("check --fleet x.yaml --bogus");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("gpufleet check: The following argument was not expected: --bogus"));
}

TEST(UsageErrorTest, HelpIsNoError) {
  for (const std::string args : {"--help", "check --help", "job submit --help"}) {
    const CliResult r = RunGpufleet(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    EXPECT_THAT(r.out, HasSubstr("Usage: gpufleet")) << args;
  }
}

TEST(UsageErrorTest, GpufleetdExitsOneWithItsUsageLine) {
  for (const std::string args : {"--bogus", "--port", "--port http"}) {
    const CliResult r = RunGpufleetd(args);
    EXPECT_EQ(r.exit_code, 1) << "gpufleetd " << args << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("Usage: gpufleetd [OPTIONS]")) << "gpufleetd " << args;
  }
  // A store without an inventory needs one to seed it from.
  const std::string store =
      ::testing::TempDir() + "/gpufleetd_usage_" + std::to_string(::getpid()) + ".db";
  const CliResult empty = RunGpufleetd("--store " + store);
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, HasSubstr("the store holds no inventory yet: give --fleet FILE or "
                                   "--demo-gpus N, or --empty-inventory"));
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  const CliResult help = RunGpufleetd("--help");
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_THAT(help.out, HasSubstr("Usage: gpufleetd"));
}

}  // namespace
}  // namespace gpufleet::testing
