// The NVML provider against the fake libnvidia-ml.so.1, loaded through the same dlopen call the
// agent makes on a real node: every field read, "not supported" read as unknown, and each way
// NVML can be absent or fail reported as its own Status code with a message that says what to do.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "agent/fake_nvml_config.h"
#include "gpufleet/agent/device_provider.h"
#include "support/cli_runner.h"

namespace gpufleet::agent {
namespace {

using testing::FakeNvmlDir;
using testing::FakeNvmlPath;
using testing::FakeNvmlWithoutVbiosDir;
using ::testing::HasSubstr;
using testing::kTwoH100s;
using testing::WriteFile;

class NvmlProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = gpufleet::testing::FreshDir("fake_nvml") + "/config";
    WriteFile(config_, kTwoH100s);
    ::setenv("FAKE_NVML_CONFIG", config_.c_str(), 1);
  }
  void TearDown() override { ::unsetenv("FAKE_NVML_CONFIG"); }

  std::string config_;
};

TEST_F(NvmlProviderTest, ReadsEveryFieldOfEveryBoard) {
  Result<std::unique_ptr<DeviceProvider>> nvml = MakeNvmlProvider(FakeNvmlPath(FakeNvmlDir()));
  ASSERT_TRUE(nvml.ok()) << nvml.status().ToString();
  EXPECT_EQ((*nvml)->name(), "nvml");
  const Result<std::vector<ObservedDevice>> devices = (*nvml)->Observe();
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  ASSERT_EQ(devices->size(), 2u);
  const ObservedDevice& first = (*devices)[0];
  EXPECT_EQ(first.vendor, "nvidia");
  EXPECT_EQ(first.model, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(first.serial, "1650123456789");
  EXPECT_EQ(first.uuid, "GPU-11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(first.pci_bus_id, "00000000:17:00.0");
  EXPECT_EQ(first.board_part_number, "699-2G520-0200-000");
  EXPECT_EQ(first.memory_bytes, 85'520'809'984u);
  EXPECT_EQ(first.driver_version, "550.54.15");
  EXPECT_EQ(first.firmware_version, "96.00.99.00.01");
  EXPECT_FALSE(first.attestation.has_value());
  // NVML_ERROR_NOT_SUPPORTED is an answer ("this board has no part number"), not a failure.
  EXPECT_EQ((*devices)[1].board_part_number, "");
  EXPECT_EQ((*devices)[1].serial, "1650123456790");
  EXPECT_EQ((*devices)[1].pci_bus_id, "00000000:3D:00.0");
}

TEST_F(NvmlProviderTest, ABoardSwappedWhileRunningIsSeenAtTheNextObservation) {
  Result<std::unique_ptr<DeviceProvider>> nvml = MakeNvmlProvider(FakeNvmlPath(FakeNvmlDir()));
  ASSERT_TRUE(nvml.ok()) << nvml.status().ToString();
  ASSERT_EQ((*nvml)->Observe()->size(), 2u);
  WriteFile(config_,
            "driver 550.54.15\n"
            "device NVIDIA H20|1652000000001|GPU-aaaa|00000000:17:00.0|699-2G530|103079215104|"
            "96.00.A0\n");
  const Result<std::vector<ObservedDevice>> after = (*nvml)->Observe();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].model, "NVIDIA H20");
  EXPECT_EQ((*after)[0].memory_bytes, 96ull << 30);
}

TEST_F(NvmlProviderTest, AMissingLibraryIsNotFoundAndSaysWhatToDo) {
  const std::string missing = gpufleet::testing::FreshDir("no_nvml") + "/libnvidia-ml.so.1";
  const Result<std::unique_ptr<DeviceProvider>> nvml = MakeNvmlProvider(missing);
  ASSERT_FALSE(nvml.ok());
  EXPECT_EQ(nvml.status().code(), Status::Code::kNotFound);
  EXPECT_THAT(nvml.status().message(), HasSubstr("cannot load " + missing));
  EXPECT_THAT(nvml.status().message(), HasSubstr("is the NVIDIA driver installed?"));
  EXPECT_THAT(nvml.status().message(), HasSubstr("--provider file"));
}

TEST_F(NvmlProviderTest, AMissingCallIsFailedPreconditionNamingIt) {
  const std::string path = FakeNvmlPath(FakeNvmlWithoutVbiosDir());
  const Result<std::unique_ptr<DeviceProvider>> nvml = MakeNvmlProvider(path);
  ASSERT_FALSE(nvml.ok());
  EXPECT_EQ(nvml.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(nvml.status().message(), HasSubstr(path + " has no nvmlDeviceGetVbiosVersion"));
}

TEST_F(NvmlProviderTest, AnInitFailureIsIOErrorInNvmlsWords) {
  WriteFile(config_, testing::Joined(kTwoH100s, "fail nvmlInit_v2 9\n"));
  const Result<std::unique_ptr<DeviceProvider>> nvml =
      MakeNvmlProvider(FakeNvmlPath(FakeNvmlDir()));
  ASSERT_FALSE(nvml.ok());
  EXPECT_EQ(nvml.status().code(), Status::Code::kIOError);
  EXPECT_THAT(nvml.status().message(), HasSubstr("nvmlInit_v2: Driver Not Loaded (NVML error 9)"));
}

TEST_F(NvmlProviderTest, ACallFailingOnOneBoardNamesTheCallAndTheBoard) {
  Result<std::unique_ptr<DeviceProvider>> nvml = MakeNvmlProvider(FakeNvmlPath(FakeNvmlDir()));
  ASSERT_TRUE(nvml.ok()) << nvml.status().ToString();
  WriteFile(config_, testing::Joined(kTwoH100s, "fail nvmlDeviceGetSerial 15\n"));
  const Result<std::vector<ObservedDevice>> devices = (*nvml)->Observe();
  ASSERT_FALSE(devices.ok());
  EXPECT_EQ(devices.status().code(), Status::Code::kIOError);
  EXPECT_THAT(devices.status().message(),
              HasSubstr("nvmlDeviceGetSerial (device 0): GPU is lost (NVML error 15)"));
}

TEST_F(NvmlProviderTest, NoBoardsIsAnEmptyList) {
  WriteFile(config_, "driver 550.54.15\n");
  Result<std::unique_ptr<DeviceProvider>> nvml = MakeNvmlProvider(FakeNvmlPath(FakeNvmlDir()));
  ASSERT_TRUE(nvml.ok()) << nvml.status().ToString();
  const Result<std::vector<ObservedDevice>> devices = (*nvml)->Observe();
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  EXPECT_TRUE(devices->empty());
}

}  // namespace
}  // namespace gpufleet::agent
