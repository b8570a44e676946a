#pragma once
// What a node agent (gpufleet-agent, docs/agent.md) saw on its node: the accelerators a driver
// or a device file reported, as the agent sends them to gpufleetd and the service keeps the
// latest of them. These are claims by the node, not facts: a compromised node can report any
// serial or model (docs/agent.md, "Trust model"), so they are compared with the ledger later,
// never copied into it.
//
// Thread safety: values. Every field has a default, so a designated initializer may name only
// the fields it knows.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpufleet {

// A confidential-computing attestation report the device produced for a nonce the service
// chose. Kept as opaque bytes: checking it needs the vendor's certificate chain, so it is
// always reported as unverified here.
struct AttestationEvidence {
  std::string nonce_hex{};      // the nonce the report was asked for, lowercase hex
  std::string report_base64{};  // the report as the device gave it, standard base64 (RFC 4648)
  friend bool operator==(const AttestationEvidence&, const AttestationEvidence&) = default;
};

// One accelerator as observed. Strings are empty when the source does not say (a device file
// may leave the board part number out; NVML answers "not supported" for some fields on some
// boards).
struct ObservedDevice {
  std::string vendor{};             // "nvidia", "huawei", ... (lowercase)
  std::string model{};              // the name the driver gives ("NVIDIA H100 80GB HBM3")
  std::string serial{};             // the board serial, as the ledger's asset serials
  std::string uuid{};               // "GPU-..." for NVIDIA
  std::string pci_bus_id{};         // "00000000:17:00.0"
  std::string board_part_number{};  // "699-2G520-0200-000"
  uint64_t memory_bytes = 0;        // total device memory
  std::string driver_version{};     // the host driver ("550.54.15")
  std::string firmware_version{};   // VBIOS for NVIDIA
  std::optional<AttestationEvidence> attestation{};
  friend bool operator==(const ObservedDevice&, const ObservedDevice&) = default;
};

// One report: who sends it and everything it sees now. Devices are in the order the source
// listed them (NVML index order), which is stable across reports of an unchanged node.
struct NodeReport {
  std::string node{};           // the node's name in the fleet ("sg-0/n0")
  std::string agent_version{};  // "0.1.0"
  std::string provider{};       // "nvml" or "file"
  std::vector<ObservedDevice> devices{};
  // The verifier key (ledger/note_key.h text form) the node's agent signs landmark echoes
  // with (docs/agent.md, "Location evidence"); empty when the agent serves no echo. The
  // service trusts the key a node's token first reports (trust on first use).
  std::string echo_key{};
  friend bool operator==(const NodeReport&, const NodeReport&) = default;
};

}  // namespace gpufleet
