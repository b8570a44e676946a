// Location evidence end to end, on loopback only: gpufleetd with a Shanghai landmark, node
// agents in "Kuala Lumpur" answering echoes, and `gpufleet landmark` measuring them. A node
// answering in well under a millisecond cannot be 3,750 km away (contradiction); one adding
// 60 ms of delay could be (none). Forged landmark signatures and echoes signed by a key other
// than the node's are refused. Waits are on observable state (a log line, a report held),
// never a fixed time.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "gpufleet/agent/report_sender.h"
#include "gpufleet/codec/location_evidence.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/key_file.h"
#include "gpufleet/ledger/note.h"
#include "support/cli_runner.h"
#include "support/daemon_api.h"
#include "support/daemon_process.h"

namespace gpufleet::agent {
namespace {

using gpufleet::testing::CliResult;
using gpufleet::testing::DaemonApi;
using gpufleet::testing::DaemonProcess;
using gpufleet::testing::FreshDir;
using gpufleet::testing::RunGpufleet;
using ::testing::HasSubstr;

// Kuala Lumpur and Shanghai city centres: 3,750 km apart (tests/model).
constexpr const char* kLocatedFleet =
    "organisations:\n"
    "  - {id: co, name: Co, kind: company, hq_country: MY}\n"
    "sites:\n"
    "  - {id: kl-1, name: KL 1, country: MY, ownership: owned, lat: 3.139, lon: 101.687}\n"
    "  - {id: bare, name: Bare, country: MY, ownership: owned}\n";
constexpr const char* kOneDevice =
    "devices:\n"
    "  - {vendor: nvidia, model: NVIDIA H20, serial: \"1652000000001\"}\n";

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A gpufleet-agent reporting for `node` and answering echoes on a port of its choosing,
// stopped with SIGTERM when the test ends.
class AgentProcess {
 public:
  AgentProcess(const std::string& dir, const std::string& url, const std::string& token,
               const std::string& node, const std::string& key_path, int delay_ms)
      : stderr_path_(dir + "/agent-" + std::to_string(delay_ms) + ".stderr") {
    const std::string agent = std::string(GPUFLEET_BINARY_DIR) + "/gpufleet-agent";
    const std::string devices = dir + "/devices.yaml";
    const std::string delay = std::to_string(delay_ms);
    std::string token_env = "GPUFLEET_TOKEN=" + token;
    char* const envp[] = {token_env.data(), nullptr};
    // Everything the child needs is made before fork: after it, only async-signal-safe calls.
    pid_ = ::fork();
    if (pid_ == 0) {
      const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      ::execle(agent.c_str(), agent.c_str(), "--url", url.c_str(), "--node", node.c_str(),
               "--provider", "file", "--devices", devices.c_str(), "--interval", "1",
               "--echo-listen", "127.0.0.1:0", "--node-key", key_path.c_str(), "--echo-delay-ms",
               delay.c_str(), nullptr, envp);
      ::_exit(127);
    }
  }
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;
  ~AgentProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

  // The echo port from the agent's log line `event=echo.listen ... port=N`; 0 when it has not
  // logged one within 30 s (a test failure).
  int AwaitEchoPort() const {
    const std::regex port(R"(event=echo\.listen[^\n]*port=(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      const std::string log = gpufleet::testing::ReadFile(stderr_path_);
      if (std::regex_search(log, m, port)) return std::stoi(m[1]);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no echo.listen line: " << gpufleet::testing::ReadFile(stderr_path_);
    return 0;
  }

 private:
  std::string stderr_path_;
  pid_t pid_ = -1;
};

class LandmarkServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("landmark_service");
    WriteText(dir_ + "/fleet.yaml", kLocatedFleet);
    WriteText(dir_ + "/devices.yaml", kOneDevice);
    Result<ledger::NoteKeyPair> shanghai = ledger::GenerateNoteKey("shanghai");
    Result<ledger::NoteKeyPair> node = ledger::GenerateNoteKey("kl-1-nodes");
    ASSERT_TRUE(shanghai.ok() && node.ok());
    ASSERT_TRUE(ledger::WriteSignerKeyFile(dir_ + "/shanghai.key", shanghai->signer_key).ok());
    ASSERT_TRUE(ledger::WriteSignerKeyFile(dir_ + "/node.key", node->signer_key).ok());
    Result<ledger::NoteSigner> signer = ledger::NoteSigner::Parse(shanghai->signer_key);
    ASSERT_TRUE(signer.ok());
    shanghai_.emplace(std::move(*signer));
    WriteText(dir_ + "/landmarks.yaml",
              "landmarks:\n  - {name: shanghai, lat: 31.230, lon: 121.474, "
              "key: \"" +
                  shanghai->verifier_key + "\"}\n");
    Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
        {.args = {"--fleet", dir_ + "/fleet.yaml", "--at", "2026-01-15", "--store",
                  dir_ + "/gpufleet.db", "--port", "0", "--no-scheduler", "--admin-token-file",
                  dir_ + "/admin-token", "--landmarks", dir_ + "/landmarks.yaml"},
         .stderr_path = dir_ + "/gpufleetd.stderr",
         .tmpdir = dir_});
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    daemon_ = std::move(*daemon);
    admin_ = std::make_unique<DaemonApi>(daemon_->port(), daemon_->admin_token());
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(daemon_->port()); }

  // Starts an agent for `node` and waits until the service holds its echo key; its echo port.
  int StartAgent(const std::string& node, int delay_ms) {
    agents_.push_back(std::make_unique<AgentProcess>(dir_, Url(), daemon_->admin_token(), node,
                                                     dir_ + "/node.key", delay_ms));
    const int port = agents_.back()->AwaitEchoPort();
    const nlohmann::json observed =
        admin_->Await("/v1/nodes/" + PathSegment(node) + "/observed", [](const nlohmann::json& b) {
          return b.is_object() && b.contains("report") && b["report"].contains("echo_key");
        });
    EXPECT_THAT(observed["report"]["echo_key"].get<std::string>(), HasSubstr("kl-1-nodes+"));
    return port;
  }

  CliResult Landmark(const std::string& node, int port) const {
    return RunGpufleet("landmark --name shanghai --key " + dir_ + "/shanghai.key --url " + Url() +
                       " --token " + daemon_->admin_token() + " --node " + node +
                       " --agent http://127.0.0.1:" + std::to_string(port) + " --samples 3 --json");
  }

  // A measurement of `node` signed by `landmark_key`, its echo signed by `echo_key`.
  std::string Note(const std::string& node, const ledger::NoteSigner& echo_key,
                   const ledger::NoteSigner& landmark_key) const {
    const std::string nonce(64, '7');
    const Result<std::string> echo = echo_key.Sign(codec::EchoMessage(node, nonce));
    EXPECT_TRUE(echo.ok());
    const LandmarkMeasurement m{.landmark = "shanghai",
                                .node = node,
                                .nonce_hex = nonce,
                                .echo_signature_base64 = ledger::Base64Encode(*echo),
                                .rtt_us = 100,
                                .samples = 1,
                                .measured_ms = 1'765'000'000'000};
    const Result<std::string> note = ledger::SignNote(codec::MeasurementText(m), landmark_key);
    EXPECT_TRUE(note.ok());
    return *note;
  }

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<DaemonApi> admin_;
  std::optional<ledger::NoteSigner> shanghai_;
  std::vector<std::unique_ptr<AgentProcess>> agents_;
};

TEST_F(LandmarkServiceTest, ANodeAnsweringFastFromShanghaiContradictsItsSiteInKualaLumpur) {
  const int port = StartAgent("kl-1/n0", 0);
  ASSERT_GT(port, 0);
  const CliResult r = Landmark("kl-1/n0", port);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const nlohmann::json reply = nlohmann::json::parse(r.out);
  EXPECT_EQ(reply["landmark"], "shanghai");
  EXPECT_EQ(reply["declared_site"], "kl-1");
  EXPECT_EQ(reply["kept"], true);
  // Loopback answers in well under a millisecond; a contradiction needs any round trip under
  // (3,750 - 200) / 149.9 = 23.7 ms, so even a loaded machine gives one.
  EXPECT_LT(reply["rtt_ms"].get<double>(), 20.0);
  EXPECT_NEAR(reply["distance_km"].get<double>(), 3750, 50);
  EXPECT_EQ(reply["contradicts"], true);

  const auto [status, location] = admin_->Call("GET", "/v1/nodes/kl-1%2Fn0/location");
  ASSERT_EQ(status, 200) << location.dump();
  EXPECT_EQ(location["site"]["lat"], 3.139);
  ASSERT_EQ(location["measurements"].size(), 1u);
  EXPECT_EQ(location["measurements"][0]["samples"], 3);
  EXPECT_EQ(location["measurements"][0]["contradicts"], true);
  EXPECT_EQ(location["contradictions"], 1);
  EXPECT_EQ(location["skipped"], 0);

  // The next pass of the findings' checks makes it a finding, and the default policy takes
  // the node out of placement (docs/findings.md).
  ASSERT_EQ(admin_->Call("POST", "/v1/findings/reconcile").first, 200);
  const auto [listed, found] =
      admin_->Call("GET", "/v1/findings?kind=location_contradicts_site&node=kl-1%2Fn0");
  ASSERT_EQ(listed, 200) << found.dump();
  ASSERT_EQ(found["findings"].size(), 1u) << found.dump();
  EXPECT_EQ(found["findings"][0]["source"], "landmark");
  EXPECT_EQ(found["findings"][0]["action"], "quarantine_node");
  EXPECT_THAT(found["findings"][0]["detail"].get<std::string>(), HasSubstr("landmark shanghai"));
}

TEST_F(LandmarkServiceTest, ANodeThatAddsDelayIsNeverMadeToLookCloser) {
  // A node can always seem farther: 60 ms allows 6,000 km of fibre, so Kuala Lumpur stands.
  const int port = StartAgent("kl-1/n1", 60);
  ASSERT_GT(port, 0);
  const CliResult r = Landmark("kl-1/n1", port);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const nlohmann::json reply = nlohmann::json::parse(r.out);
  EXPECT_GE(reply["rtt_ms"].get<double>(), 60.0);
  EXPECT_GE(reply["bound_km"].get<double>(), 6000.0);
  EXPECT_EQ(reply["contradicts"], false);
  EXPECT_EQ(admin_->Call("GET", "/v1/nodes/kl-1%2Fn1/location").second["contradictions"], 0);
  ASSERT_EQ(admin_->Call("POST", "/v1/findings/reconcile").first, 200);
  EXPECT_TRUE(admin_->Call("GET", "/v1/findings?kind=location_contradicts_site")
                  .second["findings"]
                  .empty());
}

TEST_F(LandmarkServiceTest, AMeasurementNotSignedByTheConfiguredLandmarkIsRefused) {
  ASSERT_GT(StartAgent("kl-1/n0", 0), 0);
  Result<ledger::NoteKeyPair> impostor = ledger::GenerateNoteKey("shanghai");  // same name
  ASSERT_TRUE(impostor.ok());
  Result<ledger::NoteSigner> forger = ledger::NoteSigner::Parse(impostor->signer_key);
  ASSERT_TRUE(forger.ok());
  Result<ledger::NoteSigner> node_key =
      ledger::ReadSignerKeyFile(dir_ + "/node.key");  // the echo itself is genuine
  ASSERT_TRUE(node_key.ok());
  const auto [status, body] = admin_->Call("POST", "/v1/landmarks/measurements",
                                           {{"note", Note("kl-1/n0", *node_key, *forger)}});
  EXPECT_EQ(status, 403) << body.dump();
  EXPECT_THAT(body.dump(), HasSubstr("not signed by a configured landmark"));
  // The same measurement signed by the real landmark is taken: only the signature differed.
  const auto [ok, taken] = admin_->Call("POST", "/v1/landmarks/measurements",
                                        {{"note", Note("kl-1/n0", *node_key, *shanghai_)}});
  EXPECT_EQ(ok, 200) << taken.dump();
  EXPECT_EQ(taken["contradicts"], true);
}

TEST_F(LandmarkServiceTest, AnEchoSignedByAnotherKeyThanTheNodesIsRefused) {
  ASSERT_GT(StartAgent("kl-1/n0", 0), 0);
  Result<ledger::NoteKeyPair> other = ledger::GenerateNoteKey("kl-1-nodes");
  ASSERT_TRUE(other.ok());
  Result<ledger::NoteSigner> stranger = ledger::NoteSigner::Parse(other->signer_key);
  ASSERT_TRUE(stranger.ok());
  const auto [status, body] = admin_->Call("POST", "/v1/landmarks/measurements",
                                           {{"note", Note("kl-1/n0", *stranger, *shanghai_)}});
  EXPECT_EQ(status, 403) << body.dump();
  EXPECT_THAT(body.dump(), HasSubstr("does not verify with node 'kl-1/n0''s echo key"));
  EXPECT_TRUE(admin_->Call("GET", "/v1/nodes/kl-1%2Fn0/location").second["measurements"].empty());

  // A node that never reported an echo key cannot be measured at all.
  const auto [unknown, why] = admin_->Call("POST", "/v1/landmarks/measurements",
                                           {{"note", Note("kl-1/n9", *stranger, *shanghai_)}});
  EXPECT_EQ(unknown, 409) << why.dump();
  EXPECT_THAT(why.dump(), HasSubstr("has reported no echo key"));
}

TEST_F(LandmarkServiceTest, TheLandmarkRefusesAnAgentThatIsAnotherNode) {
  const int port = StartAgent("kl-1/n0", 0);
  ASSERT_GT(port, 0);
  const CliResult r = Landmark("kl-1/n7", port);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is node 'kl-1/n0', not 'kl-1/n7'"));
  EXPECT_TRUE(admin_->Call("GET", "/v1/nodes/kl-1%2Fn7/location").second["measurements"].empty());
}

TEST(LandmarkFileTest, GpufleetdRefusesALandmarkWhoseKeyIsNamedForAnother) {
  const std::string dir = FreshDir("landmark_file");
  WriteText(dir + "/fleet.yaml", kLocatedFleet);
  Result<ledger::NoteKeyPair> key = ledger::GenerateNoteKey("beijing");
  ASSERT_TRUE(key.ok());
  WriteText(dir + "/landmarks.yaml",
            "landmarks:\n  - {name: shanghai, lat: 31.23, lon: 121.47, "
            "key: \"" +
                key->verifier_key + "\"}\n");
  const CliResult r = gpufleet::testing::RunGpufleetd(
      "--fleet " + dir + "/fleet.yaml --at 2026-01-15 --store " + dir +
      "/gpufleet.db --port 0 --no-scheduler --landmarks " + dir + "/landmarks.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("landmark 'shanghai': key is named 'beijing'"));
  WriteText(dir + "/landmarks.yaml", "landmarks:\n  - {name: shanghai, lat: 95, lon: 0, key: k}\n");
  const CliResult bad = gpufleet::testing::RunGpufleetd(
      "--fleet " + dir + "/fleet.yaml --at 2026-01-15 --store " + dir +
      "/gpufleet.db --port 0 --no-scheduler --landmarks " + dir + "/landmarks.yaml");
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("landmarks.yaml:2:"));
}

}  // namespace
}  // namespace gpufleet::agent
