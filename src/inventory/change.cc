#include "gpufleet/inventory/change.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "gpufleet/model/country_code.h"
#include "gpufleet/model/utf8.h"
#include "inventory/field_text.h"

namespace gpufleet::inventory {
namespace {

using Json = nlohmann::json;  // objects keep keys in std::map order: byte order for ASCII keys

constexpr int kVersion = 1;
constexpr std::string_view kKindNames[] = {
    "register",      "move",          "transfer", "lease_start",   "lease_end", "retire",
    "lost",          "correct",       "org",      "site",          "node",      "rule_change",
    "rule_withdraw", "rules_shipped", "finding",  "finding_update"};

Status Invalid(std::string_view field, const std::string& what) {
  return Status::InvalidArgument("change field '" + std::string(field) + "': " + what);
}

// A SHA-256 as HexHash writes it: 64 lower-case hex digits (one spelling per hash).
bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

Status ValidateRulesShipped(const RulesShippedRecord& r) {
  if (!IsSha256Hex(r.new_hash)) {
    return Invalid("rules_shipped.new_hash", "expected 64 lower-case hex digits (SHA-256)");
  }
  if (!r.old_hash.empty() && !IsSha256Hex(r.old_hash)) {
    return Invalid("rules_shipped.old_hash", "expected 64 lower-case hex digits (SHA-256) or none");
  }
  if (!r.layered_hash.empty() && !IsSha256Hex(r.layered_hash)) {
    return Invalid("rules_shipped.layered_hash",
                   "expected 64 lower-case hex digits (SHA-256) or none");
  }
  if (r.old_hash == r.new_hash && r.downgrade) {
    return Invalid("rules_shipped.downgrade", "the same file is no downgrade");
  }
  if (!r.compiled.empty()) {
    // The canonical spelling too, so that the stamp compares as text and as a date alike.
    const Result<Date> d = Date::Parse(r.compiled);
    if (!d.ok() || d->ToString() != r.compiled) {
      return Invalid("rules_shipped.compiled", "expected a date YYYY-MM-DD or none");
    }
  }
  if (r.binary_version.empty()) return Invalid("rules_shipped.binary_version", "must not be empty");
  if (ValidUtf8Prefix(r.binary_version) != r.binary_version.size()) {
    return Invalid("rules_shipped.binary_version", "is not valid UTF-8");
  }
  if (r.downgrade && r.old_hash.empty()) {
    return Invalid("rules_shipped.downgrade", "a downgrade names the file it replaces");
  }
  return Status::Ok();
}

Json RulesShippedJson(const RulesShippedRecord& r) {
  Json j = {{"new_hash", r.new_hash}, {"binary_version", r.binary_version}};
  if (!r.old_hash.empty()) j["old_hash"] = r.old_hash;
  if (!r.compiled.empty()) j["compiled"] = r.compiled;
  if (r.downgrade) j["downgrade"] = true;
  if (!r.layered_hash.empty()) j["layered_hash"] = r.layered_hash;
  return j;
}

constexpr std::string_view kFindingSources[] = {"agent", "ledger", "landmark"};
constexpr std::string_view kFindingActions[] = {"record", "quarantine_device", "quarantine_node"};
constexpr std::string_view kFindingStates[] = {"acknowledged", "resolved"};

bool OneOf(std::string_view s, std::span<const std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

Status ValidateFinding(const FindingRecord& f, bool opening) {
  if (!f.id.starts_with("f-") || f.id.size() < 3 ||
      !std::all_of(f.id.begin() + 2, f.id.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return Invalid("finding.id", "expected f-<number>");
  }
  const auto only_opening = [&](std::string_view field, bool present) -> Status {
    if (opening == present) return Status::Ok();
    return Invalid(field, opening ? "required" : "only when a finding is opened");
  };
  GPUFLEET_RETURN_IF_ERROR(only_opening("finding.kind", !f.kind.empty()));
  GPUFLEET_RETURN_IF_ERROR(only_opening("finding.source", !f.source.empty()));
  GPUFLEET_RETURN_IF_ERROR(only_opening("finding.subject", !f.subject.empty()));
  GPUFLEET_RETURN_IF_ERROR(only_opening("finding.detail", !f.detail.empty()));
  GPUFLEET_RETURN_IF_ERROR(only_opening("finding.action", !f.action.empty()));
  if (opening) {
    if (f.kind.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
      return Invalid("finding.kind", "expected lower-case letters and '_'");
    }
    if (!OneOf(f.source, kFindingSources))
      return Invalid("finding.source", "agent, ledger or landmark");
    if (!OneOf(f.action, kFindingActions)) {
      return Invalid("finding.action", "record, quarantine_device or quarantine_node");
    }
    if (f.action == "quarantine_device" && f.serial.empty()) {
      return Invalid("finding.serial", "a device quarantine names the device");
    }
    if (f.action == "quarantine_node" && f.node.empty()) {
      return Invalid("finding.node", "a node quarantine names the node");
    }
    if (!f.state.empty() || f.release) return Invalid("finding.state", "only in an update");
  } else if (f.state.empty() == !f.release) {
    return Invalid("finding.state", "an update either sets a state or releases, not both");
  } else if (!f.state.empty() && !OneOf(f.state, kFindingStates)) {
    return Invalid("finding.state", "acknowledged or resolved");
  }
  if (!opening && (!f.serial.empty() || !f.node.empty() || !f.evidence.empty())) {
    return Invalid("finding", "an update names the id and its state or release only");
  }
  std::vector<const std::string*> texts = {&f.subject, &f.serial, &f.node, &f.detail};
  for (const std::string& e : f.evidence) texts.push_back(&e);
  for (const std::string* t : texts) {
    if (ValidUtf8Prefix(*t) != t->size()) return Invalid("finding", "text is not valid UTF-8");
  }
  return Status::Ok();
}

Json FindingJson(const FindingRecord& f) {
  Json j = {{"id", f.id}};
  for (const auto& [key, text] : {std::pair{"kind", &f.kind}, std::pair{"source", &f.source},
                                  std::pair{"subject", &f.subject}, std::pair{"serial", &f.serial},
                                  std::pair{"node", &f.node}, std::pair{"detail", &f.detail},
                                  std::pair{"action", &f.action}, std::pair{"state", &f.state}}) {
    if (!text->empty()) j[key] = *text;
  }
  if (!f.evidence.empty()) j["evidence"] = f.evidence;
  if (f.release) j["release"] = true;
  return j;
}

Json AssetObject(const Asset& a) {
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

Json OrgJson(const Organisation& o) {
  return {{"id", o.id},
          {"name", o.name},
          {"kind", OrgKindName(o.kind)},
          {"parent", o.parent},
          {"hq_country", o.hq_country}};
}

Json SiteJson(const Site& s) {
  Json j = {{"id", s.id},
            {"name", s.name},
            {"country", s.country},
            {"region", s.region},
            {"provider", s.provider},
            {"ownership", SiteOwnershipName(s.ownership)},
            {"state_funded", s.state_funded},
            {"public_hub", s.public_hub}};
  if (s.project_completion_pct) j["project_completion_pct"] = *s.project_completion_pct;
  if (s.lat) j["lat"] = *s.lat;
  if (s.lon) j["lon"] = *s.lon;
  return j;
}

Json NodeJson(const Node& n) {
  return {{"id", n.id},
          {"site", n.site},
          {"host_name", n.host_name},
          {"cpu_cores", n.cpu_cores},
          {"memory_gib", n.memory_gib}};
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

Result<bool> Boolean(const Json& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return Invalid(key, "expected true or false");
  return it->get<bool>();
}

// Reads the string fields `keys` of `j` into their outputs.
Status Texts(const Json& j, std::initializer_list<std::pair<const char*, std::string*>> keys) {
  for (const auto& [key, out] : keys) {
    Result<std::string> v = Text(j, key);
    if (!v.ok()) return v.status();
    *out = std::move(*v);
  }
  return Status::Ok();
}

Result<Organisation> OrgFrom(const Json& j) {
  GPUFLEET_RETURN_IF_ERROR(CheckKeys(j, "change field 'organisation'",
                                     {"id", "name", "kind", "parent", "hq_country"}, {}));
  Organisation o;
  std::string kind;
  GPUFLEET_RETURN_IF_ERROR(Texts(j, {{"id", &o.id},
                                     {"name", &o.name},
                                     {"kind", &kind},
                                     {"parent", &o.parent},
                                     {"hq_country", &o.hq_country}}));
  const std::optional<OrgKind> k = ParseOrgKind(kind);
  if (!k) return Invalid("organisation.kind", "unknown '" + Excerpt(kind) + "'");
  o.kind = *k;
  return o;
}

Result<Site> SiteFrom(const Json& j) {
  GPUFLEET_RETURN_IF_ERROR(CheckKeys(
      j, "change field 'place'",
      {"id", "name", "country", "region", "provider", "ownership", "state_funded", "public_hub"},
      {"project_completion_pct", "lat", "lon"}));
  Site s;
  std::string ownership;
  GPUFLEET_RETURN_IF_ERROR(Texts(j, {{"id", &s.id},
                                     {"name", &s.name},
                                     {"country", &s.country},
                                     {"region", &s.region},
                                     {"provider", &s.provider},
                                     {"ownership", &ownership}}));
  const std::optional<SiteOwnership> own = ParseSiteOwnership(ownership);
  if (!own) return Invalid("place.ownership", "unknown '" + Excerpt(ownership) + "'");
  s.ownership = *own;
  for (const auto& [key, out] :
       {std::pair{"state_funded", &s.state_funded}, std::pair{"public_hub", &s.public_hub}}) {
    Result<bool> v = Boolean(j, key);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  for (const auto& [key, out] : {std::pair{"project_completion_pct", &s.project_completion_pct},
                                 std::pair{"lat", &s.lat}, std::pair{"lon", &s.lon}}) {
    Result<std::optional<double>> v = OptionalNumber(j, key);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  return s;
}

Result<Node> NodeFrom(const Json& j) {
  GPUFLEET_RETURN_IF_ERROR(CheckKeys(j, "change field 'host'",
                                     {"id", "site", "host_name", "cpu_cores", "memory_gib"}, {}));
  Node n;
  GPUFLEET_RETURN_IF_ERROR(
      Texts(j, {{"id", &n.id}, {"site", &n.site}, {"host_name", &n.host_name}}));
  for (const auto& [key, out] :
       {std::pair{"cpu_cores", &n.cpu_cores}, std::pair{"memory_gib", &n.memory_gib}}) {
    Result<int64_t> v = Integer(j, key);
    if (!v.ok()) return v.status();
    if (*v < 0 || *v > kMaxNodeMemoryGib)
      return Invalid(std::string("host.") + key, "out of range");
    *out = static_cast<int32_t>(*v);
  }
  return n;
}

Status ValidateNode(const Node& n) {
  if (n.id.empty()) return Invalid("host.id", "must not be empty");
  if (!IsSlug(n.site))
    return Invalid("host.site", "expected a site id, got '" + Excerpt(n.site) + "'");
  if (n.cpu_cores < 1 || n.cpu_cores > kMaxNodeCpuCores) {
    return Invalid("host.cpu_cores", "expected 1 to " + std::to_string(kMaxNodeCpuCores));
  }
  if (n.memory_gib < 1 || n.memory_gib > kMaxNodeMemoryGib) {
    return Invalid("host.memory_gib", "expected 1 to " + std::to_string(kMaxNodeMemoryGib));
  }
  return Status::Ok();
}

Status ValidateOrg(const Organisation& o) {
  if (!IsSlug(o.id))
    return Invalid("organisation.id", "expected a slug, got '" + Excerpt(o.id) + "'");
  if (o.name.empty()) return Invalid("organisation.name", "must not be empty");
  if (!o.parent.empty() && (!IsSlug(o.parent) || o.parent == o.id)) {
    return Invalid("organisation.parent", "expected another organisation's id");
  }
  if (o.kind == OrgKind::kSubsidiary && o.parent.empty()) {
    return Invalid("organisation.parent", "a subsidiary names its parent");
  }
  if (!IsCountryCode(o.hq_country)) {
    return Invalid("organisation.hq_country",
                   "expected an ISO 3166-1 alpha-2 code, got '" + Excerpt(o.hq_country) + "'");
  }
  return Status::Ok();
}

Status ValidateSite(const Site& s) {
  if (!IsSlug(s.id)) return Invalid("place.id", "expected a slug, got '" + Excerpt(s.id) + "'");
  if (s.name.empty()) return Invalid("place.name", "must not be empty");
  if (!IsCountryCode(s.country)) {
    return Invalid("place.country",
                   "expected an ISO 3166-1 alpha-2 code, got '" + Excerpt(s.country) + "'");
  }
  if (s.ownership == SiteOwnership::kRented && s.provider.empty()) {
    return Invalid("place.provider", "a rented site names the provider it rents from");
  }
  if (s.project_completion_pct &&
      !(*s.project_completion_pct >= 0 && *s.project_completion_pct <= 100)) {
    return Invalid("place.project_completion_pct", "expected 0 to 100");
  }
  if (s.lat.has_value() != s.lon.has_value())
    return Invalid("place.lat", "lat and lon go together");
  if (s.lat && !(*s.lat >= -90 && *s.lat <= 90)) return Invalid("place.lat", "expected -90 to 90");
  if (s.lon && !(*s.lon >= -180 && *s.lon <= 180)) {
    return Invalid("place.lon", "expected -180 to 180");
  }
  return Status::Ok();
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

std::string EncodeAsset(const Asset& asset) {
  return AssetObject(asset).dump(-1, ' ', false, Json::error_handler_t::strict);
}

Result<Asset> DecodeAsset(std::string_view bytes) {
  Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("asset: not JSON");
  Result<Asset> asset = AssetFrom(j);
  if (!asset.ok()) return asset.status();
  if (EncodeAsset(*asset) != bytes) return Status::InvalidArgument("asset: not in canonical form");
  return asset;
}

std::string_view ChangeKindName(ChangeKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<ChangeKind> ParseChangeKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (kKindNames[i] == name) return static_cast<ChangeKind>(i);
  }
  return std::nullopt;
}

std::string Subject(const Change& c) {
  if (c.kind == ChangeKind::kOrg) return "org:" + (c.organisation ? c.organisation->id : "");
  if (c.kind == ChangeKind::kSite) return "site:" + (c.place ? c.place->id : "");
  if (c.kind == ChangeKind::kNode) return "node:" + (c.host ? c.host->site + "/" + c.host->id : "");
  if (c.rule_change) return "rules:" + c.rule_change->id;
  if (c.kind == ChangeKind::kRulesShipped) return "rules:shipped";
  if (c.finding) return "finding:" + c.finding->id;
  return c.serial;
}

Status Validate(const Change& c) {
  const bool org = c.kind == ChangeKind::kOrg;
  const bool site = c.kind == ChangeKind::kSite;
  if (org != c.organisation.has_value()) {
    return Invalid("organisation", org ? "required" : "only for org");
  }
  if (site != c.place.has_value()) return Invalid("place", site ? "required" : "only for site");
  const bool node = c.kind == ChangeKind::kNode;
  if (node != c.host.has_value()) return Invalid("host", node ? "required" : "only for node");
  const bool shipped = c.kind == ChangeKind::kRulesShipped;
  if (shipped != c.rules_shipped.has_value()) {
    return Invalid("rules_shipped", shipped ? "required" : "only for rules_shipped");
  }
  if (shipped) GPUFLEET_RETURN_IF_ERROR(ValidateRulesShipped(*c.rules_shipped));
  const bool finding = IsFindingEntry(c);
  if (finding != c.finding.has_value()) {
    return Invalid("finding", finding ? "required" : "only for finding and finding_update");
  }
  if (finding) {
    GPUFLEET_RETURN_IF_ERROR(ValidateFinding(*c.finding, c.kind == ChangeKind::kFinding));
  }
  const bool rules = c.kind == ChangeKind::kRuleChange || c.kind == ChangeKind::kRuleWithdraw;
  if (rules != c.rule_change.has_value()) {
    return Invalid("rule_change", rules ? "required" : "only for rule_change and rule_withdraw");
  }
  if (rules) {
    const RuleChangeRecord& r = *c.rule_change;
    if (r.id.empty()) return Invalid("rule_change.id", "must not be empty");
    const bool full = c.kind == ChangeKind::kRuleChange;
    if (full == r.name.empty()) {
      return Invalid("rule_change.name", full ? "must not be empty" : "only for rule_change");
    }
    if (full == r.document.empty()) {
      return Invalid("rule_change.document", full ? "must not be empty" : "only for rule_change");
    }
    for (const auto& [name, text] :
         {std::pair{"rule_change.id", &r.id}, std::pair{"rule_change.name", &r.name},
          std::pair{"rule_change.document", &r.document}}) {
      if (ValidUtf8Prefix(*text) != text->size()) return Invalid(name, "is not valid UTF-8");
    }
  }
  if (org || site || node || rules || shipped || finding) {
    if (!c.serial.empty()) return Invalid("serial", "not for org, site, node, rules or findings");
  } else if (c.serial.empty()) {
    return Invalid("serial", "must not be empty");
  }
  if (c.verdict.empty() && !c.verdict_rules.empty()) {
    return Invalid("rules", "only with a verdict");
  }
  // The encoding is JSON text: every string must be UTF-8 for Decode(Encode(c)) == c.
  std::vector<std::pair<std::string_view, const std::string*>> texts = {
      {"serial", &c.serial}, {"actor", &c.actor},
      {"reason", &c.reason}, {"licence", &c.licence},
      {"site", &c.site},     {"node", &c.node},
      {"owner", &c.owner},   {"operator", &c.operator_org},
      {"how", &c.how},       {"verdict", &c.verdict}};
  for (const std::string& rule : c.verdict_rules) texts.emplace_back("rules", &rule);
  if (c.organisation) {
    for (const auto& [name, text] : {std::pair{"organisation.name", &c.organisation->name},
                                     std::pair{"organisation.id", &c.organisation->id}}) {
      texts.emplace_back(name, text);
    }
  }
  if (c.host) {
    texts.emplace_back("host.id", &c.host->id);
    texts.emplace_back("host.host_name", &c.host->host_name);
  }
  if (c.place) {
    for (const auto& [name, text] :
         {std::pair{"place.name", &c.place->name}, std::pair{"place.region", &c.place->region},
          std::pair{"place.provider", &c.place->provider}}) {
      texts.emplace_back(name, text);
    }
  }
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
  if (c.organisation) return ValidateOrg(*c.organisation);
  if (c.place) return ValidateSite(*c.place);
  if (c.host) return ValidateNode(*c.host);
  return Status::Ok();
}

Json AssetToJson(const Asset& asset) { return AssetObject(asset); }

std::string Encode(const Change& c) {
  return ChangeToJson(c).dump(-1, ' ', false, Json::error_handler_t::strict);
}

Json ChangeToJson(const Change& c) {
  Json j = {{"v", kVersion},
            {"kind", ChangeKindName(c.kind)},
            {"effective_ms", c.effective_ms},
            {"recorded_ms", c.recorded_ms},
            {"actor", c.actor}};
  if (!c.serial.empty()) j["serial"] = c.serial;
  if (!c.verdict.empty()) j["verdict"] = c.verdict;
  if (!c.verdict_rules.empty()) j["rules"] = c.verdict_rules;
  if (c.organisation) j["organisation"] = OrgJson(*c.organisation);
  if (c.place) j["place"] = SiteJson(*c.place);
  if (c.host) j["host"] = NodeJson(*c.host);
  if (c.rule_change) {
    Json r = {{"id", c.rule_change->id}};
    if (!c.rule_change->name.empty()) r["name"] = c.rule_change->name;
    if (!c.rule_change->document.empty()) r["document"] = c.rule_change->document;
    j["rule_change"] = std::move(r);
  }
  if (c.rules_shipped) j["rules_shipped"] = RulesShippedJson(*c.rules_shipped);
  if (c.finding) j["finding"] = FindingJson(*c.finding);
  if (!c.reason.empty()) j["reason"] = c.reason;
  if (!c.licence.empty()) j["licence"] = c.licence;
  if (c.asset) j["asset"] = AssetObject(*c.asset);
  if (!c.site.empty()) j["site"] = c.site;
  if (!c.node.empty()) j["node"] = c.node;
  if (!c.owner.empty()) j["owner"] = c.owner;
  if (!c.operator_org.empty()) j["operator"] = c.operator_org;
  if (c.holding) j["holding"] = HoldingName(*c.holding);
  if (!c.how.empty()) j["how"] = c.how;
  if (c.corrects >= 0) j["corrects"] = c.corrects;
  return j;
}

Result<Change> Decode(std::string_view bytes) {
  Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("change: not JSON");
  Result<Change> c = ChangeFromJson(j);
  if (!c.ok()) return c.status();
  // One change, one byte string: whitespace, key order, "1.0" for 1 and the like would let
  // two different leaves mean the same change.
  if (Encode(*c) != bytes) return Status::InvalidArgument("change: not in canonical form");
  return c;
}

Result<Change> ChangeFromJson(const Json& j) {
  GPUFLEET_RETURN_IF_ERROR(
      CheckKeys(j, "change", {"v", "kind", "effective_ms", "recorded_ms", "actor"},
                {"serial", "reason", "licence", "verdict", "rules", "asset", "site", "node",
                 "owner", "operator", "holding", "how", "corrects", "organisation", "place", "host",
                 "rule_change", "rules_shipped", "finding"}));
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
        std::pair{"operator", &c.operator_org}, std::pair{"how", &c.how},
        std::pair{"verdict", &c.verdict}}) {
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
  if (j.contains("rules")) {
    const Json& rules = j.at("rules");
    if (!rules.is_array()) return Invalid("rules", "expected a list of rule ids");
    for (const Json& r : rules) {
      if (!r.is_string()) return Invalid("rules", "expected a list of rule ids");
      c.verdict_rules.push_back(r.get<std::string>());
    }
  }
  if (j.contains("organisation")) {
    Result<Organisation> o = OrgFrom(j.at("organisation"));
    if (!o.ok()) return o.status();
    c.organisation = std::move(*o);
  }
  if (j.contains("host")) {
    Result<Node> n = NodeFrom(j.at("host"));
    if (!n.ok()) return n.status();
    c.host = std::move(*n);
  }
  if (j.contains("rule_change")) {
    const Json& r = j.at("rule_change");
    GPUFLEET_RETURN_IF_ERROR(
        CheckKeys(r, "change field 'rule_change'", {"id"}, {"name", "document"}));
    RuleChangeRecord rc;
    for (const auto& [key, out] : {std::pair{"id", &rc.id}, std::pair{"name", &rc.name},
                                   std::pair{"document", &rc.document}}) {
      Result<std::string> v = Text(r, key);
      if (!v.ok()) return v.status();
      *out = std::move(*v);
    }
    c.rule_change = std::move(rc);
  }
  if (j.contains("rules_shipped")) {
    const Json& r = j.at("rules_shipped");
    GPUFLEET_RETURN_IF_ERROR(CheckKeys(r, "change field 'rules_shipped'",
                                       {"new_hash", "binary_version"},
                                       {"old_hash", "compiled", "downgrade", "layered_hash"}));
    RulesShippedRecord rs;
    for (const auto& [key, out] :
         {std::pair{"new_hash", &rs.new_hash}, std::pair{"old_hash", &rs.old_hash},
          std::pair{"compiled", &rs.compiled}, std::pair{"binary_version", &rs.binary_version},
          std::pair{"layered_hash", &rs.layered_hash}}) {
      Result<std::string> v = Text(r, key);
      if (!v.ok()) return v.status();
      *out = std::move(*v);
    }
    if (r.contains("downgrade")) {
      Result<bool> v = Boolean(r, "downgrade");
      if (!v.ok()) return v.status();
      rs.downgrade = *v;  // canonically absent when false (Decode holds to that)
    }
    c.rules_shipped = std::move(rs);
  }
  if (j.contains("finding")) {
    const Json& f = j.at("finding");
    GPUFLEET_RETURN_IF_ERROR(CheckKeys(f, "change field 'finding'", {"id"},
                                       {"kind", "source", "subject", "serial", "node", "detail",
                                        "evidence", "action", "state", "release"}));
    FindingRecord fr;
    GPUFLEET_RETURN_IF_ERROR(Texts(f, {{"id", &fr.id},
                                       {"kind", &fr.kind},
                                       {"source", &fr.source},
                                       {"subject", &fr.subject},
                                       {"serial", &fr.serial},
                                       {"node", &fr.node},
                                       {"detail", &fr.detail},
                                       {"action", &fr.action},
                                       {"state", &fr.state}}));
    if (f.contains("evidence")) {
      const Json& e = f.at("evidence");
      if (!e.is_array()) return Invalid("finding.evidence", "expected a list of texts");
      for (const Json& item : e) {
        if (!item.is_string()) return Invalid("finding.evidence", "expected a list of texts");
        fr.evidence.push_back(item.get<std::string>());
      }
    }
    if (f.contains("release")) {
      Result<bool> v = Boolean(f, "release");
      if (!v.ok()) return v.status();
      fr.release = *v;  // canonically absent when false
    }
    c.finding = std::move(fr);
  }
  if (j.contains("place")) {
    Result<Site> s = SiteFrom(j.at("place"));
    if (!s.ok()) return s.status();
    c.place = std::move(*s);
  }
  if (j.contains("asset")) {
    Result<Asset> asset = AssetFrom(j.at("asset"));
    if (!asset.ok()) return asset.status();
    c.asset = std::move(*asset);
  }
  GPUFLEET_RETURN_IF_ERROR(Validate(c));
  return c;
}

}  // namespace gpufleet::inventory
