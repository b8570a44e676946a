#include "compliance/yaml_fields.h"

#include <charconv>

namespace gpufleet::compliance {

std::string Where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return file + ": ";
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

YamlFields::YamlFields(const YAML::Node& node, std::string file, std::string what)
    : node_(node), file_(std::move(file)), what_(std::move(what)) {}

Status YamlFields::Error(const YAML::Node& at, const std::string& message) const {
  return Status::InvalidArgument(Where(file_, at) + what_ + ": " + message);
}

Status YamlFields::Error(const std::string& key, const std::string& message) const {
  const YAML::Node v = node_[key];
  return Error(v ? v : node_, key + ": " + message);
}

Status YamlFields::CheckKeys(const std::set<std::string>& known) const {
  if (!node_.IsMap()) return Error(node_, "expected a map");
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (!known.count(key)) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return Error(kv.first, "unknown field '" + key + "' (known: " + list + ")");
    }
  }
  return Status::Ok();
}

bool YamlFields::Has(const std::string& key) const {
  const YAML::Node v = node_[key];
  return v && !v.IsNull();
}

Result<std::string> YamlFields::String(const std::string& key, bool required) const {
  const YAML::Node v = node_[key];
  if (!v || v.IsNull()) {
    if (required) return Error(node_, "missing required field '" + key + "'");
    return std::string();
  }
  if (!v.IsScalar()) return Error(key, "expected a single value");
  return v.Scalar();
}

Result<std::optional<Date>> YamlFields::OptionalDate(const std::string& key) const {
  Result<std::string> s = String(key, false);
  if (!s.ok()) return s.status();
  if (s->empty()) return std::optional<Date>();
  Result<Date> d = Date::Parse(*s);
  if (!d.ok()) return Error(key, d.status().message());
  return std::optional<Date>(*d);
}

Result<std::optional<double>> YamlFields::OptionalNumber(const std::string& key) const {
  Result<std::string> s = String(key, false);
  if (!s.ok()) return s.status();
  if (s->empty()) return std::optional<double>();
  double v = 0;
  const char* end = s->data() + s->size();
  auto [p, ec] = std::from_chars(s->data(), end, v);
  if (ec != std::errc() || p != end) return Error(key, "'" + *s + "' is not a number");
  return std::optional<double>(v);
}

Result<int> YamlFields::Int(const std::string& key, int default_value) const {
  Result<std::string> s = String(key, false);
  if (!s.ok()) return s.status();
  if (s->empty()) return default_value;
  int v = 0;
  const char* end = s->data() + s->size();
  auto [p, ec] = std::from_chars(s->data(), end, v);
  if (ec != std::errc() || p != end) return Error(key, "'" + *s + "' is not an integer");
  return v;
}

Result<std::vector<std::string>> YamlFields::Strings(const std::string& key) const {
  std::vector<std::string> out;
  const YAML::Node v = node_[key];
  if (!v || v.IsNull()) return out;
  if (!v.IsSequence()) return Error(key, "expected a list");
  for (const YAML::Node& item : v) {
    if (!item.IsScalar()) return Error(item, key + ": expected a list of names");
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace gpufleet::compliance
