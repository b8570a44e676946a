#include "gpufleet/findings/policy.h"

#include <vector>

#include "gpufleet/codec/yaml_map.h"

namespace gpufleet::findings {

Action DefaultAction(Kind kind) {
  switch (kind) {
    case Kind::kModelDiffers:
    case Kind::kMemoryDiffers:
    case Kind::kSerialOnTwoNodes:
    case Kind::kUuidOnTwoNodes:
      return Action::kQuarantineDevice;
    case Kind::kNodeSilent:
    case Kind::kLocationContradictsSite:
      return Action::kQuarantineNode;
    case Kind::kDeviceNotInInventory:
    case Kind::kObservedElsewhere:
    case Kind::kNotSeen:
    case Kind::kSerialRegisteredTwice:
    case Kind::kSerialAtTwoSites:
    case Kind::kSpecsContradictCatalog:
    case Kind::kMoveTooFast:
    case Kind::kTransferRefusedToday:
      return Action::kRecord;
  }
  return Action::kRecord;
}

Action Policy::For(Kind kind) const {
  const auto it = actions.find(kind);
  return it == actions.end() ? DefaultAction(kind) : it->second;
}

Action Policy::For(const Detection& d) const {
  const Action a = For(d.kind);
  if (a == Action::kQuarantineDevice && d.serial.empty()) {
    return d.node.empty() ? Action::kRecord : Action::kQuarantineNode;
  }
  if (a == Action::kQuarantineNode && d.node.empty()) {
    return d.serial.empty() ? Action::kRecord : Action::kQuarantineDevice;
  }
  return a;
}

Result<Policy> ParsePolicy(std::string_view yaml, const std::string& name_for_errors) {
  Result<codec::YamlNode> doc = codec::ParseYaml(yaml, name_for_errors);
  if (!doc.ok()) return doc.status();
  Policy policy;
  if (doc->IsNull()) return policy;
  Result<codec::YamlMap> map =
      codec::YamlMap::Read(*doc, codec::YamlErrors(name_for_errors), "finding policy");
  if (!map.ok()) return map.status();
  std::vector<std::string_view> known = {"node_silent_after_s", "not_seen_after_s"};
  for (const Kind k : kAllKinds) known.push_back(KindName(k));
  for (const codec::YamlField& f : map->fields()) {
    const std::string key = f.key->scalar();
    if (key == "node_silent_after_s" || key == "not_seen_after_s") {
      Result<int> seconds = map->ReadInt(f);
      if (!seconds.ok()) return seconds.status();
      if (*seconds <= 0) return map->Error(f, "expected a positive number of seconds");
      (key == "node_silent_after_s" ? policy.node_silent_after_ms : policy.not_seen_after_ms) =
          int64_t{*seconds} * 1000;
      continue;
    }
    const std::optional<Kind> kind = ParseKind(key);
    if (!kind) return map->UnknownKey(f, known);
    Result<std::string> name = map->ReadText(f, "record, quarantine_device or quarantine_node");
    if (!name.ok()) return name.status();
    const std::optional<Action> action = ParseAction(*name);
    if (!action) {
      return map->Error(
          f, "unknown action '" + *name + "' (known: record, quarantine_device, quarantine_node)");
    }
    policy.actions[*kind] = *action;
  }
  return policy;
}

}  // namespace gpufleet::findings
