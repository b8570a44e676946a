// The file provider (agent/device_provider.h): a device list any vendor's node can carry.

#include "gpufleet/agent/device_provider.h"
#include "gpufleet/codec/device_list_yaml.h"
#include "gpufleet/codec/text_file.h"

namespace gpufleet::agent {
namespace {

class FileProvider final : public DeviceProvider {
 public:
  explicit FileProvider(std::string path) : path_(std::move(path)) {}
  std::string_view name() const override { return "file"; }
  Result<std::vector<ObservedDevice>> Observe() override {
    const Result<std::string> text = codec::ReadTextFile(path_);
    if (!text.ok()) return text.status();
    return codec::ParseDeviceListYaml(*text, path_);
  }

 private:
  const std::string path_;
};

}  // namespace

Result<std::unique_ptr<DeviceProvider>> MakeFileProvider(const std::string& path) {
  auto provider = std::make_unique<FileProvider>(path);
  const Result<std::vector<ObservedDevice>> first = provider->Observe();
  if (!first.ok()) return first.status();
  return std::unique_ptr<DeviceProvider>(std::move(provider));
}

}  // namespace gpufleet::agent
