#pragma once
// The part of NVML's C API that gpufleet-agent calls, declared here because Debian main ships no
// nvml.h and the agent must build (and run, reporting "not installed") without the NVIDIA
// driver. Written from NVIDIA's NVML API reference (docs.nvidia.com/deploy/nvml-api): the
// types, buffer sizes and signatures of exactly the calls the provider resolves, no more.
// The library is opened with dlopen at run time (nvml_library.h), never linked.
//
// ABI notes: nvmlReturn_t is a C enum (int-sized); nvmlDevice_t is an opaque pointer; the
// structs below are the versions the _v2/_v3 entry points fill, field for field.

#include <cstdint>

namespace gpufleet::agent::nvml {

using Return = int;  // nvmlReturn_t
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorNotSupported = 3;  // the board does not report this field
inline constexpr Return kErrorInsufficientSize = 7;

struct DeviceOpaque;           // struct nvmlDevice_st
using Device = DeviceOpaque*;  // nvmlDevice_t

// nvmlPciInfo_t, as nvmlDeviceGetPciInfo_v3 fills it.
struct PciInfo {
  char bus_id_legacy[16];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE, "0000:17:00.0"
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pci_device_id;  // vendor id in the low 16 bits, device id in the high
  unsigned int pci_sub_system_id;
  char bus_id[32];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE, "00000000:17:00.0"
};

// nvmlMemory_t (version 1, what nvmlDeviceGetMemoryInfo fills), in bytes.
struct Memory {
  unsigned long long total;  // NOLINT(google-runtime-int): the C ABI's type
  unsigned long long free;   // NOLINT(google-runtime-int)
  unsigned long long used;   // NOLINT(google-runtime-int)
};

// Buffer sizes NVML documents for the string getters (each includes the terminating NUL).
inline constexpr unsigned int kSerialBufferSize = 30;      // NVML_DEVICE_SERIAL_BUFFER_SIZE
inline constexpr unsigned int kUuidBufferSize = 96;        // NVML_DEVICE_UUID_V2_BUFFER_SIZE
inline constexpr unsigned int kPartNumberBufferSize = 80;  // NVML_DEVICE_PART_NUMBER_BUFFER_SIZE
inline constexpr unsigned int kNameBufferSize = 96;        // NVML_DEVICE_NAME_V2_BUFFER_SIZE
inline constexpr unsigned int kDriverVersionBufferSize =
    80;  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
inline constexpr unsigned int kVbiosVersionBufferSize =
    32;  // NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE

// nvmlConfComputeGpuAttestationReport_t: the caller fills `nonce`, the driver the rest.
// Sizes are NVML_CC_GPU_CEC_NONCE_SIZE, NVML_CC_GPU_ATTESTATION_REPORT_SIZE and
// NVML_CC_GPU_CEC_ATTESTATION_REPORT_SIZE (0x20, 0x2000, 0x1000).
inline constexpr unsigned int kCcNonceSize = 0x20;
inline constexpr unsigned int kCcAttestationReportSize = 0x2000;
inline constexpr unsigned int kCcCecAttestationReportSize = 0x1000;
struct ConfComputeGpuAttestationReport {
  unsigned int is_cec_attestation_report_present;
  unsigned int attestation_report_size;
  unsigned int cec_attestation_report_size;
  unsigned char nonce[kCcNonceSize];
  unsigned char attestation_report[kCcAttestationReportSize];
  unsigned char cec_attestation_report[kCcCecAttestationReportSize];
};

// The signatures, as function pointer types (extern "C" calling convention on x86-64 and
// aarch64 Linux is the platform's one C ABI).
extern "C" {
using InitFn = Return (*)();
using ShutdownFn = Return (*)();
using ErrorStringFn = const char* (*)(Return result);
using DeviceGetCountFn = Return (*)(unsigned int* device_count);
using DeviceGetHandleByIndexFn = Return (*)(unsigned int index, Device* device);
// nvmlDeviceGetSerial, GetUUID, GetBoardPartNumber, GetName, GetVbiosVersion.
using DeviceGetStringFn = Return (*)(Device device, char* buffer, unsigned int length);
using DeviceGetPciInfoFn = Return (*)(Device device, PciInfo* pci);
using DeviceGetMemoryInfoFn = Return (*)(Device device, Memory* memory);
using SystemGetDriverVersionFn = Return (*)(char* version, unsigned int length);
// Optional: only drivers with confidential computing (R535 and later) have it.
using DeviceGetConfComputeGpuAttestationReportFn =
    Return (*)(Device device, ConfComputeGpuAttestationReport* report);
}

}  // namespace gpufleet::agent::nvml
