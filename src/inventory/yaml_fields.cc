#include "inventory/yaml_fields.h"

#include <set>

#include "inventory/field_text.h"

namespace gpufleet::inventory {
namespace {

// yaml-cpp tags quoted and block scalars "!" and leaves plain ones "?" or empty.
bool IsQuoted(const YAML::Node& n) { return n.Tag() == "!"; }

Result<std::string> ScalarText(const YamlReporter& r, const YamlField& f,
                               std::string_view expected) {
  if (f.value.IsNull()) return r.Error(f, "no value; leave the key out when it is unknown");
  if (!f.value.IsScalar()) {
    return r.Error(f, "expected " + std::string(expected) + ", got " + KindName(f.value));
  }
  if (f.value.Scalar().empty()) {
    return r.Error(f, "empty value; leave the key out when it is unknown");
  }
  return f.value.Scalar();
}

}  // namespace

std::string YamlReporter::Where(const YAML::Mark& m) const {
  if (m.is_null()) return file_;
  // yaml-cpp counts from 0; editors and compilers count from 1.
  return file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

Status YamlReporter::Error(const YAML::Node& at, std::string_view field,
                           const std::string& what) const {
  return Status::InvalidArgument(Where(at.Mark()) + ": " + std::string(field) + ": " + what);
}

Status YamlReporter::Error(const YamlField& f, const std::string& what) const {
  // An empty value has no text of its own; yaml-cpp places it wherever the next token is.
  const bool use_key = f.value.IsNull() || f.value.Mark().is_null();
  return Error(use_key ? f.key : f.value, f.name, what);
}

std::string KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "the scalar '" + n.Scalar() + "'";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "an empty value";
  }
  return "a value";
}

Result<std::vector<YamlField>> MapFields(const YamlReporter& r, const YAML::Node& map,
                                         std::string_view what) {
  if (!map.IsMap()) return r.Error(map, what, "expected a map, got " + KindName(map));
  std::vector<YamlField> fields;
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) return r.Error(key, what, "keys must be names, got " + KindName(key));
    if (!seen.insert(key.Scalar()).second) return r.Error(key, key.Scalar(), "key given twice");
    fields.push_back(YamlField{key, kv.second, key.Scalar()});
  }
  return fields;
}

Status RequireKeys(const YamlReporter& r, const YAML::Node& entry,
                   const std::vector<YamlField>& fields,
                   std::initializer_list<std::string_view> keys, std::string_view what) {
  for (const std::string_view key : keys) {
    if (FindField(fields, key) == nullptr) {
      return r.Error(entry, key, "missing; every " + std::string(what) + " needs one");
    }
  }
  return Status::Ok();
}

const YamlField* FindField(const std::vector<YamlField>& fields, std::string_view name) {
  for (const YamlField& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<std::vector<YAML::Node>> ListOf(const YamlReporter& r, const YamlField& f) {
  if (!f.value.IsSequence()) return r.Error(f, "expected a list, got " + KindName(f.value));
  std::vector<YAML::Node> out;
  for (const YAML::Node& element : f.value) out.push_back(element);
  return out;
}

Result<std::string> ReadText(const YamlReporter& r, const YamlField& f) {
  return ScalarText(r, f, "a string");
}

Result<std::string> ReadSlug(const YamlReporter& r, const YamlField& f) {
  Result<std::string> s = ScalarText(r, f, "an id");
  if (s.ok() && !IsSlug(*s)) {
    return r.Error(f, "'" + *s + "' is not a slug (lower-case letters, digits and '-')");
  }
  return s;
}

Result<std::string> ReadCountry(const YamlReporter& r, const YamlField& f) {
  Result<std::string> s = ScalarText(r, f, "a country code");
  if (s.ok() && !IsCountryCode(*s)) {
    return r.Error(f, "expected an ISO 3166 alpha-2 code such as \"CN\", got '" + *s + "'");
  }
  return s;
}

Result<bool> ReadBool(const YamlReporter& r, const YamlField& f) {
  Result<std::string> s = ScalarText(r, f, "true or false");
  if (!s.ok()) return s.status();
  // Only the YAML 1.2 spellings: yaml-cpp would also read "y", "on" or "yes".
  if (!IsQuoted(f.value)) {
    if (*s == "true") return true;
    if (*s == "false") return false;
  }
  return r.Error(f, "expected true or false, got '" + *s + "'");
}

Result<double> ReadNumber(const YamlReporter& r, const YamlField& f) {
  Result<std::string> s = ScalarText(r, f, "a number");
  if (!s.ok()) return s.status();
  if (IsQuoted(f.value)) return r.Error(f, "expected a number, got the string \"" + *s + "\"");
  const std::optional<double> v = ParseNumber(*s);
  if (!v) return r.Error(f, "expected a number, got '" + *s + "'");
  return *v;
}

}  // namespace gpufleet::inventory
