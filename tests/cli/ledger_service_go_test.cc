// A running gpufleetd's ledger checked by code nobody on the team wrote: the Go verifier built
// on golang.org/x/mod (tools/ledger-verify-go) opens the service's signed checkpoints, recomputes
// the tree from the exported entries, and checks inclusion and consistency proofs the service
// served; an export with one entry changed fails there. Also: while entries arrive, the
// service signs a new checkpoint within about a second, without being asked.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "gpufleet/ledger/checkpoint.h"
#include "support/cli_runner.h"
#include "support/daemon_process.h"
#include "support/signed_daemon.h"

namespace gpufleet::testing {
namespace {

const std::string kGoVerifier =
    std::string(GPUFLEET_BINARY_DIR) + "/tools/ledger-verify-go/ledger-verify-go";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(LedgerServiceGoTest, TheServicesLedgerVerifiesInGo) {
  if (!std::filesystem::exists(kGoVerifier)) {
    GTEST_SKIP() << "the Go verifier is not built (needs go and golang-golang-x-mod-dev: "
                    "make deps)";
  }
  const std::string dir = FreshDir("ledger_service_go");
  const Result<std::string> verifier = MakeLedgerKey(dir + "/ledger.key", "go.test/log");
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  Result<SignedDaemon> signed_daemon =
      StartSignedDaemon(dir, "g", dir + "/ledger.key", {"--fleet", ExampleFleet()});
  ASSERT_TRUE(signed_daemon.ok()) << signed_daemon.status().ToString();
  const DaemonProcess* daemon = signed_daemon->daemon.get();
  httplib::Client client("127.0.0.1", daemon->port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + daemon->admin_token()}};
  const auto get = [&](const std::string& path) {
    const httplib::Result r = client.Get(path, auth);
    EXPECT_TRUE(r && r->status == 200) << path << ": " << (r ? r->body : "no answer");
    return r ? r->body : std::string();
  };
  const auto checkpoint_size = [&](const std::string& note) -> uint64_t {
    const Result<ledger::Checkpoint> c = ledger::UnverifiedCheckpoint(note);
    return c.ok() ? c->size : 0;
  };

  const std::string first = get("/v1/ledger/checkpoint");
  const uint64_t old_size = checkpoint_size(first);
  ASSERT_EQ(old_size, 139u) << first;
  for (const char* serial : {"1654223000001", "1654223000002", "1322521000001"}) {
    const httplib::Result r = client.Post(
        "/v1/inventory/changes", auth,
        R"({"changes": [{"kind": "retire", "serial": ")" + std::string(serial) + R"("}]})",
        "application/json");
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }
  // The checkpointer signs the new head on its own within its one-second interval.
  std::string latest;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((latest = get("/v1/ledger/checkpoint"), checkpoint_size(latest) != 142u) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling, not synchronising
  }
  ASSERT_EQ(checkpoint_size(latest), 142u) << latest;

  WriteFile(dir + "/c1.note", first);
  WriteFile(dir + "/c2.note", latest);
  WriteFile(dir + "/inclusion-0.json", get("/v1/ledger/proof/inclusion?index=0&tree_size=142"));
  WriteFile(dir + "/inclusion-141.json", get("/v1/ledger/proof/inclusion?index=141&tree_size=142"));
  WriteFile(dir + "/consistency.json",
            get("/v1/ledger/proof/consistency?old_size=139&new_size=142"));
  const CliResult exported =
      RunGpufleet("ledger export --out " + dir + "/export.txt" + signed_daemon->client_flags);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;

  const std::string go = kGoVerifier + " -key '" + *verifier + "' -checkpoint " + dir +
                         "/c1.note -checkpoint " + dir + "/c2.note -inclusion " + dir +
                         "/inclusion-0.json -inclusion " + dir + "/inclusion-141.json" +
                         " -consistency " + dir + "/consistency.json -export ";
  const int ok = std::system((go + dir + "/export.txt > " + dir + "/go.out 2>&1").c_str());
  EXPECT_EQ(ok, 0) << ReadFile(dir + "/go.out");

  // One entry changed in the export: Go refuses it.
  std::string text = ReadFile(dir + "/export.txt");
  const size_t entries = text.find("entries 142\n");
  ASSERT_NE(entries, std::string::npos);
  const size_t line = text.find('\n', entries + 12) + 1;  // the second entry's line
  text[line + 8] = text[line + 8] == 'A' ? 'B' : 'A';
  WriteFile(dir + "/tampered.txt", text);
  const int bad = std::system((go + dir + "/tampered.txt > " + dir + "/go-bad.out 2>&1").c_str());
  EXPECT_NE(bad, 0) << ReadFile(dir + "/go-bad.out");
}

}  // namespace
}  // namespace gpufleet::testing
