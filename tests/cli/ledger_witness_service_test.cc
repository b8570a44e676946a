// `gpufleet ledger witness --url` against running gpufleetd: it cosigns the service's first
// checkpoint (trust on first use) and each later one that a consistency proof from the last
// cosigned shows to extend it; a second service signing with the same key but another history
// (a split view: one log shown to this witness, another to someone else) is refused.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

#include "gpufleet/ledger/checkpoint.h"
#include "support/cli_runner.h"
#include "support/daemon_process.h"
#include "support/signed_daemon.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

// Waits (polling with a deadline) until the service's checkpoint covers `size` entries.
bool CheckpointReaches(const DaemonProcess& d, uint64_t size) {
  httplib::Client client("127.0.0.1", d.port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + d.admin_token()}};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const httplib::Result r = client.Get("/v1/ledger/checkpoint", auth);
    if (r && r->status == 200) {
      const Result<ledger::Checkpoint> c = ledger::UnverifiedCheckpoint(r->body);
      if (c.ok() && c->size >= size) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(LedgerWitnessServiceTest, CosignsWhatExtendsAndRefusesASplitView) {
  const std::string dir = FreshDir("ledger_witness_service");
  const Result<std::string> log_verifier = MakeLedgerKey(dir + "/ledger.key", "w/log");
  ASSERT_TRUE(log_verifier.ok()) << log_verifier.status().ToString();
  ASSERT_TRUE(MakeLedgerKey(dir + "/witness.key", "w/witness").ok());
  const std::string witness = "ledger witness --state " + dir + "/witness.state --key " + dir +
                              "/witness.key --log-key '" + *log_verifier + "'";

  Result<SignedDaemon> honest_daemon =
      StartSignedDaemon(dir, "honest", dir + "/ledger.key", {"--fleet", ExampleFleet()});
  ASSERT_TRUE(honest_daemon.ok()) << honest_daemon.status().ToString();
  const DaemonProcess& honest = *honest_daemon->daemon;
  const std::string& honest_url = honest_daemon->client_flags;
  CliResult r = RunGpufleet(witness + honest_url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("— w/witness ")) << "the witness's own signature line";
  EXPECT_THAT(r.out, HasSubstr("\n139\n"));

  ASSERT_EQ(RunGpufleet("asset retire 1654223000001" + honest_url).exit_code, 0);
  ASSERT_TRUE(CheckpointReaches(honest, 140));
  r = RunGpufleet(witness + honest_url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\n140\n"));

  // The same log key, another history: shown to this witness, it is refused.
  Result<SignedDaemon> forked =
      StartSignedDaemon(dir, "forked", dir + "/ledger.key", {"--demo-gpus", "64"});
  ASSERT_TRUE(forked.ok()) << forked.status().ToString();
  r = RunGpufleet(witness + forked->client_flags);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("refused"));
  // The honest log, still extending what was cosigned, is cosigned again.
  ASSERT_EQ(RunGpufleet("asset retire 1654223000002" + honest_url).exit_code, 0);
  ASSERT_TRUE(CheckpointReaches(honest, 141));
  EXPECT_EQ(RunGpufleet(witness + honest_url).exit_code, 0);
}

}  // namespace
}  // namespace gpufleet::testing
