// The NVML provider (agent/device_provider.h): NVIDIA boards as the driver's management
// library sees them, loaded with dlopen so that the agent has no link-time dependency on it.

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "agent/nvml_api.h"
#include "gpufleet/agent/device_provider.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::agent {
namespace {

// Every NVML call the agent makes, resolved when the library is loaded.
struct NvmlCalls {
  nvml::InitFn init = nullptr;
  nvml::ShutdownFn shutdown = nullptr;
  nvml::ErrorStringFn error_string = nullptr;
  nvml::DeviceGetCountFn device_get_count = nullptr;
  nvml::DeviceGetHandleByIndexFn device_get_handle_by_index = nullptr;
  nvml::DeviceGetStringFn device_get_serial = nullptr;
  nvml::DeviceGetStringFn device_get_uuid = nullptr;
  nvml::DeviceGetPciInfoFn device_get_pci_info = nullptr;
  nvml::DeviceGetStringFn device_get_board_part_number = nullptr;
  nvml::DeviceGetStringFn device_get_name = nullptr;
  nvml::DeviceGetMemoryInfoFn device_get_memory_info = nullptr;
  nvml::SystemGetDriverVersionFn system_get_driver_version = nullptr;
  nvml::DeviceGetStringFn device_get_vbios_version = nullptr;
  // nullptr when the driver has no confidential computing (older than R535).
  nvml::DeviceGetConfComputeGpuAttestationReportFn device_get_attestation_report = nullptr;
};

// Closes the library when the provider goes (or when loading fails half-way).
struct LibraryHandle {
  void* handle = nullptr;
  explicit LibraryHandle(void* h) : handle(h) {}
  LibraryHandle(const LibraryHandle&) = delete;
  LibraryHandle& operator=(const LibraryHandle&) = delete;
  ~LibraryHandle() {
    if (handle != nullptr) ::dlclose(handle);
  }
};

// NVML's strings are ASCII in practice; a driver bug must not make the report unsendable
// (JSON needs UTF-8), so anything after the first invalid byte is dropped.
std::string CleanText(const char* buffer, size_t capacity) {
  const std::string_view raw(buffer, ::strnlen(buffer, capacity));
  return std::string(raw.substr(0, ValidUtf8Prefix(raw)));
}

// The 32 bytes `hex` spells (64 hex digits); false when it does not.
bool FromHex(const std::string& hex, std::array<unsigned char, nvml::kCcNonceSize>& out) {
  if (hex.size() != 2 * out.size()) return false;
  const auto digit = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(hex[2 * i]);
    const int lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

class NvmlProvider final : public DeviceProvider {
 public:
  NvmlProvider(std::unique_ptr<LibraryHandle> library, NvmlCalls calls, std::string path)
      : library_(std::move(library)), calls_(calls), path_(std::move(path)) {}
  NvmlProvider(const NvmlProvider&) = delete;
  NvmlProvider& operator=(const NvmlProvider&) = delete;
  ~NvmlProvider() override {
    if (initialised_) (void)calls_.shutdown();
  }

  std::string_view name() const override { return "nvml"; }

  Status Init() {
    GPUFLEET_RETURN_IF_ERROR(Check(calls_.init(), "nvmlInit_v2", ""));
    initialised_ = true;
    return Status::Ok();
  }

  void Attest(std::vector<ObservedDevice>& devices, const std::string& nonce_hex) override {
    std::array<unsigned char, nvml::kCcNonceSize> nonce{};
    if (calls_.device_get_attestation_report == nullptr || !FromHex(nonce_hex, nonce)) return;
    // 12 KiB of buffers: on the heap, once per call.
    auto report = std::make_unique<nvml::ConfComputeGpuAttestationReport>();
    for (size_t i = 0; i < devices.size(); ++i) {
      nvml::Device device = nullptr;
      if (calls_.device_get_handle_by_index(static_cast<unsigned int>(i), &device) !=
          nvml::kSuccess) {
        continue;
      }
      *report = {};
      std::memcpy(report->nonce, nonce.data(), nonce.size());
      if (calls_.device_get_attestation_report(device, report.get()) != nvml::kSuccess) continue;
      const size_t size =
          std::min<size_t>(report->attestation_report_size, sizeof(report->attestation_report));
      devices[i].attestation = AttestationEvidence{
          .nonce_hex = nonce_hex,
          .report_base64 = ledger::Base64Encode(
              std::string_view(reinterpret_cast<const char*>(report->attestation_report), size))};
    }
  }

  Result<std::vector<ObservedDevice>> Observe() override {
    std::array<char, nvml::kDriverVersionBufferSize> driver{};
    GPUFLEET_RETURN_IF_ERROR(Check(calls_.system_get_driver_version(driver.data(), driver.size()),
                                   "nvmlSystemGetDriverVersion", ""));
    unsigned int count = 0;
    GPUFLEET_RETURN_IF_ERROR(Check(calls_.device_get_count(&count), "nvmlDeviceGetCount_v2", ""));
    std::vector<ObservedDevice> devices;
    for (unsigned int i = 0; i < count; ++i) {
      Result<ObservedDevice> device = ReadDevice(i);
      if (!device.ok()) return device.status();
      device->driver_version = CleanText(driver.data(), driver.size());
      devices.push_back(std::move(*device));
    }
    return devices;
  }

 private:
  // IOError "<library>: nvmlDeviceGetSerial (device 0): <NVML's words> (NVML error 15)".
  Status Check(nvml::Return result, std::string_view call, std::string_view where) const {
    if (result == nvml::kSuccess) return Status::Ok();
    const char* words = calls_.error_string(result);
    return Status::IOError(path_ + ": " + std::string(call) + std::string(where) + ": " +
                           Excerpt(words != nullptr ? words : "no description") + " (NVML error " +
                           std::to_string(result) + ")");
  }

  // A text field; empty when the board does not report it (NVML_ERROR_NOT_SUPPORTED: GeForce
  // boards have no serial or part number), which is an answer, not a failure.
  template <size_t kSize>
  Status ReadText(nvml::DeviceGetStringFn fn, nvml::Device device, std::string_view call,
                  const std::string& where, std::string& out) const {
    std::array<char, kSize> buffer{};
    const nvml::Return result = fn(device, buffer.data(), buffer.size());
    if (result == nvml::kErrorNotSupported) {
      out.clear();
      return Status::Ok();
    }
    GPUFLEET_RETURN_IF_ERROR(Check(result, call, where));
    out = CleanText(buffer.data(), buffer.size());
    return Status::Ok();
  }

  Result<ObservedDevice> ReadDevice(unsigned int index) const {
    const std::string where = " (device " + std::to_string(index) + ")";
    nvml::Device device = nullptr;
    GPUFLEET_RETURN_IF_ERROR(Check(calls_.device_get_handle_by_index(index, &device),
                                   "nvmlDeviceGetHandleByIndex_v2", where));
    ObservedDevice d;
    d.vendor = "nvidia";
    GPUFLEET_RETURN_IF_ERROR(ReadText<nvml::kNameBufferSize>(calls_.device_get_name, device,
                                                             "nvmlDeviceGetName", where, d.model));
    GPUFLEET_RETURN_IF_ERROR(ReadText<nvml::kSerialBufferSize>(
        calls_.device_get_serial, device, "nvmlDeviceGetSerial", where, d.serial));
    GPUFLEET_RETURN_IF_ERROR(ReadText<nvml::kUuidBufferSize>(calls_.device_get_uuid, device,
                                                             "nvmlDeviceGetUUID", where, d.uuid));
    GPUFLEET_RETURN_IF_ERROR(ReadText<nvml::kPartNumberBufferSize>(
        calls_.device_get_board_part_number, device, "nvmlDeviceGetBoardPartNumber", where,
        d.board_part_number));
    GPUFLEET_RETURN_IF_ERROR(ReadText<nvml::kVbiosVersionBufferSize>(
        calls_.device_get_vbios_version, device, "nvmlDeviceGetVbiosVersion", where,
        d.firmware_version));
    nvml::PciInfo pci{};
    GPUFLEET_RETURN_IF_ERROR(
        Check(calls_.device_get_pci_info(device, &pci), "nvmlDeviceGetPciInfo_v3", where));
    d.pci_bus_id = CleanText(pci.bus_id, sizeof(pci.bus_id));
    nvml::Memory memory{};
    GPUFLEET_RETURN_IF_ERROR(
        Check(calls_.device_get_memory_info(device, &memory), "nvmlDeviceGetMemoryInfo", where));
    d.memory_bytes = memory.total;
    // A device whose driver gives no name would fail the report's own check; name the problem.
    if (d.model.empty()) {
      return Status::IOError(path_ + ": nvmlDeviceGetName" + where + " gave an empty name");
    }
    return d;
  }

  std::unique_ptr<LibraryHandle> library_;
  NvmlCalls calls_;
  std::string path_;
  bool initialised_ = false;
};

// Resolves `symbol` into `out`; FailedPrecondition naming it when the library lacks it.
template <typename Fn>
Status Resolve(void* handle, const std::string& path, const char* symbol, Fn& out) {
  void* address = ::dlsym(handle, symbol);
  if (address == nullptr) {
    return Status::FailedPrecondition(
        path + " has no " + symbol +
        ": the NVIDIA driver is older than this agent supports; update the driver, or use "
        "--provider file");
  }
  // POSIX guarantees that a dlsym result converts to a function pointer.
  out = reinterpret_cast<Fn>(address);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<DeviceProvider>> MakeNvmlProvider(const std::string& library) {
  // RTLD_LOCAL: NVML's symbols stay out of the global namespace; RTLD_NOW: an unresolvable
  // dependency of the library fails here, not in the middle of a report.
  auto handle = std::make_unique<LibraryHandle>(::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (handle->handle == nullptr) {
    const char* why = ::dlerror();
    return Status::NotFound("cannot load " + library + " (" +
                            Excerpt(why != nullptr ? why : "no reason given") +
                            "): is the NVIDIA driver installed? On nodes without NVIDIA boards, "
                            "use --provider file");
  }
  NvmlCalls calls;
  void* h = handle->handle;
  GPUFLEET_RETURN_IF_ERROR(Resolve(h, library, "nvmlInit_v2", calls.init));
  GPUFLEET_RETURN_IF_ERROR(Resolve(h, library, "nvmlShutdown", calls.shutdown));
  GPUFLEET_RETURN_IF_ERROR(Resolve(h, library, "nvmlErrorString", calls.error_string));
  GPUFLEET_RETURN_IF_ERROR(Resolve(h, library, "nvmlDeviceGetCount_v2", calls.device_get_count));
  GPUFLEET_RETURN_IF_ERROR(
      Resolve(h, library, "nvmlDeviceGetHandleByIndex_v2", calls.device_get_handle_by_index));
  GPUFLEET_RETURN_IF_ERROR(Resolve(h, library, "nvmlDeviceGetSerial", calls.device_get_serial));
  GPUFLEET_RETURN_IF_ERROR(Resolve(h, library, "nvmlDeviceGetUUID", calls.device_get_uuid));
  GPUFLEET_RETURN_IF_ERROR(
      Resolve(h, library, "nvmlDeviceGetPciInfo_v3", calls.device_get_pci_info));
  GPUFLEET_RETURN_IF_ERROR(
      Resolve(h, library, "nvmlDeviceGetBoardPartNumber", calls.device_get_board_part_number));
  GPUFLEET_RETURN_IF_ERROR(Resolve(h, library, "nvmlDeviceGetName", calls.device_get_name));
  GPUFLEET_RETURN_IF_ERROR(
      Resolve(h, library, "nvmlDeviceGetMemoryInfo", calls.device_get_memory_info));
  GPUFLEET_RETURN_IF_ERROR(
      Resolve(h, library, "nvmlSystemGetDriverVersion", calls.system_get_driver_version));
  GPUFLEET_RETURN_IF_ERROR(
      Resolve(h, library, "nvmlDeviceGetVbiosVersion", calls.device_get_vbios_version));
  // Optional: a driver without confidential computing simply attests nothing.
  if (void* address = ::dlsym(h, "nvmlDeviceGetConfComputeGpuAttestationReport")) {
    calls.device_get_attestation_report =
        reinterpret_cast<nvml::DeviceGetConfComputeGpuAttestationReportFn>(address);
  }
  auto provider = std::make_unique<NvmlProvider>(std::move(handle), calls, library);
  GPUFLEET_RETURN_IF_ERROR(provider->Init());
  return std::unique_ptr<DeviceProvider>(std::move(provider));
}

}  // namespace gpufleet::agent
