#pragma once
// Where gpufleet-agent learns which accelerators its node holds (docs/agent.md). One interface,
// one implementation per source: NVML for NVIDIA boards, a device file for any vendor without a
// library the agent loads (Ascend DCMI, Cambricon CNDev or an in-house ASIC slot in beside
// them as further providers).
//
// Errors say what failed and what to do, with a Status code that is the agent's exit code
// (agent/exit_codes.h):
//   NotFound            the vendor library is not installed (dlopen failed)
//   FailedPrecondition  the library lacks a call the agent needs (a driver too old)
//   IOError             the library or driver answered with an error, or the file is unreadable
//   InvalidArgument     the device file is malformed ("<file>:<line>:<column>: ...")
//
// Thread safety: a provider is used by one thread at a time.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/model/observed_device.h"
#include "gpufleet/status.h"

namespace gpufleet::agent {

class DeviceProvider {
 public:
  virtual ~DeviceProvider() = default;
  // "nvml", "file": what reports name as their provider.
  virtual std::string_view name() const = 0;
  // The devices present now, in a stable order. Called once per heartbeat; a provider re-reads
  // its source each time, so a board swapped while the agent runs is seen.
  [[nodiscard]] virtual Result<std::vector<ObservedDevice>> Observe() = 0;
  // Asks each of `devices` (as the last Observe returned them) for a confidential-computing
  // attestation report over `nonce_hex` (32 bytes, hex: the service's, POST
  // /v1/nodes/{id}/nonce) and attaches what each gives. Best effort: a provider or a device
  // that cannot attest (no such call in the driver, confidential computing off) leaves the
  // device without one. The default attests nothing.
  virtual void Attest(std::vector<ObservedDevice>& devices, const std::string& nonce_hex) {
    (void)devices;
    (void)nonce_hex;
  }
};

// The name dlopen looks for: the driver's versioned soname, which every NVIDIA driver package
// installs (the unversioned libnvidia-ml.so comes only with development files).
inline constexpr std::string_view kNvmlLibraryName = "libnvidia-ml.so.1";

// Loads NVML from `library` (a soname searched the usual dlopen way, or a path) and initialises
// it. Resolves every call up front, so a missing one is reported at start, not on first use.
// The provider shuts NVML down and closes the library when destroyed.
Result<std::unique_ptr<DeviceProvider>> MakeNvmlProvider(
    const std::string& library = std::string(kNvmlLibraryName));

// Reads `path` (codec/device_list_yaml.h) on every Observe, so an edit is picked up; the first
// read happens here, so a malformed file stops the agent at start.
Result<std::unique_ptr<DeviceProvider>> MakeFileProvider(const std::string& path);

}  // namespace gpufleet::agent
