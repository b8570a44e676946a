// gpufleet-agent as an operator runs it, without a server: --once --json prints what the node
// holds, found through the default dlopen("libnvidia-ml.so.1") (the fake is put on the
// library path, as the driver package puts the real one), and every way of failing exits with
// its own code (agent/exit_codes.h) and a message that says what is wrong.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "agent/fake_nvml_config.h"
#include "gpufleet/agent/exit_codes.h"
#include "gpufleet/ledger/key_file.h"
#include "support/cli_runner.h"

namespace gpufleet::agent {
namespace {

using gpufleet::testing::CliResult;
using gpufleet::testing::FreshDir;
using gpufleet::testing::RunGpufleetAgent;
using testing::FakeNvmlDir;
using testing::FakeNvmlWithoutVbiosDir;
using ::testing::HasSubstr;
using testing::WriteFile;

class AgentBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("agent_binary");
    WriteFile(dir_ + "/nvml", testing::kTwoH100s);
  }
  // The agent with `library_dir` first on the library path and the fake's config.
  CliResult RunWithFake(const std::string& args, const std::string& library_dir) {
    return RunGpufleetAgent(
        args, "LD_LIBRARY_PATH=" + library_dir + " FAKE_NVML_CONFIG=" + dir_ + "/nvml");
  }
  std::string dir_;
};

TEST_F(AgentBinaryTest, OnceJsonPrintsTheBoardsNvmlReports) {
  const CliResult r = RunWithFake("--once --json --node sg-0/n0", FakeNvmlDir());
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.out;
  EXPECT_EQ(report["node"], "sg-0/n0");
  EXPECT_EQ(report["provider"], "nvml");
  ASSERT_EQ(report["devices"].size(), 2u);
  const nlohmann::json& first = report["devices"][0];
  EXPECT_EQ(first["vendor"], "nvidia");
  EXPECT_EQ(first["model"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(first["serial"], "1650123456789");
  EXPECT_EQ(first["uuid"], "GPU-11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(first["pci_bus_id"], "00000000:17:00.0");
  EXPECT_EQ(first["board_part_number"], "699-2G520-0200-000");
  EXPECT_EQ(first["memory_bytes"], 85'520'809'984u);
  EXPECT_EQ(first["driver_version"], "550.54.15");
  EXPECT_EQ(first["firmware_version"], "96.00.99.00.01");
  EXPECT_EQ(report["devices"][1]["board_part_number"], "");
}

TEST_F(AgentBinaryTest, NoDriverExitsThreeAndPointsAtTheFileProvider) {
  const CliResult r = RunWithFake("--once --json", FreshDir("empty_lib_dir"));
  EXPECT_EQ(r.exit_code, kExitLibraryMissing) << r.err;
  EXPECT_THAT(r.err, HasSubstr("gpufleet-agent: cannot load libnvidia-ml.so.1"));
  EXPECT_THAT(r.err, HasSubstr("--provider file"));
  EXPECT_EQ(r.out, "");
}

TEST_F(AgentBinaryTest, ADriverWithoutACallExitsFourNamingTheCall) {
  const CliResult r = RunWithFake("--once --json", FakeNvmlWithoutVbiosDir());
  EXPECT_EQ(r.exit_code, kExitSymbolMissing) << r.err;
  EXPECT_THAT(r.err, HasSubstr("has no nvmlDeviceGetVbiosVersion"));
}

TEST_F(AgentBinaryTest, AnNvmlErrorExitsFiveInNvmlsWords) {
  WriteFile(dir_ + "/nvml",
            testing::Joined(testing::kTwoH100s, "fail nvmlDeviceGetMemoryInfo 15\n"));
  const CliResult r = RunWithFake("--once --json", FakeNvmlDir());
  EXPECT_EQ(r.exit_code, kExitSourceFailed) << r.err;
  EXPECT_THAT(r.err, HasSubstr("nvmlDeviceGetMemoryInfo (device 0): GPU is lost (NVML error 15)"));
}

TEST_F(AgentBinaryTest, TheExitCodesAreDistinct) {
  const std::set<int> codes = {
      kExitOk,           kExitInternal, kExitUsage,  kExitLibraryMissing, kExitSymbolMissing,
      kExitSourceFailed, kExitBadInput, kExitRefused};
  EXPECT_EQ(codes.size(), 8u);
}

TEST_F(AgentBinaryTest, TheFileProviderPrintsItsDevicesAndNamesTheLineOfAMistake) {
  WriteFile(
      dir_ + "/devices.yaml",
      "devices:\n  - vendor: huawei\n    model: Ascend 910B\n    memory_bytes: 68719476736\n");
  const CliResult ok =
      RunGpufleetAgent("--once --json --provider file --devices " + dir_ + "/devices.yaml");
  ASSERT_EQ(ok.exit_code, kExitOk) << ok.err;
  const nlohmann::json report = nlohmann::json::parse(ok.out, nullptr, false);
  EXPECT_EQ(report["provider"], "file");
  EXPECT_EQ(report["devices"][0]["model"], "Ascend 910B");
  EXPECT_EQ(report["devices"][0]["memory_bytes"], 68'719'476'736u);

  WriteFile(dir_ + "/bad.yaml",
            "devices:\n  - vendor: huawei\n    model: Ascend 910B\n    hbm: 64\n");
  const CliResult bad =
      RunGpufleetAgent("--once --json --provider file --devices " + dir_ + "/bad.yaml");
  EXPECT_EQ(bad.exit_code, kExitBadInput) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr(dir_ + "/bad.yaml:4:5: device 1: hbm: unknown key"));

  const CliResult missing =
      RunGpufleetAgent("--once --json --provider file --devices " + dir_ + "/none.yaml");
  EXPECT_EQ(missing.exit_code, kExitSourceFailed) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr(dir_ + "/none.yaml"));
}

TEST_F(AgentBinaryTest, FlagsMayComeFromAConfigFile) {
  WriteFile(dir_ + "/devices.yaml", "devices:\n  - {vendor: acme, model: In-house ASIC}\n");
  WriteFile(dir_ + "/agent.conf",
            "provider = \"file\"\ndevices = \"" + dir_ + "/devices.yaml\"\nnode = \"sg-0/n0\"\n");
  const CliResult r = RunGpufleetAgent("--config " + dir_ + "/agent.conf --once --json");
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(report["node"], "sg-0/n0");
  EXPECT_EQ(report["provider"], "file");
  EXPECT_EQ(report["devices"][0]["model"], "In-house ASIC");
}

TEST_F(AgentBinaryTest, UsageMistakesExitTwo) {
  EXPECT_EQ(RunGpufleetAgent("--provider amd").exit_code, kExitUsage);
  EXPECT_EQ(RunGpufleetAgent("--interval 0").exit_code, kExitUsage);
  const CliResult json_alone = RunGpufleetAgent("--json --provider file --devices /dev/null");
  EXPECT_EQ(json_alone.exit_code, kExitUsage);
  EXPECT_THAT(json_alone.err, HasSubstr("use it with --once"));
  const CliResult no_devices = RunGpufleetAgent("--once --json --provider file");
  EXPECT_EQ(no_devices.exit_code, kExitUsage);
  EXPECT_THAT(no_devices.err, HasSubstr("--provider file needs --devices FILE"));
  const CliResult no_node = RunGpufleetAgent("--once --provider file --devices /dev/null");
  EXPECT_EQ(no_node.exit_code, kExitUsage);
  EXPECT_THAT(no_node.err, HasSubstr("--node is required"));
  const std::string reporting = "--node s/n --provider file --devices /dev/null ";
  const CliResult no_key = RunGpufleetAgent(reporting + "--echo-listen 127.0.0.1:0");
  EXPECT_EQ(no_key.exit_code, kExitUsage);
  EXPECT_THAT(no_key.err, HasSubstr("give the node's key with --node-key FILE"));
  const CliResult delay_alone = RunGpufleetAgent(reporting + "--echo-delay-ms 5");
  EXPECT_EQ(delay_alone.exit_code, kExitUsage);
  EXPECT_THAT(delay_alone.err, HasSubstr("--echo-delay-ms is for --echo-listen"));
  const CliResult once =
      RunGpufleetAgent(reporting + "--once --echo-listen 127.0.0.1:0 --node-key k");
  EXPECT_EQ(once.exit_code, kExitUsage);
  EXPECT_THAT(once.err, HasSubstr("leave out --once"));
}

TEST_F(AgentBinaryTest, ANodeKeyPutsItsVerifierKeyIntoTheReport) {
  const Result<ledger::NoteKeyPair> key = ledger::GenerateNoteKey("sg-0-n0");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(ledger::WriteSignerKeyFile(dir_ + "/node.key", key->signer_key).ok());
  WriteFile(dir_ + "/devices.yaml", "devices: []\n");
  const CliResult r = RunGpufleetAgent("--once --json --provider file --devices " + dir_ +
                                       "/devices.yaml --node-key " + dir_ + "/node.key");
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(report["echo_key"], key->verifier_key);
  EXPECT_THAT(r.out, Not(HasSubstr("PRIVATE")));
}

}  // namespace
}  // namespace gpufleet::agent
