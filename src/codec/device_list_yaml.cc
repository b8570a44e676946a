// The file provider's device list (codec/device_list_yaml.h).

#include "gpufleet/codec/device_list_yaml.h"

#include <array>
#include <charconv>

#include "gpufleet/codec/node_report_json.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::codec {
namespace {

constexpr std::string_view kListKey = "devices";
constexpr std::array<std::string_view, 1> kDocumentKeys = {kListKey};
constexpr std::array<std::string_view, 9> kDeviceKeys = {
    "vendor",       "model",          "serial",          "uuid", "pci_bus_id", "board_part_number",
    "memory_bytes", "driver_version", "firmware_version"};

// A byte count: yaml-cpp's ints would be 32 bits here, and memory sizes pass 2^32.
Result<uint64_t> ReadByteCount(const YamlMap& entry, const YamlField& f) {
  const Result<std::string> text = entry.ReadText(f, "a non-negative integer");
  if (!text.ok()) return text.status();
  uint64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (f.value->quoted() || ec != std::errc() || ptr != end) {
    return entry.Error(f, "expected a non-negative integer, got '" + Excerpt(*text) + "'");
  }
  return value;
}

Status ReadField(const YamlMap& entry, const YamlField& f, ObservedDevice& d) {
  if (f.name == "memory_bytes") {
    const Result<uint64_t> bytes = ReadByteCount(entry, f);
    if (!bytes.ok()) return bytes.status();
    d.memory_bytes = *bytes;
    return Status::Ok();
  }
  std::string* out = f.name == "vendor"              ? &d.vendor
                     : f.name == "model"             ? &d.model
                     : f.name == "serial"            ? &d.serial
                     : f.name == "uuid"              ? &d.uuid
                     : f.name == "pci_bus_id"        ? &d.pci_bus_id
                     : f.name == "board_part_number" ? &d.board_part_number
                     : f.name == "driver_version"    ? &d.driver_version
                     : f.name == "firmware_version"  ? &d.firmware_version
                                                     : nullptr;
  if (out == nullptr) return entry.UnknownKey(f, kDeviceKeys);
  Result<std::string> text = entry.ReadText(f);
  if (!text.ok()) return text.status();
  if (text->size() > kMaxReportFieldBytes) {
    return entry.Error(f, std::to_string(text->size()) + " bytes, more than " +
                              std::to_string(kMaxReportFieldBytes));
  }
  *out = std::move(*text);
  return Status::Ok();
}

// The device at `index` (0-based); messages name it "device <index + 1>", as people count.
Result<ObservedDevice> ReadDevice(const YamlMap& doc, const YamlNode& node, size_t index) {
  if (!node.IsMap()) {
    return doc.ErrorAt(node, kListKey, "each device must be a map, got " + node.Describe());
  }
  Result<YamlMap> entry =
      YamlMap::Read(node, doc.errors().WithContext("device " + std::to_string(index + 1)), "");
  if (!entry.ok()) return entry.status();
  ObservedDevice device;
  for (const YamlField& f : entry->fields()) {
    GPUFLEET_RETURN_IF_ERROR(ReadField(*entry, f, device));
  }
  GPUFLEET_RETURN_IF_ERROR(
      entry->RequireKeys({"vendor", "model"}, "every device needs a vendor and a model"));
  return device;
}

}  // namespace

Result<std::vector<ObservedDevice>> ParseDeviceListYaml(std::string_view text,
                                                        const std::string& file) {
  Result<YamlNode> root = ParseYaml(text, file);
  if (!root.ok()) return root.status();
  const YamlErrors errors(file);
  if (!root->IsMap()) {
    return errors.Error(*root, "document",
                        "expected a map with a 'devices' list, got " + root->Describe());
  }
  Result<YamlMap> doc = YamlMap::Read(*root, errors, "document");
  if (!doc.ok()) return doc.status();
  GPUFLEET_RETURN_IF_ERROR(doc->CheckKeys(kDocumentKeys));
  const YamlField* list = doc->Find(kListKey);
  if (list == nullptr) return doc->Missing(kListKey, "list the node's devices, or [] for none");
  std::vector<ObservedDevice> devices;
  if (list->value->IsList() && list->value->items().empty()) return devices;
  Result<std::vector<YamlField>> entries = doc->ReadList(*list);
  if (!entries.ok()) return entries.status();
  if (entries->size() > kMaxReportDevices) {
    return doc->Error(*list, std::to_string(entries->size()) + " devices, more than " +
                                 std::to_string(kMaxReportDevices));
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    Result<ObservedDevice> device = ReadDevice(*doc, *(*entries)[i].value, i);
    if (!device.ok()) return device.status();
    devices.push_back(std::move(*device));
  }
  return devices;
}

}  // namespace gpufleet::codec
