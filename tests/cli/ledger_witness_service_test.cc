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

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<DaemonProcess> StartSigned(const std::string& dir, const std::string& name,
                                           const std::vector<std::string>& fleet) {
  DaemonOptions options;
  options.args = {"--store",
                  dir + "/" + name + ".db",
                  "--port",
                  "0",
                  "--no-scheduler",
                  "--admin-token-file",
                  dir + "/" + name + ".token",
                  "--ledger-key",
                  dir + "/ledger.key"};
  options.args.insert(options.args.end(), fleet.begin(), fleet.end());
  options.stderr_path = dir + "/" + name + ".stderr";
  options.tmpdir = dir;
  Result<std::unique_ptr<DaemonProcess>> d = DaemonProcess::Start(options);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(*d) : nullptr;
}

std::string Url(const DaemonProcess& d) {
  return " --url http://127.0.0.1:" + std::to_string(d.port()) + " --token " + d.admin_token();
}

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
  const CliResult log_key = RunGpufleet("ledger keygen --out " + dir + "/ledger.key --name w/log");
  ASSERT_EQ(log_key.exit_code, 0) << log_key.err;
  const std::string log_verifier = log_key.out.substr(0, log_key.out.find('\n'));
  ASSERT_EQ(RunGpufleet("ledger keygen --out " + dir + "/witness.key --name w/witness").exit_code,
            0);
  const std::string witness = "ledger witness --state " + dir + "/witness.state --key " + dir +
                              "/witness.key --log-key '" + log_verifier + "'";

  std::string fleet = GPUFLEET_SOURCE_DIR;
  fleet += "/examples/fleet.yaml";
  std::unique_ptr<DaemonProcess> honest = StartSigned(dir, "honest", {"--fleet", fleet});
  ASSERT_NE(honest, nullptr);
  CliResult r = RunGpufleet(witness + Url(*honest));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("— w/witness ")) << "the witness's own signature line";
  EXPECT_THAT(r.out, HasSubstr("\n135\n"));

  ASSERT_EQ(RunGpufleet("asset retire 1654223000001" + Url(*honest)).exit_code, 0);
  ASSERT_TRUE(CheckpointReaches(*honest, 136));
  r = RunGpufleet(witness + Url(*honest));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\n136\n"));

  // The same log key, another history: shown to this witness, it is refused.
  std::unique_ptr<DaemonProcess> forked = StartSigned(dir, "forked", {"--demo-gpus", "64"});
  ASSERT_NE(forked, nullptr);
  r = RunGpufleet(witness + Url(*forked));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("refused"));
  // The honest log, still extending what was cosigned, is cosigned again.
  ASSERT_EQ(RunGpufleet("asset retire 1654223000002" + Url(*honest)).exit_code, 0);
  ASSERT_TRUE(CheckpointReaches(*honest, 137));
  EXPECT_EQ(RunGpufleet(witness + Url(*honest)).exit_code, 0);
}

}  // namespace
}  // namespace gpufleet::testing
