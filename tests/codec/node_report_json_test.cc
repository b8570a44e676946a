// The agent's report as JSON: what the writer writes the reader reads back equal, and the
// reader refuses anything else with the field's path.

#include "gpufleet/codec/node_report_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpufleet::codec {
namespace {

using ::testing::HasSubstr;

NodeReport Sample() {
  ObservedDevice h100{
      .vendor = "nvidia",
      .model = "NVIDIA H100 80GB HBM3",
      .serial = "1650123456789",
      .uuid = "GPU-0f6c1d2e-0000-4000-8000-000000000001",
      .pci_bus_id = "00000000:17:00.0",
      .board_part_number = "699-2G520-0200-000",
      .memory_bytes = 85'520'809'984,
      .driver_version = "550.54.15",
      .firmware_version = "96.00.99.00.01",
      .attestation = AttestationEvidence{.nonce_hex = "00ff", .report_base64 = "AAEC"}};
  ObservedDevice asic{.vendor = "acme", .model = "ASIC"};
  return {.node = "sg-0/n0", .agent_version = "0.1.0", .provider = "nvml", .devices = {h100, asic}};
}

TEST(NodeReportJsonTest, WhatIsWrittenReadsBackEqual) {
  const NodeReport report = Sample();
  const nlohmann::json json = nlohmann::json::parse(NodeReportToJson(report).dump());
  EXPECT_EQ(json["devices"][0]["attestation"]["verified"], false);
  EXPECT_FALSE(json["devices"][1].contains("attestation"));
  const Result<NodeReport> back = NodeReportFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, report);
}

TEST(NodeReportJsonTest, AnEchoKeyIsWrittenWhenThereIsOneAndReadsBackEqual) {
  NodeReport report = Sample();
  EXPECT_FALSE(NodeReportToJson(report).contains("echo_key"));
  report.echo_key = "kl-1/n0+01234567+AQ==";
  const nlohmann::json json = nlohmann::json::parse(NodeReportToJson(report).dump());
  EXPECT_EQ(json["echo_key"], "kl-1/n0+01234567+AQ==");
  const Result<NodeReport> back = NodeReportFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->echo_key, report.echo_key);
}

struct BadCase {
  const char* patch;  // JSON merge patch applied to the sample
  const char* error;
};

TEST(NodeReportJsonTest, EachMistakeNamesItsField) {
  const BadCase cases[] = {
      {R"({"nodes": 1})", "unknown field 'nodes'"},
      {R"({"node": null})", "missing required field 'node'"},
      {R"({"node": ""})", "field 'node': must not be empty"},
      {R"({"echo_key": 7})", "field 'echo_key': expected a string"},
      {R"({"devices": {}})", "field 'devices': expected a list"},
      {R"({"devices": [{"vendor": "nvidia", "model": "H100", "memory_bytes": -1}]})",
       "field 'devices[0].memory_bytes': expected a non-negative integer"},
      {R"({"devices": [{"vendor": "nvidia", "model": "H100", "memory_bytes": 1.5}]})",
       "field 'devices[0].memory_bytes'"},
      {R"({"devices": [{"vendor": "nvidia", "model": "H100", "seriall": "x"}]})",
       "unknown field 'devices[0].seriall'"},
      {R"({"devices": [{"vendor": "nvidia"}]})", "missing required field 'devices[0].model'"},
      {R"({"devices": [{"vendor": "nvidia", "model": 7}]})",
       "field 'devices[0].model': expected a string"},
      {R"({"devices": [{"vendor": "nvidia", "model": "H", "attestation": {"nonce": "zz",
           "report": "AAEC"}}]})",
       "field 'devices[0].attestation.nonce': expected lowercase hex digits"},
      {R"({"devices": [{"vendor": "nvidia", "model": "H", "attestation": {"nonce": "00",
           "report": "AAE"}}]})",
       "field 'devices[0].attestation.report': expected standard base64"},
      {R"({"devices": [{"vendor": "nvidia", "model": "H", "attestation": {"nonce": "00",
           "report": "AAEC", "verified": true}}]})",
       "a node cannot verify itself"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.patch);
    nlohmann::json json = nlohmann::json::parse(NodeReportToJson(Sample()).dump());
    json.merge_patch(nlohmann::json::parse(c.patch));
    const Result<NodeReport> report = NodeReportFromJson(json);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(report.status().message(), HasSubstr(c.error));
  }
}

TEST(NodeReportJsonTest, ReportsAreBoundedInDevicesAndFieldLength) {
  nlohmann::json json = nlohmann::json::parse(NodeReportToJson(Sample()).dump());
  json["devices"] = nlohmann::json::array();
  for (size_t i = 0; i <= kMaxReportDevices; ++i) {
    json["devices"].push_back({{"vendor", "nvidia"}, {"model", "H100"}});
  }
  EXPECT_THAT(NodeReportFromJson(json).status().message(), HasSubstr("65 devices, more than 64"));
  json["devices"] = {{{"vendor", "nvidia"}, {"model", std::string(257, 'x')}}};
  EXPECT_THAT(NodeReportFromJson(json).status().message(),
              HasSubstr("field 'devices[0].model': 257 bytes, more than 256"));
}

}  // namespace
}  // namespace gpufleet::codec
