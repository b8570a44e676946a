// The file provider's device list: every field read, JSON accepted as YAML, and each mistake
// reported at its file:line:column.

#include "gpufleet/codec/device_list_yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpufleet::codec {
namespace {

using ::testing::HasSubstr;

TEST(DeviceListYamlTest, ReadsEveryFieldOfEachDevice) {
  const Result<std::vector<ObservedDevice>> devices = ParseDeviceListYaml(
      "devices:\n"
      "  - vendor: huawei\n"
      "    model: Ascend 910B\n"
      "    serial: \"102345678\"\n"
      "    uuid: npu-0\n"
      "    pci_bus_id: \"0000:c1:00.0\"\n"
      "    board_part_number: 02312ABC\n"
      "    memory_bytes: 68719476736\n"
      "    driver_version: 24.1.rc2\n"
      "    firmware_version: 7.1.0.5.220\n"
      "  - vendor: acme\n"
      "    model: In-house ASIC\n",
      "node.yaml");
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  ASSERT_EQ(devices->size(), 2u);
  const ObservedDevice& npu = (*devices)[0];
  EXPECT_EQ(npu.vendor, "huawei");
  EXPECT_EQ(npu.model, "Ascend 910B");
  EXPECT_EQ(npu.serial, "102345678");
  EXPECT_EQ(npu.uuid, "npu-0");
  EXPECT_EQ(npu.pci_bus_id, "0000:c1:00.0");
  EXPECT_EQ(npu.board_part_number, "02312ABC");
  EXPECT_EQ(npu.memory_bytes, 64ull << 30);  // 64 GiB, past 32 bits
  EXPECT_EQ(npu.driver_version, "24.1.rc2");
  EXPECT_EQ(npu.firmware_version, "7.1.0.5.220");
  EXPECT_EQ((*devices)[1].serial, "");
  EXPECT_EQ((*devices)[1].memory_bytes, 0u);
}

TEST(DeviceListYamlTest, JsonIsYamlAndAnEmptyListIsANodeWithoutAccelerators) {
  const Result<std::vector<ObservedDevice>> json = ParseDeviceListYaml(
      R"({"devices": [{"vendor": "nvidia", "model": "H20", "memory_bytes": 103079215104}]})",
      "node.json");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  ASSERT_EQ(json->size(), 1u);
  EXPECT_EQ((*json)[0].memory_bytes, 96ull << 30);
  const Result<std::vector<ObservedDevice>> none = ParseDeviceListYaml("devices: []\n", "n.yaml");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
}

struct BadCase {
  const char* text;
  const char* error;  // a substring of the message, place first
};

TEST(DeviceListYamlTest, EachMistakeIsNamedAtItsLine) {
  const BadCase cases[] = {
      {"devices:\n  - vendor: nvidia\n    model: H100\n    seriall: X\n",
       "node.yaml:4:5: device 1: seriall: unknown key"},
      {"devices:\n  - vendor: nvidia\n",
       "node.yaml:2:5: device 1: model: missing; every device needs a vendor and a model"},
      {"devices:\n  - vendor: nvidia\n    model: H100\n    memory_bytes: 80GB\n",
       "node.yaml:4:19: device 1: memory_bytes: expected a non-negative integer, got '80GB'"},
      {"devices:\n  - vendor: nvidia\n    model: H100\n    memory_bytes: -1\n", "node.yaml:4:19"},
      {"devices:\n  - just a string\n", "node.yaml:2:5: devices: each device must be a map"},
      {"gpus: []\n", "node.yaml:1:1: gpus: unknown key"},
      {"{}\n", "devices: missing"},
      {"devices:\n  - {vendor: nvidia, model: H100}\n  - {vendor: acme}\n",
       "node.yaml:3:5: device 2: model: missing"},
      {"devices:\n  - vendor: [a]\n    model: H100\n",
       "node.yaml:2:13: device 1: vendor: expected a string, got a list"},
      {"devices: [\n", "node.yaml:"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.text);
    const Result<std::vector<ObservedDevice>> devices = ParseDeviceListYaml(c.text, "node.yaml");
    ASSERT_FALSE(devices.ok());
    EXPECT_EQ(devices.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(devices.status().message(), HasSubstr(c.error));
  }
}

TEST(DeviceListYamlTest, MoreDevicesThanAReportMayCarryAreRefused) {
  std::string text = "devices:\n";
  for (int i = 0; i < 65; ++i) text += "  - {vendor: nvidia, model: H100}\n";
  const Result<std::vector<ObservedDevice>> devices = ParseDeviceListYaml(text, "big.yaml");
  ASSERT_FALSE(devices.ok());
  EXPECT_THAT(devices.status().message(), HasSubstr("65 devices, more than 64"));
}

}  // namespace
}  // namespace gpufleet::codec
