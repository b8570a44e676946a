// gpufleet-agent against a running gpufleetd, end to end: a node token's report arrives and
// reads back as sent, an unchanged report is a heartbeat, a token of another node is refused
// (403, exit 7), and an agent left running keeps reporting until SIGTERM stops it cleanly.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "agent/fake_nvml_config.h"
#include "gpufleet/agent/exit_codes.h"
#include "gpufleet/agent/report_sender.h"
#include "gpufleet/ledger/base64.h"
#include "support/cli_runner.h"
#include "support/daemon_api.h"
#include "support/daemon_process.h"

namespace gpufleet::agent {
namespace {

using gpufleet::testing::CliResult;
using gpufleet::testing::DaemonApi;
using gpufleet::testing::DaemonProcess;
using gpufleet::testing::FreshDir;
using gpufleet::testing::RunGpufleetAgent;
using ::testing::HasSubstr;
using testing::WriteFile;

constexpr const char* kDevices =
    "devices:\n"
    "  - vendor: nvidia\n"
    "    model: NVIDIA H20\n"
    "    serial: \"1652000000001\"\n"
    "    memory_bytes: 103079215104\n"
    "  - vendor: nvidia\n"
    "    model: NVIDIA H20\n"
    "    serial: \"1652000000002\"\n"
    "    memory_bytes: 103079215104\n";

class AgentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("agent_service");
    Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
        // The example fleet on a day its nodes are usable (the small demo fleet is all
        // quarantined, so it has no nodes to report for).
        {.args = {"--fleet", std::string(GPUFLEET_SOURCE_DIR) + "/examples/fleet.yaml", "--at",
                  "2026-01-15", "--store", dir_ + "/gpufleet.db", "--port", "0", "--no-scheduler",
                  "--admin-token-file", dir_ + "/admin-token"},
         .stderr_path = dir_ + "/gpufleetd.stderr",
         .tmpdir = dir_});
    ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
    daemon_ = std::move(*daemon);
    admin_ = std::make_unique<DaemonApi>(daemon_->port(), daemon_->admin_token());
    const auto [status, nodes] = admin_->Call("GET", "/v1/nodes?limit=2");
    ASSERT_EQ(status, 200) << nodes.dump();
    ASSERT_EQ(nodes["nodes"].size(), 2u);
    node_ = nodes["nodes"][0]["name"];
    other_node_ = nodes["nodes"][1]["name"];
    const auto [created, token] =
        admin_->Call("POST", "/v1/tokens", {{"role", "node"}, {"node", node_}});
    ASSERT_EQ(created, 201) << token.dump();
    node_token_ = token["token"];
    WriteFile(dir_ + "/devices.yaml", kDevices);
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(daemon_->port()); }
  std::string AgentArgs(const std::string& node) const {
    return "--url " + Url() + " --node '" + node + "' --provider file --devices " + dir_ +
           "/devices.yaml";
  }
  std::string ObservedPath(const std::string& node) const {
    return "/v1/nodes/" + PathSegment(node) + "/observed";
  }

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<DaemonApi> admin_;
  std::string node_;
  std::string other_node_;
  std::string node_token_;
};

TEST_F(AgentServiceTest, AReportArrivesAsSentAndAnUnchangedOneIsAHeartbeat) {
  EXPECT_EQ(admin_->Call("GET", ObservedPath(node_)).first, 404);
  const CliResult first =
      RunGpufleetAgent("--once " + AgentArgs(node_), "GPUFLEET_TOKEN=" + node_token_);
  ASSERT_EQ(first.exit_code, kExitOk) << first.err;
  const auto [status, observed] = admin_->Call("GET", ObservedPath(node_));
  ASSERT_EQ(status, 200) << observed.dump();
  EXPECT_EQ(observed["node"], node_);
  EXPECT_EQ(observed["reports"], 1);
  const nlohmann::json& report = observed["report"];
  EXPECT_EQ(report["provider"], "file");
  ASSERT_EQ(report["devices"].size(), 2u);
  EXPECT_EQ(report["devices"][1]["serial"], "1652000000002");
  EXPECT_EQ(report["devices"][0]["model"], "NVIDIA H20");
  EXPECT_EQ(report["devices"][0]["memory_bytes"], 103'079'215'104u);

  // The same devices again: accepted as a heartbeat, the report and its change time kept.
  const DaemonApi as_node(daemon_->port(), node_token_);
  const auto [again, reply] =
      as_node.Call("POST", "/v1/nodes/" + PathSegment(node_) + "/reports", report);
  ASSERT_EQ(again, 200) << reply.dump();
  EXPECT_EQ(reply["changed"], false);
  const nlohmann::json after = admin_->Call("GET", ObservedPath(node_)).second;
  EXPECT_EQ(after["reports"], 2);
  EXPECT_EQ(after["last_change"], observed["last_change"]);
  EXPECT_EQ(after["report"], report);
}

TEST_F(AgentServiceTest, ATokenOfAnotherNodeIsRefusedAndNothingIsKept) {
  const CliResult r =
      RunGpufleetAgent("--once " + AgentArgs(other_node_) + " --token " + node_token_);
  EXPECT_EQ(r.exit_code, kExitRefused) << r.err;
  EXPECT_THAT(r.err, HasSubstr("HTTP 403"));
  EXPECT_THAT(r.err, HasSubstr("reports for its own node only"));
  EXPECT_THAT(r.err, Not(HasSubstr(node_token_)));
  EXPECT_EQ(admin_->Call("GET", ObservedPath(other_node_)).first, 404);
  // An unknown token is 401, the same exit code.
  const CliResult unknown = RunGpufleetAgent("--once " + AgentArgs(node_) + " --token gf_nope");
  EXPECT_EQ(unknown.exit_code, kExitRefused) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("HTTP 401"));
}

TEST_F(AgentServiceTest, ARunningAgentReportsAtItsIntervalAndStopsCleanlyOnSigterm) {
  const std::string agent = std::string(GPUFLEET_BINARY_DIR) + "/gpufleet-agent";
  const std::string stderr_path = dir_ + "/agent.stderr";
  const std::string url = Url();
  const std::string devices = dir_ + "/devices.yaml";
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::string token_env = "GPUFLEET_TOKEN=" + node_token_;
  char* const envp[] = {token_env.data(), nullptr};
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, 2);
    ::execle(agent.c_str(), agent.c_str(), "--url", url.c_str(), "--node", node_.c_str(),
             "--provider", "file", "--devices", devices.c_str(), "--interval", "1", nullptr, envp);
    ::_exit(127);
  }
  // Three reports: the first (a change) and two heartbeats, one interval apart.
  const nlohmann::json observed = admin_->Await(ObservedPath(node_), [](const nlohmann::json& b) {
    return b.is_object() && b.value("reports", 0) >= 3;
  });
  EXPECT_EQ(observed["first_seen"], observed["last_change"]);
  EXPECT_NE(observed["last_seen"], observed["first_seen"]);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the agent died of a signal";
  EXPECT_EQ(WEXITSTATUS(status), kExitOk);
  const std::string log = gpufleet::testing::ReadFile(stderr_path);
  EXPECT_THAT(log, HasSubstr("event=agent.stop"));
  EXPECT_THAT(log, HasSubstr("changes_sent=1"));
  EXPECT_THAT(log, Not(HasSubstr(node_token_)));
}

// Attestation through the real dlopen path: the agent asks the service for a nonce, the fake
// driver's report carries it (as a real one binds the nonce into its signed report), and the
// service keeps the evidence opaque and unverified (docs/agent.md, "Attestation"); a driver
// with confidential computing off gives none, and the report goes without.
TEST_F(AgentServiceTest, AnAttestingAgentSendsEvidenceOverTheServicesNonce) {
  WriteFile(dir_ + "/nvml", std::string(testing::kTwoH100s) + "attest\n");
  const std::string env = "GPUFLEET_TOKEN=" + node_token_ +
                          " LD_LIBRARY_PATH=" + testing::FakeNvmlDir() +
                          " FAKE_NVML_CONFIG=" + dir_ + "/nvml";
  const std::string args = "--once --attest --url " + Url() + " --node '" + node_ + "'";
  const CliResult run = RunGpufleetAgent(args, env);
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  const auto [status, observed] = admin_->Call("GET", ObservedPath(node_));
  ASSERT_EQ(status, 200) << observed.dump();
  const nlohmann::json& device = observed["report"]["devices"][0];
  ASSERT_TRUE(device.contains("attestation")) << observed.dump();
  const std::string nonce = device["attestation"]["nonce"];
  ASSERT_EQ(nonce.size(), 64u);
  EXPECT_EQ(device["attestation"]["verified"], false);
  const std::optional<std::string> bytes =
      ledger::Base64Decode(device["attestation"]["report"].get<std::string>());
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->substr(0, 22), "FAKE-CC|1650123456789|");
  std::string hex;
  for (const unsigned char c : bytes->substr(22)) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  EXPECT_EQ(hex, nonce) << "the report is over the service's nonce";

  // Confidential computing off: the same agent reports without evidence, and is accepted.
  WriteFile(dir_ + "/nvml", testing::kTwoH100s);
  const CliResult off = RunGpufleetAgent(args, env);
  ASSERT_EQ(off.exit_code, kExitOk) << off.err;
  EXPECT_FALSE(admin_->Call("GET", ObservedPath(node_))
                   .second["report"]["devices"][0]
                   .contains("attestation"));
}

}  // namespace
}  // namespace gpufleet::agent
