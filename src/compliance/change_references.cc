#include "compliance/change_references.h"

#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

#include "gpufleet/catalog/accelerator.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/compliance/predicate.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/model/country_code.h"

namespace gpufleet::compliance::internal {
namespace {

using codec::YamlErrors;
using codec::YamlNode;

// The value of `key` in map `m`, or nullptr.
const YamlNode* Get(const YamlNode& m, std::string_view key) {
  for (const YamlNode::Entry& e : m.entries()) {
    if (e.key.IsScalar() && e.key.scalar() == key) return &e.value;
  }
  return nullptr;
}

// The names of the groups and derived facts `doc` defines (a rule file or a change file).
void CollectNames(const YamlNode& doc, std::set<std::string, std::less<>>& groups,
                  std::set<std::string, std::less<>>& derived) {
  if (!doc.IsMap()) return;
  if (const YamlNode* g = Get(doc, "groups"); g != nullptr) {
    for (const YamlNode::Entry& e : g->entries()) groups.insert(e.key.scalar());
  }
  if (const YamlNode* d = Get(doc, "derived"); d != nullptr) {
    for (const YamlNode& entry : d->items()) {
      const YamlNode* name = entry.IsMap() ? Get(entry, "name") : nullptr;
      if (name != nullptr && name->IsScalar()) derived.insert(name->scalar());
    }
  }
}

class ChangeChecker {
 public:
  ChangeChecker(const std::string& change_name, const ModelIds& model_ids,
                std::set<std::string, std::less<>> group_names,
                const std::set<std::string, std::less<>>& derived_names)
      : errors_(change_name),
        model_ids_(model_ids),
        group_names_(std::move(group_names)),
        checks_(RuleLiteralChecks(model_ids)) {
    for (const std::string& g : group_names_) groups_[g];  // members do not matter here
    for (const auto& [name, type] : catalog::ChipFieldTypes()) chip_schema_[name] = type;
    for (const std::string& d : derived_names) chip_schema_[d] = ValueType::kBool;
    situation_schema_ = chip_schema_;
    for (const auto& [name, type] : SituationFieldTypes()) situation_schema_[name] = type;
    // Remember whether a parse failed in a check, rather than for a reason of its own.
    for (auto& [field, check] : checks_) {
      check = [inner = check, this](std::string_view value, bool prefix) {
        Result<std::string> r = inner(value, prefix);
        if (!r.ok()) literal_failed_ = true;
        return r;
      };
    }
  }

  ChangeChecker(const ChangeChecker&) = delete;  // the checks point at this object
  ChangeChecker& operator=(const ChangeChecker&) = delete;

  Status Check(const YamlNode& change) {
    if (const YamlNode* groups = Get(change, "groups"); groups != nullptr) {
      for (const YamlNode::Entry& e : groups->entries()) {
        if (std::optional<std::string> problem = GroupNameProblem(e.key.scalar())) {
          return errors_.Error(e.key, "", "group " + *problem);
        }
        GPUFLEET_RETURN_IF_ERROR(
            Places(e.value, errors_.WithContext("group '" + e.key.scalar() + "'"), ""));
      }
    }
    for (const YamlNode* d : Entries(change, "derived")) {
      GPUFLEET_RETURN_IF_ERROR(
          Predicates(*d, Named(*d, "derived fact", "name"), {"predicate"}, chip_schema_));
    }
    for (const YamlNode* entry : Entries(change, "rules")) {
      const YamlNode& r = *entry;
      const YamlErrors at = Named(r, "rule", "id");
      GPUFLEET_RETURN_IF_ERROR(Jurisdiction(r, at));
      for (const char* key : {"locations", "locations_except", "end_user_hq"}) {
        if (const YamlNode* v = Get(r, key)) GPUFLEET_RETURN_IF_ERROR(Places(*v, at, key));
      }
      GPUFLEET_RETURN_IF_ERROR(Predicates(r, at, {"chip"}, chip_schema_));
      GPUFLEET_RETURN_IF_ERROR(Predicates(r, at, {"condition"}, situation_schema_));
    }
    for (const YamlNode* entry : Entries(change, "quotas")) {
      const YamlNode& q = *entry;
      const YamlErrors at = Named(q, "quota", "id");
      GPUFLEET_RETURN_IF_ERROR(Jurisdiction(q, at));
      if (const YamlNode* v = Get(q, "locations"))
        GPUFLEET_RETURN_IF_ERROR(Places(*v, at, "locations"));
      if (const YamlNode* v = Get(q, "domestic_to"); v != nullptr && v->IsScalar()) {
        if (std::optional<std::string> problem = CountryCodeProblem(v->scalar())) {
          return at.Error(*v, "domestic_to", *problem);
        }
      }
      GPUFLEET_RETURN_IF_ERROR(Predicates(q, at, {"sites"}, situation_schema_));
    }
    for (const YamlNode* entry : Entries(change, "licences")) {
      const YamlNode& l = *entry;
      const YamlErrors at = Named(l, "licence", "id");
      GPUFLEET_RETURN_IF_ERROR(Jurisdiction(l, at));
      if (const YamlNode* v = Get(l, "locations"))
        GPUFLEET_RETURN_IF_ERROR(Places(*v, at, "locations"));
      GPUFLEET_RETURN_IF_ERROR(Models(l, at));
    }
    return Status::Ok();
  }

 private:
  // The map entries of the list `key` (others are left to the merged validation).
  static std::vector<const YamlNode*> Entries(const YamlNode& change, std::string_view key) {
    std::vector<const YamlNode*> out;
    const YamlNode* list = Get(change, key);
    if (list == nullptr) return out;
    for (const YamlNode& e : list->items()) {
      if (e.IsMap()) out.push_back(&e);
    }
    return out;
  }

  // Messages about `entry` named as the rule-file reader names them ("rule 'R9'").
  YamlErrors Named(const YamlNode& entry, const std::string& what, std::string_view key) const {
    const YamlNode* id = Get(entry, key);
    return errors_.WithContext(id != nullptr && id->IsScalar() ? what + " '" + id->scalar() + "'"
                                                               : what);
  }

  // A list of countries and groups.
  Status Places(const YamlNode& list, const YamlErrors& at, std::string_view key) const {
    for (const YamlNode& item : list.items()) {
      if (!item.IsScalar() || group_names_.contains(item.scalar()) ||
          IsCountryCode(item.scalar())) {
        continue;
      }
      return at.Error(item, key, UnknownGroupOrCountry(item.scalar()));
    }
    return Status::Ok();
  }

  static Status Jurisdiction(const YamlNode& entry, const YamlErrors& at) {
    const YamlNode* j = Get(entry, "jurisdiction");
    if (j == nullptr || !j->IsScalar()) return Status::Ok();
    if (std::optional<std::string> problem = JurisdictionProblem(j->scalar())) {
      return at.Error(*j, "jurisdiction", *problem);
    }
    return Status::Ok();
  }

  Status Models(const YamlNode& licence, const YamlErrors& at) const {
    const YamlNode* models = Get(licence, "models");
    if (models == nullptr || model_ids_.empty()) return Status::Ok();
    for (const YamlNode& m : models->items()) {
      if (m.IsScalar() && !model_ids_.contains(m.scalar())) {
        return at.Error(m, "models", "unknown accelerator model '" + m.scalar() + "'");
      }
    }
    return Status::Ok();
  }

  // The predicates under `keys`, reported only when a country or model check failed.
  Status Predicates(const YamlNode& entry, const YamlErrors& at,
                    std::initializer_list<std::string_view> keys, const FieldSchema& schema) {
    for (const std::string_view key : keys) {
      const YamlNode* text = Get(entry, key);
      if (text == nullptr || !text->IsScalar()) continue;
      literal_failed_ = false;
      Result<Predicate> p = Predicate::Parse(text->scalar(), schema, groups_, checks_);
      if (!p.ok() && literal_failed_) return at.Error(*text, key, p.status().message());
    }
    return Status::Ok();
  }

  YamlErrors errors_;
  const ModelIds& model_ids_;
  std::set<std::string, std::less<>> group_names_;
  GroupMap groups_;
  LiteralChecks checks_;
  FieldSchema chip_schema_;
  FieldSchema situation_schema_;
  bool literal_failed_ = false;
};

}  // namespace

Status CheckChangeReferences(std::string_view base_yaml, std::string_view change_yaml,
                             const std::string& change_name, const ModelIds& model_ids) {
  Result<YamlNode> change = codec::ParseYaml(change_yaml, change_name);
  if (!change.ok() || !change->IsMap()) return Status::Ok();
  Result<YamlNode> base = codec::ParseYaml(base_yaml, "");
  std::set<std::string, std::less<>> groups;
  std::set<std::string, std::less<>> derived;
  if (base.ok()) CollectNames(*base, groups, derived);
  CollectNames(*change, groups, derived);
  return ChangeChecker(change_name, model_ids, std::move(groups), derived).Check(*change);
}

}  // namespace gpufleet::compliance::internal
