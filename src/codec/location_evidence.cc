// The texts of location evidence (codec/location_evidence.h).

#include "gpufleet/codec/location_evidence.h"

#include <array>
#include <charconv>
#include <set>

#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::codec {
namespace {

constexpr std::string_view kEchoHeader = "gpufleet-echo/v1";
constexpr std::string_view kMeasurementHeader = "gpufleet-landmark-measurement/v1";
// The measurement's fields, in the one order they are written and read.
constexpr std::array<std::string_view, 7> kMeasurementKeys = {
    "landmark", "node", "nonce", "echo", "rtt_us", "samples", "measured_at_ms"};

Status LineError(size_t line, const std::string& what) {
  return Status::InvalidArgument("measurement line " + std::to_string(line) + ": " + what);
}

Result<int64_t> ParseCount(std::string_view text, size_t line, std::string_view key) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '-' || ec != std::errc() || ptr != end) {
    return LineError(
        line, std::string(key) + ": expected a non-negative integer, got '" + Excerpt(text) + "'");
  }
  return value;
}

Status CheckName(std::string_view text, size_t line, std::string_view key) {
  if (text.empty()) return LineError(line, std::string(key) + ": must not be empty");
  if (text.size() > kMaxEvidenceNameBytes) {
    return LineError(line, std::string(key) + ": " + std::to_string(text.size()) +
                               " bytes, more than " + std::to_string(kMaxEvidenceNameBytes));
  }
  if (ValidUtf8Prefix(text) != text.size()) {
    return LineError(line, std::string(key) + ": not UTF-8");
  }
  return Status::Ok();
}

Result<Landmark> ReadLandmark(const YamlMap& doc, const YamlNode& node, size_t index) {
  static constexpr std::array<std::string_view, 4> kKeys = {"name", "lat", "lon", "key"};
  if (!node.IsMap()) {
    return doc.ErrorAt(node, "landmarks", "each landmark must be a map, got " + node.Describe());
  }
  Result<YamlMap> entry =
      YamlMap::Read(node, doc.errors().WithContext("landmark " + std::to_string(index + 1)), "");
  if (!entry.ok()) return entry.status();
  GPUFLEET_RETURN_IF_ERROR(entry->CheckKeys(kKeys));
  GPUFLEET_RETURN_IF_ERROR(entry->RequireKeys(
      {"name", "lat", "lon", "key"}, "a landmark needs its name, coordinates and verifier key"));
  Landmark out;
  Result<std::string> name = entry->String("name");
  if (!name.ok()) return name.status();
  out.name = std::move(*name);
  Result<std::optional<double>> lat = entry->OptionalNumber("lat");
  if (!lat.ok()) return lat.status();
  Result<std::optional<double>> lon = entry->OptionalNumber("lon");
  if (!lon.ok()) return lon.status();
  if (**lat < -90 || **lat > 90) return entry->Error("lat", "must be in -90..90");
  if (**lon < -180 || **lon > 180) return entry->Error("lon", "must be in -180..180");
  out.lat = **lat;
  out.lon = **lon;
  Result<std::string> key = entry->String("key");
  if (!key.ok()) return key.status();
  out.verifier_key = std::move(*key);
  return out;
}

}  // namespace

std::string EchoMessage(std::string_view node, std::string_view nonce_hex) {
  std::string out(kEchoHeader);
  out += '\n';
  out += node;
  out += '\n';
  out += nonce_hex;
  out += '\n';
  return out;
}

bool IsEchoNonce(std::string_view text) {
  if (text.size() != 2 * kEchoNonceBytes) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string MeasurementText(const LandmarkMeasurement& m) {
  std::string out(kMeasurementHeader);
  out += "\nlandmark " + m.landmark + "\nnode " + m.node + "\nnonce " + m.nonce_hex + "\necho " +
         m.echo_signature_base64 + "\nrtt_us " + std::to_string(m.rtt_us) + "\nsamples " +
         std::to_string(m.samples) + "\nmeasured_at_ms " + std::to_string(m.measured_ms) + "\n";
  return out;
}

Result<LandmarkMeasurement> ParseMeasurementText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("measurement: must end with a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.front() != kMeasurementHeader) {
    return LineError(1, "expected '" + std::string(kMeasurementHeader) + "', got '" +
                            Excerpt(lines.front()) + "'");
  }
  if (lines.size() != kMeasurementKeys.size() + 1) {
    return Status::InvalidArgument("measurement: " + std::to_string(lines.size()) +
                                   " lines, expected " +
                                   std::to_string(kMeasurementKeys.size() + 1));
  }
  std::array<std::string_view, kMeasurementKeys.size()> values;
  for (size_t i = 0; i < kMeasurementKeys.size(); ++i) {
    const std::string_view line = lines[i + 1];
    const std::string prefix = std::string(kMeasurementKeys[i]) + " ";
    if (!line.starts_with(prefix)) {
      return LineError(i + 2, "expected '" + prefix + "...', got '" + Excerpt(line) + "'");
    }
    values[i] = line.substr(prefix.size());
  }
  LandmarkMeasurement m;
  GPUFLEET_RETURN_IF_ERROR(CheckName(values[0], 2, "landmark"));
  m.landmark = values[0];
  GPUFLEET_RETURN_IF_ERROR(CheckName(values[1], 3, "node"));
  m.node = values[1];
  if (!IsEchoNonce(values[2])) {
    return LineError(4, "nonce: expected " + std::to_string(2 * kEchoNonceBytes) +
                            " lowercase hex digits, got '" + Excerpt(values[2]) + "'");
  }
  m.nonce_hex = values[2];
  if (values[3].empty() || values[3].size() > kMaxEvidenceNameBytes) {
    return LineError(5, "echo: expected a base64 signature");
  }
  m.echo_signature_base64 = values[3];
  Result<int64_t> rtt = ParseCount(values[4], 6, "rtt_us");
  if (!rtt.ok()) return rtt.status();
  m.rtt_us = *rtt;
  Result<int64_t> samples = ParseCount(values[5], 7, "samples");
  if (!samples.ok()) return samples.status();
  if (*samples < 1 || *samples > kMaxMeasurementSamples) {
    return LineError(7, "samples: must be in 1.." + std::to_string(kMaxMeasurementSamples));
  }
  m.samples = static_cast<int32_t>(*samples);
  Result<int64_t> at = ParseCount(values[6], 8, "measured_at_ms");
  if (!at.ok()) return at.status();
  m.measured_ms = *at;
  return m;
}

Result<std::vector<Landmark>> ParseLandmarksYaml(std::string_view text, const std::string& file) {
  static constexpr std::array<std::string_view, 1> kDocumentKeys = {"landmarks"};
  Result<YamlNode> root = ParseYaml(text, file);
  if (!root.ok()) return root.status();
  const YamlErrors errors(file);
  if (!root->IsMap()) {
    return errors.Error(*root, "document",
                        "expected a map with a 'landmarks' list, got " + root->Describe());
  }
  Result<YamlMap> doc = YamlMap::Read(*root, errors, "document");
  if (!doc.ok()) return doc.status();
  GPUFLEET_RETURN_IF_ERROR(doc->CheckKeys(kDocumentKeys));
  const YamlField* list = doc->Find("landmarks");
  if (list == nullptr) return doc->Missing("landmarks", "list the landmarks to trust");
  Result<std::vector<YamlField>> entries = doc->ReadList(*list);
  if (!entries.ok()) return entries.status();
  if (entries->size() > kMaxLandmarks) {
    return doc->Error(*list, std::to_string(entries->size()) + " landmarks, more than " +
                                 std::to_string(kMaxLandmarks));
  }
  std::vector<Landmark> out;
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < entries->size(); ++i) {
    Result<Landmark> landmark = ReadLandmark(*doc, *(*entries)[i].value, i);
    if (!landmark.ok()) return landmark.status();
    if (!names.insert(landmark->name).second) {
      return doc->ErrorAt(*(*entries)[i].value, "landmarks",
                          "landmark '" + Excerpt(landmark->name) + "' listed twice");
    }
    out.push_back(std::move(*landmark));
  }
  return out;
}

}  // namespace gpufleet::codec
