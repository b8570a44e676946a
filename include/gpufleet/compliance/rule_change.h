#pragma once
// A proposed change to a rule file (a new rule, a changed threshold, a new country group),
// applied to the base rule file to give the rule set the change would produce
// (docs/compliance.md, "Rule-change impact").
//
// A change file is YAML with these optional keys:
//   groups:          map; each group replaces the base group of that name or is added
//   derived:         list; an entry named like a base entry replaces it, others are appended
//   rules:           list; an entry whose id exists replaces every version of that id, others
//                    are appended (several versions of one new id may be given)
//   quotas:          list; by id, as rules
//   licences:        list; by id, as rules
//   remove_rules, remove_quotas, remove_licences:  lists of ids to delete
//   description:     free text, ignored
// A file with no keys at all (empty, or only comments) is an error, not a change of nothing.
// The merged document is validated as a whole by RuleSet::Parse, so a change that makes two
// rules conflict or names an unknown group is rejected.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

// The rule document `change_yaml` makes of `base_yaml`, as re-emitted YAML text (comments and
// formatting are not kept), NOT yet validated as a rule file: give it to RuleSet::Parse, or to
// MergeChange again to layer a further change on top (rule overlays: an operator's licences
// and policies over the shipped history). Errors in the change file itself (bad YAML, unknown
// keys, wrong types, removing an id the base lacks, a country that is no ISO 3166-1 code, a
// model `model_ids` lacks when it is not empty) name `change_name`, line and column; YAML
// errors in the base name `base_name`.
[[nodiscard]] Result<std::string> MergeChange(
    std::string_view base_yaml, const std::string& base_name, std::string_view change_yaml,
    const std::string& change_name,
    const std::map<std::string, std::string, std::less<>>& model_ids = {});

// MergeChange, then RuleSet::Parse of the merged document. Errors RuleSet::Parse finds in the
// merged set name "<base_name> + <change_name>" and a position in the merged document, which
// is re-emitted YAML: the message's id or group name is the reliable pointer.
[[nodiscard]] Result<RuleSet> ApplyChange(
    std::string_view base_yaml, const std::string& base_name, std::string_view change_yaml,
    const std::string& change_name,
    const std::map<std::string, std::string, std::less<>>& model_ids);

// A rule set with overlays layered on it, and where it came from.
struct LayeredRules {
  RuleSet rules;
  std::string text;  // the document `rules` was parsed from (re-emitted YAML after overlays)
  std::string name;  // "<base> + <overlay> + ...", for messages
};

// `base_yaml` (named `base_name`) validated, then each overlay file of `overlay_paths` merged
// on in order and the merged set validated after each, so an error is pinned to the first
// overlay that causes it (one parse per overlay, about 10 ms for the shipped history).
[[nodiscard]] Result<LayeredRules> LayerOverlays(
    std::string base_yaml, std::string base_name, const std::vector<std::string>& overlay_paths,
    const std::map<std::string, std::string, std::less<>>& model_ids);

}  // namespace gpufleet::compliance
