// A stand-in for the NVIDIA driver's libnvidia-ml.so.1, built as a shared library named exactly
// that, so the agent's own dlopen path loads it (tests/agent/nvml_provider_test.cc). It
// implements the calls the agent makes (src/agent/nvml_api.h) over devices described in the
// file named by $FAKE_NVML_CONFIG, read again at every nvmlDeviceGetCount_v2 so a test can
// swap a board between two observations:
//
//   driver 550.54.15
//   device NAME|SERIAL|UUID|BUS_ID|PART|MEMORY_BYTES|VBIOS    (an empty SERIAL or PART: the
//                                                             board does not report it)
//   fail FUNCTION CODE                                         (FUNCTION answers CODE)
//   attest                                                     (confidential computing on:
//                                                              each board's report is
//                                                              "FAKE-CC|<serial>|" + the nonce)
//
// Built twice: as is, and with FAKE_NVML_OMIT_VBIOS, which leaves nvmlDeviceGetVbiosVersion
// out (a driver older than the agent needs).

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct FakeDevice {
  std::string name, serial, uuid, bus_id, part, vbios;
  unsigned long long memory = 0;  // NOLINT(google-runtime-int): NVML's type
};

struct FakeState {
  std::string driver = "550.54.15";
  std::vector<FakeDevice> devices;
  std::map<std::string, int> failures;  // function name -> NVML error code
  bool attest = false;
};

FakeState& State() {
  static FakeState state;
  return state;
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

void Load() {
  FakeState fresh;
  const char* path = std::getenv("FAKE_NVML_CONFIG");
  std::ifstream in(path != nullptr ? path : "");
  std::string line;
  while (std::getline(in, line)) {
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "driver") {
      fresh.driver = rest;
    } else if (key == "device") {
      const std::vector<std::string> f = Split(rest, '|');
      if (f.size() != 7) continue;
      fresh.devices.push_back({.name = f[0],
                               .serial = f[1],
                               .uuid = f[2],
                               .bus_id = f[3],
                               .part = f[4],
                               .vbios = f[6],
                               .memory = std::stoull(f[5])});
    } else if (key == "attest") {
      fresh.attest = true;
    } else if (key == "fail") {
      const std::vector<std::string> f = Split(rest, ' ');
      if (f.size() == 2) fresh.failures[f[0]] = std::stoi(f[1]);
    }
  }
  State() = std::move(fresh);
}

int Failure(const char* function) {
  const auto it = State().failures.find(function);
  return it == State().failures.end() ? 0 : it->second;
}

constexpr int kNotSupported = 3;
constexpr int kInvalidArgument = 2;
constexpr int kInsufficientSize = 7;

// Copies `text` the way NVML does: NUL-terminated, or INSUFFICIENT_SIZE when it does not fit.
int CopyOut(const std::string& text, char* buffer, unsigned int length) {
  if (text.size() + 1 > length) return kInsufficientSize;
  std::memcpy(buffer, text.c_str(), text.size() + 1);
  return 0;
}

struct nvmlDevice_st;  // NOLINT: NVML's name

const FakeDevice* Lookup(nvmlDevice_st* device) {
  const auto index = reinterpret_cast<std::uintptr_t>(device);
  if (index == 0 || index > State().devices.size()) return nullptr;
  return &State().devices[index - 1];
}

}  // namespace

extern "C" {

struct FakePciInfo {
  char bus_id_legacy[16];
  unsigned int domain, bus, device, pci_device_id, pci_sub_system_id;
  char bus_id[32];
};
struct FakeMemory {
  unsigned long long total, free, used;  // NOLINT(google-runtime-int)
};

__attribute__((visibility("default"))) int nvmlInit_v2() {
  Load();
  return Failure("nvmlInit_v2");
}
__attribute__((visibility("default"))) int nvmlShutdown() { return 0; }
__attribute__((visibility("default"))) const char* nvmlErrorString(int result) {
  switch (result) {
    case 0:
      return "Success";
    case 3:
      return "Not Supported";
    case 9:
      return "Driver Not Loaded";
    case 15:
      return "GPU is lost";
    default:
      return "Unknown Error";
  }
}
__attribute__((visibility("default"))) int nvmlSystemGetDriverVersion(char* version,
                                                                      unsigned int length) {
  if (const int f = Failure("nvmlSystemGetDriverVersion")) return f;
  return CopyOut(State().driver, version, length);
}
__attribute__((visibility("default"))) int nvmlDeviceGetCount_v2(unsigned int* count) {
  Load();
  if (const int f = Failure("nvmlDeviceGetCount_v2")) return f;
  *count = static_cast<unsigned int>(State().devices.size());
  return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetHandleByIndex_v2(unsigned int index,
                                                                         nvmlDevice_st** device) {
  if (const int f = Failure("nvmlDeviceGetHandleByIndex_v2")) return f;
  if (index >= State().devices.size()) return kInvalidArgument;
  *device = reinterpret_cast<nvmlDevice_st*>(static_cast<std::uintptr_t>(index) + 1);
  return 0;
}

#define FAKE_NVML_STRING_GETTER(function, field, unsupported_when_empty)                   \
  __attribute__((visibility("default"))) int function(nvmlDevice_st* device, char* buffer, \
                                                      unsigned int length) {               \
    if (const int f = Failure(#function)) return f;                                        \
    const FakeDevice* d = Lookup(device);                                                  \
    if (d == nullptr) return kInvalidArgument;                                             \
    if ((unsupported_when_empty) && d->field.empty()) return kNotSupported;                \
    return CopyOut(d->field, buffer, length);                                              \
  }

FAKE_NVML_STRING_GETTER(nvmlDeviceGetName, name, false)
FAKE_NVML_STRING_GETTER(nvmlDeviceGetSerial, serial, true)
FAKE_NVML_STRING_GETTER(nvmlDeviceGetUUID, uuid, false)
FAKE_NVML_STRING_GETTER(nvmlDeviceGetBoardPartNumber, part, true)
#ifndef FAKE_NVML_OMIT_VBIOS
FAKE_NVML_STRING_GETTER(nvmlDeviceGetVbiosVersion, vbios, false)
#endif

__attribute__((visibility("default"))) int nvmlDeviceGetPciInfo_v3(nvmlDevice_st* device,
                                                                   FakePciInfo* pci) {
  if (const int f = Failure("nvmlDeviceGetPciInfo_v3")) return f;
  const FakeDevice* d = Lookup(device);
  if (d == nullptr) return kInvalidArgument;
  *pci = FakePciInfo{};
  CopyOut(d->bus_id.substr(d->bus_id.size() > 12 ? d->bus_id.size() - 12 : 0), pci->bus_id_legacy,
          sizeof(pci->bus_id_legacy));
  return CopyOut(d->bus_id, pci->bus_id, sizeof(pci->bus_id));
}
__attribute__((visibility("default"))) int nvmlDeviceGetMemoryInfo(nvmlDevice_st* device,
                                                                   FakeMemory* memory) {
  if (const int f = Failure("nvmlDeviceGetMemoryInfo")) return f;
  const FakeDevice* d = Lookup(device);
  if (d == nullptr) return kInvalidArgument;
  *memory = FakeMemory{.total = d->memory, .free = d->memory, .used = 0};
  return 0;
}

struct FakeAttestationReport {
  unsigned int is_cec_present, report_size, cec_report_size;
  unsigned char nonce[0x20];
  unsigned char report[0x2000];
  unsigned char cec_report[0x1000];
};
__attribute__((visibility("default"))) int nvmlDeviceGetConfComputeGpuAttestationReport(
    nvmlDevice_st* device, FakeAttestationReport* out) {
  if (const int f = Failure("nvmlDeviceGetConfComputeGpuAttestationReport")) return f;
  const FakeDevice* d = Lookup(device);
  if (d == nullptr) return kInvalidArgument;
  if (!State().attest) return kNotSupported;
  std::string report = "FAKE-CC|" + d->serial + "|";
  report.append(reinterpret_cast<const char*>(out->nonce), sizeof(out->nonce));
  std::memcpy(out->report, report.data(), report.size());
  out->report_size = static_cast<unsigned int>(report.size());
  out->is_cec_present = 0;
  out->cec_report_size = 0;
  return 0;
}

}  // extern "C"
