// The node report's JSON writer and strict reader (codec/node_report_json.h).

#include "gpufleet/codec/node_report_json.h"

#include <initializer_list>
#include <string>
#include <string_view>

#include "gpufleet/model/utf8.h"

namespace gpufleet::codec {
namespace {

Status FieldError(const std::string& path, std::string_view what) {
  return Status::InvalidArgument("field '" + path + "': " + std::string(what));
}

std::string Join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// `value` must be an object with keys from `allowed` only.
Status CheckObject(const nlohmann::json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) {
    return path.empty() ? Status::InvalidArgument("the report must be a JSON object")
                        : FieldError(path, "expected an object");
  }
  for (const auto& [key, unused] : value.items()) {
    bool known = false;
    for (const std::string_view a : allowed) known = known || a == key;
    if (!known) {
      return Status::InvalidArgument("unknown field '" + Excerpt(Join(path, key)) + "'");
    }
  }
  return Status::Ok();
}

// The text at `key`; `required` says whether absence is an error (else "").
Status ReadText(const nlohmann::json& object, const std::string& path, std::string_view key,
                bool required, size_t max_bytes, std::string& out) {
  const std::string field = Join(path, key);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return Status::InvalidArgument("missing required field '" + field + "'");
    out.clear();
    return Status::Ok();
  }
  if (!it->is_string()) return FieldError(field, "expected a string");
  const std::string& text = it->get_ref<const std::string&>();
  if (text.size() > max_bytes) {
    return FieldError(
        field, std::to_string(text.size()) + " bytes, more than " + std::to_string(max_bytes));
  }
  out = text;
  return Status::Ok();
}

bool IsHex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Standard base64 with padding: the alphabet and a length divisible by four. Whether the bytes
// mean anything is the verifier's question, not the reader's.
bool LooksLikeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  const size_t pad = text.find('=');
  if (pad != std::string_view::npos) {
    if (text.size() - pad > 2) return false;
    for (size_t i = pad; i < text.size(); ++i) {
      if (text[i] != '=') return false;
    }
    text = text.substr(0, pad);
  }
  for (const char c : text) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alpha && !(c >= '0' && c <= '9') && c != '+' && c != '/') return false;
  }
  return true;
}

Result<AttestationEvidence> ReadAttestation(const nlohmann::json& value, const std::string& path) {
  GPUFLEET_RETURN_IF_ERROR(CheckObject(value, path, {"nonce", "report", "verified"}));
  AttestationEvidence evidence;
  GPUFLEET_RETURN_IF_ERROR(
      ReadText(value, path, "nonce", true, kMaxReportFieldBytes, evidence.nonce_hex));
  if (evidence.nonce_hex.empty() || !IsHex(evidence.nonce_hex)) {
    return FieldError(Join(path, "nonce"), "expected lowercase hex digits");
  }
  GPUFLEET_RETURN_IF_ERROR(
      ReadText(value, path, "report", true, kMaxAttestationBase64Bytes, evidence.report_base64));
  if (!LooksLikeBase64(evidence.report_base64)) {
    return FieldError(Join(path, "report"), "expected standard base64 with padding");
  }
  // A node cannot vouch for its own evidence: only the service's verifier may say verified.
  if (const auto it = value.find("verified"); it != value.end() && *it != false) {
    return FieldError(Join(path, "verified"), "must be false: a node cannot verify itself");
  }
  return evidence;
}

Result<ObservedDevice> ReadDevice(const nlohmann::json& value, const std::string& path) {
  GPUFLEET_RETURN_IF_ERROR(
      CheckObject(value, path,
                  {"vendor", "model", "serial", "uuid", "pci_bus_id", "board_part_number",
                   "memory_bytes", "driver_version", "firmware_version", "attestation"}));
  ObservedDevice d;
  const size_t max = kMaxReportFieldBytes;
  GPUFLEET_RETURN_IF_ERROR(ReadText(value, path, "vendor", true, max, d.vendor));
  GPUFLEET_RETURN_IF_ERROR(ReadText(value, path, "model", true, max, d.model));
  GPUFLEET_RETURN_IF_ERROR(ReadText(value, path, "serial", false, max, d.serial));
  GPUFLEET_RETURN_IF_ERROR(ReadText(value, path, "uuid", false, max, d.uuid));
  GPUFLEET_RETURN_IF_ERROR(ReadText(value, path, "pci_bus_id", false, max, d.pci_bus_id));
  GPUFLEET_RETURN_IF_ERROR(
      ReadText(value, path, "board_part_number", false, max, d.board_part_number));
  GPUFLEET_RETURN_IF_ERROR(ReadText(value, path, "driver_version", false, max, d.driver_version));
  GPUFLEET_RETURN_IF_ERROR(
      ReadText(value, path, "firmware_version", false, max, d.firmware_version));
  if (d.vendor.empty()) return FieldError(Join(path, "vendor"), "must not be empty");
  if (d.model.empty()) return FieldError(Join(path, "model"), "must not be empty");
  if (const auto it = value.find("memory_bytes"); it != value.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) {
      return FieldError(Join(path, "memory_bytes"), "expected a non-negative integer");
    }
    d.memory_bytes = it->get<uint64_t>();
  }
  if (const auto it = value.find("attestation"); it != value.end() && !it->is_null()) {
    Result<AttestationEvidence> evidence = ReadAttestation(*it, Join(path, "attestation"));
    if (!evidence.ok()) return evidence.status();
    d.attestation = std::move(*evidence);
  }
  return d;
}

}  // namespace

nlohmann::ordered_json NodeReportToJson(const NodeReport& report) {
  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  for (const ObservedDevice& d : report.devices) {
    nlohmann::ordered_json device = {{"vendor", d.vendor},
                                     {"model", d.model},
                                     {"serial", d.serial},
                                     {"uuid", d.uuid},
                                     {"pci_bus_id", d.pci_bus_id},
                                     {"board_part_number", d.board_part_number},
                                     {"memory_bytes", d.memory_bytes},
                                     {"driver_version", d.driver_version},
                                     {"firmware_version", d.firmware_version}};
    if (d.attestation) {
      device["attestation"] = {{"nonce", d.attestation->nonce_hex},
                               {"report", d.attestation->report_base64},
                               {"verified", false}};
    }
    devices.push_back(std::move(device));
  }
  nlohmann::ordered_json out = {{"node", report.node},
                                {"agent_version", report.agent_version},
                                {"provider", report.provider},
                                {"devices", std::move(devices)}};
  // Left out when empty, so that reports of agents without an echo read as before.
  if (!report.echo_key.empty()) out["echo_key"] = report.echo_key;
  return out;
}

Result<NodeReport> NodeReportFromJson(const nlohmann::json& value) {
  GPUFLEET_RETURN_IF_ERROR(
      CheckObject(value, "", {"node", "agent_version", "provider", "devices", "echo_key"}));
  NodeReport report;
  GPUFLEET_RETURN_IF_ERROR(ReadText(value, "", "node", true, kMaxReportFieldBytes, report.node));
  if (report.node.empty()) return FieldError("node", "must not be empty");
  GPUFLEET_RETURN_IF_ERROR(
      ReadText(value, "", "agent_version", false, kMaxReportFieldBytes, report.agent_version));
  GPUFLEET_RETURN_IF_ERROR(
      ReadText(value, "", "provider", true, kMaxReportFieldBytes, report.provider));
  const auto devices = value.find("devices");
  if (devices == value.end() || devices->is_null()) {
    return Status::InvalidArgument("missing required field 'devices'");
  }
  if (!devices->is_array()) return FieldError("devices", "expected a list");
  if (devices->size() > kMaxReportDevices) {
    return FieldError("devices", std::to_string(devices->size()) + " devices, more than " +
                                     std::to_string(kMaxReportDevices));
  }
  for (size_t i = 0; i < devices->size(); ++i) {
    Result<ObservedDevice> device = ReadDevice((*devices)[i], "devices[" + std::to_string(i) + "]");
    if (!device.ok()) return device.status();
    report.devices.push_back(std::move(*device));
  }
  GPUFLEET_RETURN_IF_ERROR(
      ReadText(value, "", "echo_key", false, kMaxReportFieldBytes, report.echo_key));
  return report;
}

}  // namespace gpufleet::codec
