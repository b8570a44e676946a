#pragma once
// The texts of location evidence (docs/agent.md, "Location evidence"), one writer and one
// strict reader each, so that the agent, the landmark and the service cannot disagree:
//
//   the echo a node's agent signs for a landmark's nonce (EchoMessage):
//     gpufleet-echo/v1\n<node>\n<nonce hex>\n
//   a landmark's measurement, the text of a signed note (ledger/note.h) by the landmark's key:
//     gpufleet-landmark-measurement/v1\n
//     landmark <name>\nnode <node>\nnonce <hex>\necho <base64 signature>\n
//     rtt_us <n>\nsamples <n>\nmeasured_at_ms <n>\n
//   the landmarks gpufleetd trusts (gpufleetd --landmarks, YAML):
//     landmarks:
//       - {name: shanghai, lat: 31.23, lon: 121.47, key: "shanghai+1a2b3c4d+AQ..."}
//
// The first line of each signed text names what it is, so that a signature made for one can
// never be taken for another (an echo is not a measurement, and neither is a checkpoint).
// Signing and checking are the callers' (ledger/note_key.h): this layer knows no keys.
//
// Thread safety: free functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/model/location_evidence.h"
#include "gpufleet/status.h"

namespace gpufleet::codec {

// A landmark's nonce: 32 random bytes, 64 hex digits. Fresh per echo, so an echo recorded
// earlier (or relayed from a node elsewhere, which would add its own delay) cannot answer it.
inline constexpr size_t kEchoNonceBytes = 32;
// Node and landmark names: as a report's text fields.
inline constexpr size_t kMaxEvidenceNameBytes = 256;
// More landmarks than any deployment runs (a few per region): a bound on the file.
inline constexpr size_t kMaxLandmarks = 1000;
// More echoes per measurement than is useful: the minimum settles within a few.
inline constexpr int32_t kMaxMeasurementSamples = 1000;

// The text a node signs for `nonce_hex`. REQUIRES: node has no newline.
std::string EchoMessage(std::string_view node, std::string_view nonce_hex);

// Whether `text` is kEchoNonceBytes bytes as lowercase hex.
bool IsEchoNonce(std::string_view text);

// The measurement's note text (ends with "\n"). REQUIRES: the names hold no newline.
std::string MeasurementText(const LandmarkMeasurement& m);

// Reads a measurement's note text strictly: the header line, then exactly the seven fields in
// order, names and node non-empty UTF-8 of at most kMaxEvidenceNameBytes, nonce by
// IsEchoNonce, rtt_us >= 0, samples 1..kMaxMeasurementSamples, measured_at_ms >= 0.
// InvalidArgument naming the line.
Result<LandmarkMeasurement> ParseMeasurementText(std::string_view text);

// Reads the landmarks file: names unique, non-empty; lat -90..90, lon -180..180; `key`
// required (checked as a key by the service, which knows the key format). InvalidArgument
// with file:line:column.
Result<std::vector<Landmark>> ParseLandmarksYaml(std::string_view text, const std::string& file);

}  // namespace gpufleet::codec
