#include "gpufleet/inventory/change.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "gpufleet/model/utf8.h"

namespace gpufleet::inventory {
namespace {

using Json = nlohmann::json;  // objects keep keys in std::map order: byte order for ASCII keys

constexpr int kVersion = 1;
constexpr std::string_view kKindNames[] = {"register",  "move",   "transfer", "lease_start",
                                           "lease_end", "retire", "lost",     "correct"};

Status Invalid(std::string_view field, const std::string& what) {
  return Status::InvalidArgument("change field '" + std::string(field) + "': " + what);
}

Json AssetJson(const Asset& a) {
  Json j = {{"serial", a.serial},
            {"model", a.model},
            {"site", a.site},
            {"node", a.node},
            {"owner", a.owner},
            {"operator", a.operator_org},
            {"holding", HoldingName(a.holding)},
            {"acquired", a.acquired.ToString()},
            {"arrival", ArrivalName(a.arrival)},
            {"from_country", a.from_country}};
  if (a.declared_memory_gb) j["declared_memory_gb"] = *a.declared_memory_gb;
  if (a.declared_tpp) j["declared_tpp"] = *a.declared_tpp;
  if (a.declared_dram_bw_gbs) j["declared_dram_bw_gbs"] = *a.declared_dram_bw_gbs;
  return j;
}

// The keys of `j` are exactly `required` plus any of `optional`.
Status CheckKeys(const Json& j, std::string_view what,
                 std::initializer_list<std::string_view> required,
                 std::initializer_list<std::string_view> optional) {
  if (!j.is_object()) return Status::InvalidArgument(std::string(what) + ": expected an object");
  std::set<std::string_view> known(required.begin(), required.end());
  known.insert(optional.begin(), optional.end());
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) {
      return Status::InvalidArgument(std::string(what) + ": unknown field '" + Excerpt(key) + "'");
    }
  }
  for (const std::string_view key : required) {
    if (!j.contains(key)) {
      return Status::InvalidArgument(std::string(what) + ": missing field '" + std::string(key) +
                                     "'");
    }
  }
  return Status::Ok();
}

Result<std::string> Text(const Json& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end()) return std::string();
  if (!it->is_string()) return Invalid(key, "expected a string");
  return it->get<std::string>();
}

Result<int64_t> Integer(const Json& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return Invalid(key, "expected an integer");
  return it->get<int64_t>();
}

Result<std::optional<double>> OptionalNumber(const Json& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end()) return std::optional<double>();
  if (!it->is_number()) return Invalid(key, "expected a number");
  return std::optional<double>(it->get<double>());
}

Result<Asset> AssetFrom(const Json& j) {
  GPUFLEET_RETURN_IF_ERROR(
      CheckKeys(j, "change field 'asset'",
                {"serial", "model", "site", "node", "owner", "operator", "holding", "acquired",
                 "arrival", "from_country"},
                {"declared_memory_gb", "declared_tpp", "declared_dram_bw_gbs"}));
  Asset a;
  for (const auto& [key, out] :
       {std::pair{"serial", &a.serial}, std::pair{"model", &a.model}, std::pair{"site", &a.site},
        std::pair{"node", &a.node}, std::pair{"owner", &a.owner},
        std::pair{"operator", &a.operator_org}, std::pair{"from_country", &a.from_country}}) {
    Result<std::string> v = Text(j, key);
    if (!v.ok()) return v.status();
    *out = std::move(*v);
  }
  Result<std::string> holding = Text(j, "holding");
  if (!holding.ok()) return holding.status();
  const std::optional<Holding> h = ParseHolding(*holding);
  if (!h) return Invalid("asset.holding", "unknown '" + Excerpt(*holding) + "'");
  a.holding = *h;
  Result<std::string> arrival = Text(j, "arrival");
  if (!arrival.ok()) return arrival.status();
  const std::optional<Arrival> arr = ParseArrival(*arrival);
  if (!arr) return Invalid("asset.arrival", "unknown '" + Excerpt(*arrival) + "'");
  a.arrival = *arr;
  Result<std::string> acquired = Text(j, "acquired");
  if (!acquired.ok()) return acquired.status();
  Result<Date> date = Date::Parse(*acquired);
  if (!date.ok()) return Invalid("asset.acquired", date.status().message());
  a.acquired = *date;
  for (const auto& [key, out] : {std::pair{"declared_memory_gb", &a.declared_memory_gb},
                                 std::pair{"declared_tpp", &a.declared_tpp},
                                 std::pair{"declared_dram_bw_gbs", &a.declared_dram_bw_gbs}}) {
    Result<std::optional<double>> v = OptionalNumber(j, key);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  return a;
}

}  // namespace

std::string_view ChangeKindName(ChangeKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<ChangeKind> ParseChangeKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (kKindNames[i] == name) return static_cast<ChangeKind>(i);
  }
  return std::nullopt;
}

Status Validate(const Change& c) {
  if (c.serial.empty()) return Invalid("serial", "must not be empty");
  // The encoding is JSON text: every string must be UTF-8 for Decode(Encode(c)) == c.
  std::vector<std::pair<std::string_view, const std::string*>> texts = {
      {"serial", &c.serial}, {"actor", &c.actor},
      {"reason", &c.reason}, {"licence", &c.licence},
      {"site", &c.site},     {"node", &c.node},
      {"owner", &c.owner},   {"operator", &c.operator_org},
      {"how", &c.how}};
  if (c.asset) {
    for (const auto& [name, text] :
         {std::pair{"asset.model", &c.asset->model}, std::pair{"asset.site", &c.asset->site},
          std::pair{"asset.node", &c.asset->node}, std::pair{"asset.owner", &c.asset->owner},
          std::pair{"asset.operator", &c.asset->operator_org},
          std::pair{"asset.from_country", &c.asset->from_country}}) {
      texts.emplace_back(name, text);
    }
  }
  for (const auto& [name, text] : texts) {
    if (ValidUtf8Prefix(*text) != text->size()) return Invalid(name, "is not valid UTF-8");
  }
  if (c.effective_ms < 0) return Invalid("effective_ms", "must not be negative");
  if (c.recorded_ms < 0) return Invalid("recorded_ms", "must not be negative");
  const bool registers = c.kind == ChangeKind::kRegister;
  const bool corrects = c.kind == ChangeKind::kCorrect;
  if ((registers || corrects) != c.asset.has_value()) {
    return Invalid("asset", registers || corrects ? "required" : "only for register and correct");
  }
  if (c.asset && c.asset->serial != c.serial) return Invalid("asset.serial", "differs from serial");
  if ((c.kind == ChangeKind::kMove) != !c.site.empty()) {
    return Invalid("site", c.kind == ChangeKind::kMove ? "required" : "only for move");
  }
  if (c.kind != ChangeKind::kMove && !c.node.empty()) return Invalid("node", "only for move");
  if ((c.kind == ChangeKind::kTransfer) != !c.owner.empty()) {
    return Invalid("owner", c.kind == ChangeKind::kTransfer ? "required" : "only for transfer");
  }
  if (c.kind == ChangeKind::kLeaseStart && c.operator_org.empty()) {
    return Invalid("operator", "required for lease_start");
  }
  if (c.kind != ChangeKind::kLeaseStart && c.kind != ChangeKind::kTransfer &&
      !c.operator_org.empty()) {
    return Invalid("operator", "only for transfer and lease_start");
  }
  if ((c.kind == ChangeKind::kLeaseStart) != c.holding.has_value()) {
    return Invalid("holding",
                   c.kind == ChangeKind::kLeaseStart ? "required" : "only for lease_start");
  }
  if (c.holding == Holding::kOwned) return Invalid("holding", "a lease is leased or rented_remote");
  if (c.kind == ChangeKind::kLost ? (c.how != "lost" && c.how != "stolen") : !c.how.empty()) {
    return Invalid("how", c.kind == ChangeKind::kLost ? "'lost' or 'stolen'" : "only for lost");
  }
  if (corrects != (c.corrects >= 0)) {
    return Invalid("corrects",
                   corrects ? "required: the index of the entry corrected" : "only for correct");
  }
  if (corrects && c.reason.empty()) return Invalid("reason", "a correction says why");
  return Status::Ok();
}

std::string Encode(const Change& c) {
  Json j = {{"v", kVersion},
            {"kind", ChangeKindName(c.kind)},
            {"serial", c.serial},
            {"effective_ms", c.effective_ms},
            {"recorded_ms", c.recorded_ms},
            {"actor", c.actor}};
  if (!c.reason.empty()) j["reason"] = c.reason;
  if (!c.licence.empty()) j["licence"] = c.licence;
  if (c.asset) j["asset"] = AssetJson(*c.asset);
  if (!c.site.empty()) j["site"] = c.site;
  if (!c.node.empty()) j["node"] = c.node;
  if (!c.owner.empty()) j["owner"] = c.owner;
  if (!c.operator_org.empty()) j["operator"] = c.operator_org;
  if (c.holding) j["holding"] = HoldingName(*c.holding);
  if (!c.how.empty()) j["how"] = c.how;
  if (c.corrects >= 0) j["corrects"] = c.corrects;
  return j.dump(-1, ' ', false, Json::error_handler_t::strict);
}

Result<Change> Decode(std::string_view bytes) {
  Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("change: not JSON");
  GPUFLEET_RETURN_IF_ERROR(
      CheckKeys(j, "change", {"v", "kind", "serial", "effective_ms", "recorded_ms", "actor"},
                {"reason", "licence", "asset", "site", "node", "owner", "operator", "holding",
                 "how", "corrects"}));
  Result<int64_t> version = Integer(j, "v");
  if (!version.ok()) return version.status();
  if (*version != kVersion) {
    return Invalid("v", "version " + std::to_string(*version) + " is not 1");
  }
  Change c;
  Result<std::string> kind = Text(j, "kind");
  if (!kind.ok()) return kind.status();
  const std::optional<ChangeKind> k = ParseChangeKind(*kind);
  if (!k) return Invalid("kind", "unknown '" + Excerpt(*kind) + "'");
  c.kind = *k;
  for (const auto& [key, out] :
       {std::pair{"serial", &c.serial}, std::pair{"actor", &c.actor},
        std::pair{"reason", &c.reason}, std::pair{"licence", &c.licence},
        std::pair{"site", &c.site}, std::pair{"node", &c.node}, std::pair{"owner", &c.owner},
        std::pair{"operator", &c.operator_org}, std::pair{"how", &c.how}}) {
    Result<std::string> v = Text(j, key);
    if (!v.ok()) return v.status();
    *out = std::move(*v);
  }
  for (const auto& [key, out] :
       {std::pair{"effective_ms", &c.effective_ms}, std::pair{"recorded_ms", &c.recorded_ms}}) {
    Result<int64_t> v = Integer(j, key);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  if (j.contains("corrects")) {
    Result<int64_t> v = Integer(j, "corrects");
    if (!v.ok()) return v.status();
    if (*v < 0) return Invalid("corrects", "must not be negative");
    c.corrects = *v;
  }
  if (j.contains("holding")) {
    Result<std::string> h = Text(j, "holding");
    if (!h.ok()) return h.status();
    const std::optional<Holding> holding = ParseHolding(*h);
    if (!holding) return Invalid("holding", "unknown '" + Excerpt(*h) + "'");
    c.holding = holding;
  }
  if (j.contains("asset")) {
    Result<Asset> asset = AssetFrom(j["asset"]);
    if (!asset.ok()) return asset.status();
    c.asset = std::move(*asset);
  }
  GPUFLEET_RETURN_IF_ERROR(Validate(c));
  // One change, one byte string: whitespace, key order, "1.0" for 1 and the like would let
  // two different leaves mean the same change.
  if (Encode(c) != bytes) return Status::InvalidArgument("change: not in canonical form");
  return c;
}

}  // namespace gpufleet::inventory
