#pragma once
// The node agent's report as JSON (docs/agent.md, "Report format"): what gpufleet-agent sends
// in POST /v1/nodes/{id}/reports and prints for --once --json, and what GET
// /v1/nodes/{id}/observed answers with. One writer and one strict reader, so the agent and the
// service cannot disagree on the format.
//
//   {"node": "sg-0/n0", "agent_version": "0.1.0", "provider": "nvml",
//    "devices": [{"vendor": "nvidia", "model": "NVIDIA H100 80GB HBM3", "serial": "...",
//                 "uuid": "GPU-...", "pci_bus_id": "00000000:17:00.0",
//                 "board_part_number": "...", "memory_bytes": 85520809984,
//                 "driver_version": "550.54.15", "firmware_version": "96.00.99.00.01",
//                 "attestation": {"nonce": "<hex>", "report": "<base64>",
//                                 "verified": false}}]}
//
// `attestation` is absent when the device gave none. `verified` is always false: nothing here
// checks the report against the vendor's certificate chain.
//
// Thread safety: free functions.

#include <cstddef>
#include <nlohmann/json.hpp>

#include "gpufleet/model/observed_device.h"
#include "gpufleet/status.h"

namespace gpufleet::codec {

// More devices than any node holds (the largest boards carry 8 to 16): a bound on what one
// report may make the service keep.
inline constexpr size_t kMaxReportDevices = 64;
// The longest text field; NVML's own buffers are at most 96 bytes.
inline constexpr size_t kMaxReportFieldBytes = 256;
// An attestation report, base64: NVML's report buffers are 8 KiB + 4 KiB.
inline constexpr size_t kMaxAttestationBase64Bytes = 32 << 10;

nlohmann::ordered_json NodeReportToJson(const NodeReport& report);

// Reads a report strictly: every field known and of its type, text fields at most
// kMaxReportFieldBytes, at most kMaxReportDevices devices. InvalidArgument naming the field by
// its path ("field 'devices[2].memory_bytes': expected a non-negative integer", "unknown field
// 'devices[0].seriall'"). `node`, `provider` and `devices` are required; `agent_version` and a
// device's fields but `vendor` and `model` may be left out (empty).
Result<NodeReport> NodeReportFromJson(const nlohmann::json& value);

}  // namespace gpufleet::codec
