// Applying a change file to a rule file (rule_change.h). The merge works on YAML nodes, not on
// parsed rules, so that the merged document goes through exactly the validation a hand-edited
// rule file would: RuleSet::Parse stays the one place that knows what a rule means.

#include "gpufleet/compliance/rule_change.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <vector>

#include "compliance/change_references.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance {
namespace {

// "change.yaml:3:5: " for a node, "change.yaml: " when it has no position.
std::string Where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return file + ": ";
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

Status ErrorAt(const std::string& file, const YAML::Node& node, const std::string& message) {
  return Status::InvalidArgument(Where(file, node) + message);
}

// The change file's sections: what each holds and which key identifies an entry.
struct ListSection {
  std::string_view name;    // "rules"
  std::string_view key;     // "id"
  std::string_view remove;  // "remove_rules", or "" when entries cannot be removed
};
constexpr ListSection kListSections[] = {
    {"derived", "name", ""},
    {"rules", "id", "remove_rules"},
    {"quotas", "id", "remove_quotas"},
    {"licences", "id", "remove_licences"},
};

bool IsKnownKey(std::string_view key) {
  if (key == "groups" || key == "description") return true;
  for (const ListSection& s : kListSections) {
    if (key == s.name || (!s.remove.empty() && key == s.remove)) return true;
  }
  return false;
}

// The identifying scalar of a list entry, or an error naming the entry.
Result<std::string> EntryKey(const std::string& file, const YAML::Node& entry,
                             std::string_view section, std::string_view key) {
  if (!entry.IsMap()) {
    return ErrorAt(file, entry, std::string(section) + ": each entry must be a map");
  }
  const YAML::Node k = entry[std::string(key)];
  if (!k || !k.IsScalar() || k.Scalar().empty()) {
    return ErrorAt(file, entry, std::string(section) + ": entry has no '" + Excerpt(key) + "'");
  }
  return k.Scalar();
}

// The base entries with every id in `removed` dropped.
YAML::Node Without(const YAML::Node& base, std::string_view key,
                   const std::set<std::string, std::less<>>& removed) {
  YAML::Node out(YAML::NodeType::Sequence);
  for (const YAML::Node& e : base) {
    const YAML::Node k = e.IsMap() ? e[std::string(key)] : YAML::Node();
    if (k && k.IsScalar() && removed.contains(k.Scalar())) continue;
    out.push_back(e);
  }
  return out;
}

// The ids present in a base list (entries without one are left for RuleSet::Parse to reject).
std::set<std::string, std::less<>> KeysOf(const YAML::Node& base, std::string_view key) {
  std::set<std::string, std::less<>> keys;
  if (!base || !base.IsSequence()) return keys;
  for (const YAML::Node& e : base) {
    if (!e.IsMap()) continue;
    const YAML::Node k = e[std::string(key)];
    if (k && k.IsScalar()) keys.insert(k.Scalar());
  }
  return keys;
}

// Base entries in order, where the first entry of a replaced id is swapped for every change
// entry with that id (so a replaced derived fact keeps its place before the facts that use
// it), then the change's new ids in change order.
Result<YAML::Node> MergeList(const std::string& file, const YAML::Node& base,
                             const YAML::Node& change, const ListSection& section) {
  std::map<std::string, std::vector<YAML::Node>, std::less<>> by_key;
  std::vector<std::string> order;
  for (const YAML::Node& e : change) {
    auto k = EntryKey(file, e, section.name, section.key);
    if (!k.ok()) return k.status();
    auto [it, inserted] = by_key.try_emplace(*k);
    if (inserted) order.push_back(*k);
    it->second.push_back(e);
  }
  YAML::Node out(YAML::NodeType::Sequence);
  std::set<std::string, std::less<>> placed;
  if (base && base.IsSequence()) {
    for (const YAML::Node& e : base) {
      const YAML::Node k = e.IsMap() ? e[std::string(section.key)] : YAML::Node();
      if (k && k.IsScalar()) {
        auto it = by_key.find(k.Scalar());
        if (it != by_key.end()) {
          if (placed.insert(it->first).second) {
            for (const YAML::Node& c : it->second) out.push_back(c);
          }
          continue;
        }
      }
      out.push_back(e);
    }
  }
  for (const std::string& k : order) {
    if (placed.contains(k)) continue;
    for (const YAML::Node& c : by_key[k]) out.push_back(c);
  }
  return out;
}

Result<std::string> MergedText(std::string_view base_yaml, const std::string& base_name,
                               std::string_view change_yaml, const std::string& change_name,
                               const internal::ModelIds& model_ids) {
  GPUFLEET_RETURN_IF_ERROR(codec::CheckYamlText(base_yaml, base_name));
  GPUFLEET_RETURN_IF_ERROR(codec::CheckYamlText(change_yaml, change_name));
  YAML::Node base;
  try {
    base = YAML::Load(std::string(base_yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(base_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  YAML::Node change;
  try {
    change = YAML::Load(std::string(change_yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(change_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (base.IsNull()) base = YAML::Node(YAML::NodeType::Map);
  if (!base.IsMap()) return ErrorAt(base_name, base, "a rule file must be a map");
  // A file with no keys is far more likely a wrong path or a truncated copy than a change
  // meant to change nothing (which says so with `description:`).
  if (change.IsNull() || (change.IsMap() && change.size() == 0)) {
    return Status::InvalidArgument(change_name +
                                   ": empty change file (no keys; a change that deliberately "
                                   "changes nothing says so with `description:`)");
  }
  if (!change.IsMap()) return ErrorAt(change_name, change, "a change file must be a map");
  // Reads go through const views: yaml-cpp's non-const operator[] inserts missing keys.
  const YAML::Node& base_in = base;
  const YAML::Node& change_in = change;

  for (const auto& kv : change) {
    const std::string key = kv.first.as<std::string>();
    if (!IsKnownKey(key)) {
      return ErrorAt(change_name, kv.first,
                     "unknown key '" + Excerpt(key) +
                         "' (expected groups, derived, rules, quotas, licences, remove_rules, "
                         "remove_quotas, remove_licences or description)");
    }
  }
  GPUFLEET_RETURN_IF_ERROR(
      internal::CheckChangeReferences(base_yaml, change_yaml, change_name, model_ids));

  if (const YAML::Node groups = change_in["groups"]) {
    if (!groups.IsMap()) return ErrorAt(change_name, groups, "groups: must be a map");
    const YAML::Node base_groups = base_in["groups"];
    YAML::Node merged = base_groups && base_groups.IsMap() ? YAML::Clone(base_groups)
                                                           : YAML::Node(YAML::NodeType::Map);
    for (const auto& kv : groups) merged[kv.first.as<std::string>()] = kv.second;
    base["groups"] = merged;
  }

  for (const ListSection& section : kListSections) {
    const std::string name(section.name);
    const YAML::Node base_list = base_in[name];
    YAML::Node list;
    if (base_list) list = YAML::Clone(base_list);
    if (!section.remove.empty()) {
      if (const YAML::Node remove = change_in[std::string(section.remove)]) {
        if (!remove.IsSequence()) {
          return ErrorAt(change_name, remove,
                         std::string(section.remove) + ": must be a list of ids");
        }
        const std::set<std::string, std::less<>> present = KeysOf(list, section.key);
        std::set<std::string, std::less<>> removed;
        for (const YAML::Node& id : remove) {
          if (!id.IsScalar() || !present.contains(id.Scalar())) {
            return ErrorAt(change_name, id,
                           std::string(section.remove) + ": no " + name + " entry with id '" +
                               (id.IsScalar() ? Excerpt(id.Scalar()) : std::string("?")) + "' in " +
                               base_name);
          }
          removed.insert(id.Scalar());
        }
        list = Without(list, section.key, removed);
      }
    }
    if (const YAML::Node entries = change_in[name]) {
      if (!entries.IsSequence()) return ErrorAt(change_name, entries, name + ": must be a list");
      auto merged = MergeList(change_name, list, entries, section);
      if (!merged.ok()) return merged.status();
      list = *merged;
    }
    if (list) base[name] = list;
  }
  return YAML::Dump(base);
}

}  // namespace

Result<std::string> MergeChange(std::string_view base_yaml, const std::string& base_name,
                                std::string_view change_yaml, const std::string& change_name,
                                const std::map<std::string, std::string, std::less<>>& model_ids) {
  try {
    return MergedText(base_yaml, base_name, change_yaml, change_name, model_ids);
  } catch (const YAML::Exception& e) {
    // Conversions (a non-scalar key, say) throw; they are input errors of the change file.
    return Status::InvalidArgument(change_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<RuleSet> ApplyChange(std::string_view base_yaml, const std::string& base_name,
                            std::string_view change_yaml, const std::string& change_name,
                            const std::map<std::string, std::string, std::less<>>& model_ids) {
  const Result<std::string> merged =
      MergeChange(base_yaml, base_name, change_yaml, change_name, model_ids);
  if (!merged.ok()) return merged.status();
  return RuleSet::Parse(*merged, base_name + " + " + change_name, model_ids);
}

Result<LayeredRules> LayerOverlays(
    std::string base_yaml, std::string base_name, const std::vector<std::string>& overlay_paths,
    const std::map<std::string, std::string, std::less<>>& model_ids) {
  auto rules = RuleSet::Parse(base_yaml, base_name, model_ids);
  if (!rules.ok()) return rules.status();
  LayeredRules layered{std::move(rules).value(), std::move(base_yaml), std::move(base_name)};
  for (const std::string& overlay : overlay_paths) {
    auto overlay_text = codec::ReadTextFile(overlay);
    if (!overlay_text.ok()) return overlay_text.status();
    auto merged = MergeChange(layered.text, layered.name, *overlay_text, overlay, model_ids);
    if (!merged.ok()) return merged.status();
    std::string name = layered.name + " + " + overlay;
    auto next = RuleSet::Parse(*merged, name, model_ids);
    if (!next.ok()) return next.status();
    layered = LayeredRules{std::move(next).value(), std::move(merged).value(), std::move(name)};
  }
  return layered;
}

}  // namespace gpufleet::compliance
