#include "gpufleet/ledger/wire.h"

#include <nlohmann/json.hpp>
#include <set>

#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/checkpoint.h"

namespace gpufleet::ledger {
namespace {

// ordered_json: keys come out in the order written, the order wire.h documents.
using Json = nlohmann::ordered_json;

std::string_view AsText(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

Json HashesJson(const std::vector<Hash>& hashes) {
  Json out = Json::array();
  for (const Hash& h : hashes) out.push_back(Base64Encode(AsText(h)));
  return out;
}

Status Bad(std::string_view what, const std::string& why) {
  return Status::InvalidArgument(std::string(what) + ": " + why);
}

// OK when `j` is an object with exactly `keys`.
Status CheckKeys(const Json& j, std::string_view what,
                 const std::set<std::string, std::less<>>& keys) {
  if (!j.is_object()) return Bad(what, "not a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (!keys.contains(key)) return Bad(what, "unknown key '" + key + "'");
  }
  for (const std::string& key : keys) {
    if (!j.contains(key)) return Bad(what, "missing key '" + key + "'");
  }
  return Status::Ok();
}

Result<Json> ParseObject(std::string_view json, std::string_view what,
                         const std::set<std::string, std::less<>>& keys) {
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(what, "not JSON");
  GPUFLEET_RETURN_IF_ERROR(CheckKeys(j, what, keys));
  return j;
}

// A JSON integer in [0, kMaxCheckpointSize]: never a float, a string or a negative number.
Result<uint64_t> Size(const Json& j, std::string_view what, const std::string& key) {
  const Json& v = j.at(key);
  if (!v.is_number_unsigned() || v.get<uint64_t>() > kMaxCheckpointSize) {
    return Bad(what, "'" + key + "' is not an integer in [0, 2^63 - 1]");
  }
  return v.get<uint64_t>();
}

Result<std::vector<Hash>> Hashes(const Json& j, std::string_view what) {
  const Json& v = j.at("hashes");
  if (!v.is_array()) return Bad(what, "'hashes' is not an array");
  if (v.size() > kMaxProofHashes) {
    return Bad(what, "'hashes' has " + std::to_string(v.size()) + " elements, more than " +
                         std::to_string(kMaxProofHashes));
  }
  std::vector<Hash> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::optional<std::string> raw =
        v[i].is_string() ? Base64Decode(v[i].get<std::string>()) : std::nullopt;
    if (!raw || raw->size() != kHashSize) {
      return Bad(what, "hashes[" + std::to_string(i) + "] is not base64 of 32 bytes");
    }
    Hash h{};
    std::copy(raw->begin(), raw->end(), h.begin());
    out.push_back(h);
  }
  return out;
}

}  // namespace

std::string EncodeEntries(const std::vector<LogEntry>& entries) {
  Json list = Json::array();
  for (const LogEntry& e : entries) {
    list.push_back(Json{{"index", e.index}, {"data", Base64Encode(e.data)}});
  }
  return Json{{"entries", std::move(list)}}.dump();
}

std::string EncodeInclusionProof(const InclusionProofMessage& proof) {
  return Json{
      {"index", proof.index}, {"tree_size", proof.tree_size}, {"hashes", HashesJson(proof.hashes)}}
      .dump();
}

std::string EncodeConsistencyProof(const ConsistencyProofMessage& proof) {
  return Json{{"old_size", proof.old_size},
              {"new_size", proof.new_size},
              {"hashes", HashesJson(proof.hashes)}}
      .dump();
}

Result<std::vector<LogEntry>> DecodeEntries(std::string_view json) {
  constexpr std::string_view kWhat = "entries";
  Result<Json> j = ParseObject(json, kWhat, {"entries"});
  if (!j.ok()) return j.status();
  const Json& list = j->at("entries");
  if (!list.is_array()) return Bad(kWhat, "'entries' is not an array");
  std::vector<LogEntry> out;
  out.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "entries[" + std::to_string(i) + "]";
    const Json& entry = list[i];
    const Status keys = CheckKeys(entry, where, {"index", "data"});
    if (!keys.ok()) return Bad(kWhat, keys.message());
    Result<uint64_t> index = Size(entry, where, "index");
    if (!index.ok()) return Bad(kWhat, index.status().message());
    const Json& data = entry.at("data");
    std::optional<std::string> bytes =
        data.is_string() ? Base64Decode(data.get<std::string>()) : std::nullopt;
    if (!bytes) return Bad(kWhat, where + ".data is not base64");
    if (!out.empty() && *index != out.back().index + 1) {
      return Bad(kWhat, where + ".index is " + std::to_string(*index) + ", not " +
                            std::to_string(out.back().index + 1) + ": indexes must be consecutive");
    }
    out.push_back({*index, std::move(*bytes)});
  }
  return out;
}

Result<InclusionProofMessage> DecodeInclusionProof(std::string_view json) {
  constexpr std::string_view kWhat = "inclusion proof";
  Result<Json> j = ParseObject(json, kWhat, {"index", "tree_size", "hashes"});
  if (!j.ok()) return j.status();
  Result<uint64_t> index = Size(*j, kWhat, "index");
  if (!index.ok()) return index.status();
  Result<uint64_t> size = Size(*j, kWhat, "tree_size");
  if (!size.ok()) return size.status();
  if (*index >= *size) {
    return Bad(kWhat, "index " + std::to_string(*index) + " is not below tree_size " +
                          std::to_string(*size));
  }
  Result<std::vector<Hash>> hashes = Hashes(*j, kWhat);
  if (!hashes.ok()) return hashes.status();
  return InclusionProofMessage{*index, *size, std::move(*hashes)};
}

Result<ConsistencyProofMessage> DecodeConsistencyProof(std::string_view json) {
  constexpr std::string_view kWhat = "consistency proof";
  Result<Json> j = ParseObject(json, kWhat, {"old_size", "new_size", "hashes"});
  if (!j.ok()) return j.status();
  Result<uint64_t> old_size = Size(*j, kWhat, "old_size");
  if (!old_size.ok()) return old_size.status();
  Result<uint64_t> new_size = Size(*j, kWhat, "new_size");
  if (!new_size.ok()) return new_size.status();
  if (*old_size > *new_size) {
    return Bad(kWhat, "old_size " + std::to_string(*old_size) + " is above new_size " +
                          std::to_string(*new_size));
  }
  Result<std::vector<Hash>> hashes = Hashes(*j, kWhat);
  if (!hashes.ok()) return hashes.status();
  return ConsistencyProofMessage{*old_size, *new_size, std::move(*hashes)};
}

}  // namespace gpufleet::ledger
