#include "gpufleet/codec/yaml_map.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <set>

#include "gpufleet/model/utf8.h"

namespace gpufleet::codec {
namespace {

// Our formats nest four levels at most; anything near this is an alias referring to itself.
constexpr int kMaxDepth = 256;
// A document without aliases has about one node per byte at most, so two per byte (and a floor
// for tiny documents) is only exceeded by aliases that multiply the document (a "billion
// laughs") or refer to themselves.
constexpr size_t kNodesPerByte = 2;
constexpr size_t kMinNodeBudget = 1024;
static_assert(kMaxYamlBytes == size_t{4} << 20, "the message below says 4 MiB");

constexpr char kNoValue[] = "no value; leave the key out when it is unknown";
constexpr char kEmptyValue[] = "empty value; leave the key out when it is unknown";

std::string Place(const std::string& file, int line, int column) {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// All of `s` read as a T ("80", "1e3", "-2"); nullopt when it is not one, or not only one.
template <typename T>
std::optional<T> WholeAs(std::string_view s) {
  T v{};
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::string Join(std::span<const std::string_view> names) {
  std::string out;
  for (const std::string_view name : names) {
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

}  // namespace

// Copies a yaml-cpp tree into YamlNode values, within the depth and size bounds above.
class YamlNodeBuilder {
 public:
  YamlNodeBuilder(const YamlErrors& errors, size_t max_nodes)
      : errors_(errors), max_nodes_(max_nodes) {}

  Status Copy(const YAML::Node& from, int depth, YamlNode& to) {
    const YAML::Mark mark = from.Mark();
    if (!mark.is_null()) {
      // yaml-cpp counts from 0; editors and compilers count from 1.
      to.line_ = mark.line + 1;
      to.column_ = mark.column + 1;
    }
    if (++nodes_ > max_nodes_) {
      return errors_.Error(
          to, "document",
          "aliases expand it to more than " + std::to_string(max_nodes_) + " nodes");
    }
    if (depth > kMaxDepth) {
      return errors_.Error(to, "document",
                           "nested more than " + std::to_string(kMaxDepth) + " levels deep");
    }
    switch (from.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        to.kind_ = YamlNode::Kind::kNull;
        return Status::Ok();
      case YAML::NodeType::Scalar:
        to.kind_ = YamlNode::Kind::kScalar;
        to.scalar_ = from.Scalar();
        // yaml-cpp tags quoted and block scalars "!" and plain ones "?".
        to.quoted_ = from.Tag() == "!";
        return Status::Ok();
      case YAML::NodeType::Sequence:
        to.kind_ = YamlNode::Kind::kList;
        to.items_.reserve(from.size());
        for (const YAML::Node& item : from) {
          GPUFLEET_RETURN_IF_ERROR(Copy(item, depth + 1, to.items_.emplace_back()));
        }
        return Status::Ok();
      case YAML::NodeType::Map:
        to.kind_ = YamlNode::Kind::kMap;
        to.entries_.reserve(from.size());
        for (const auto& kv : from) {
          YamlNode::Entry& entry = to.entries_.emplace_back();
          GPUFLEET_RETURN_IF_ERROR(Copy(kv.first, depth + 1, entry.key));
          GPUFLEET_RETURN_IF_ERROR(Copy(kv.second, depth + 1, entry.value));
        }
        return Status::Ok();
    }
    return Status::Ok();
  }

 private:
  const YamlErrors& errors_;
  const size_t max_nodes_;
  size_t nodes_ = 0;
};

std::string YamlNode::Describe() const {
  switch (kind_) {
    case Kind::kMap:
      return "a map";
    case Kind::kList:
      return "a list";
    case Kind::kScalar:
      return "the scalar '" + Excerpt(scalar_) + "'";
    case Kind::kNull:
      return "an empty value";
  }
  return "a value";
}

Status CheckYamlText(std::string_view text, const std::string& file) {
  // Files come checked from ReadTextFile; text from elsewhere (a request, a merge) is checked
  // here, before yaml-cpp, which would carry bad bytes into scalars.
  GPUFLEET_RETURN_IF_ERROR(CheckUtf8(text, file));
  if (text.size() > kMaxYamlBytes) {
    return Status::InvalidArgument(file + ": " + std::to_string(text.size()) +
                                   " bytes, more than a YAML input may have (4 MiB); list bulk "
                                   "data such as assets in a CSV file");
  }
  return Status::Ok();
}

Result<YamlNode> ParseYaml(std::string_view text, const std::string& file) {
  GPUFLEET_RETURN_IF_ERROR(CheckYamlText(text, file));
  const YamlErrors errors(file);
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    YamlNodeBuilder builder(errors, kNodesPerByte * text.size() + kMinNodeBudget);
    YamlNode out;
    GPUFLEET_RETURN_IF_ERROR(builder.Copy(root, 0, out));
    return out;
  } catch (const YAML::Exception& e) {
    // Syntax errors. The copy only asks a loaded tree for types and text, which never
    // throws, so nothing else should land here.
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return Status::InvalidArgument(Place(file, line, e.mark.column + 1) +
                                   ": invalid YAML: " + e.msg);
  }
}

const YamlNode& YamlField::At() const {
  // An empty value has no text of its own; yaml-cpp places it wherever the next token is.
  return value->IsNull() || !value->has_position() ? *key : *value;
}

YamlErrors::YamlErrors(std::string file, std::string context)
    : file_(std::move(file)), context_(std::move(context)) {}

YamlErrors YamlErrors::WithContext(std::string context) const {
  return YamlErrors(file_, std::move(context));
}

std::string YamlErrors::Where(const YamlNode& at) const {
  return Place(file_, at.line(), at.column());
}

Status YamlErrors::Error(const YamlNode& at, std::string_view key, std::string_view what) const {
  std::string message = Where(at) + ": ";
  if (!context_.empty()) message += context_ + ": ";
  if (!key.empty()) message += Excerpt(key) + ": ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

Result<YamlMap> YamlMap::Read(const YamlNode& node, YamlErrors errors, std::string_view name,
                              YamlReadOptions options) {
  if (!node.IsMap()) return errors.Error(node, name, "expected a map, got " + node.Describe());
  YamlMap map(node, std::move(errors), options);
  std::set<std::string_view> seen;
  for (const YamlNode::Entry& e : node.entries()) {
    if (!e.key.IsScalar()) {
      return map.ErrorAt(e.key, name, "keys must be names, got " + e.key.Describe());
    }
    if (!seen.insert(e.key.scalar()).second) {
      return map.ErrorAt(e.key, e.key.scalar(), "key given twice");
    }
    map.fields_.push_back(YamlField{&e.key, &e.value, e.key.scalar()});
  }
  return map;
}

YamlMap YamlMap::WithContext(std::string context) const {
  YamlMap copy = *this;
  copy.errors_ = errors_.WithContext(std::move(context));
  return copy;
}

const YamlField* YamlMap::Find(std::string_view key) const {
  for (const YamlField& f : fields_) {
    if (f.name != key) continue;
    if (options_.empty_is_absent && f.value->IsNull()) return nullptr;
    return &f;
  }
  return nullptr;
}

Status YamlMap::CheckKeys(std::span<const std::string_view> known) const {
  for (const YamlField& f : fields_) {
    bool is_known = false;
    for (const std::string_view k : known) is_known = is_known || f.name == k;
    if (!is_known) return UnknownKey(f, known);
  }
  return Status::Ok();
}

Status YamlMap::UnknownKey(const YamlField& f, std::span<const std::string_view> known) const {
  return ErrorAt(*f.key, f.name, "unknown key (known: " + Join(known) + ")");
}

Status YamlMap::RequireKeys(std::initializer_list<std::string_view> keys,
                            std::string_view why) const {
  for (const std::string_view key : keys) {
    if (!Has(key)) return Missing(key, why);
  }
  return Status::Ok();
}

Status YamlMap::Missing(std::string_view key, std::string_view why) const {
  return ErrorAt(*node_, key, why.empty() ? "missing" : "missing; " + std::string(why));
}

Status YamlMap::Error(const YamlField& f, std::string_view what) const {
  return errors_.Error(f.At(), f.name, what);
}

Status YamlMap::Error(std::string_view key, std::string_view what) const {
  // Present but empty still points at the key, even where empty counts as absent.
  for (const YamlField& f : fields_) {
    if (f.name == key) return Error(f, what);
  }
  return ErrorAt(*node_, key, what);
}

Status YamlMap::ErrorAt(const YamlNode& at, std::string_view key, std::string_view what) const {
  return errors_.Error(at, key, what);
}

Result<std::string> YamlMap::ReadText(const YamlField& f, std::string_view expected) const {
  const YamlNode& v = *f.value;
  if (v.IsNull()) return Error(f, kNoValue);
  if (!v.IsScalar()) return Error(f, "expected " + std::string(expected) + ", got " + v.Describe());
  if (v.scalar().empty()) return Error(f, kEmptyValue);
  return v.scalar();
}

Result<std::string> YamlMap::ValueText(const YamlField& f, std::string_view expected) const {
  Result<std::string> s = ReadText(f, expected);
  if (s.ok() && f.value->quoted() && !options_.quoted_scalars_ok) {
    return Error(f,
                 "expected " + std::string(expected) + ", got the string \"" + Excerpt(*s) + "\"");
  }
  return s;
}

Result<double> YamlMap::ReadNumber(const YamlField& f) const {
  Result<std::string> s = ValueText(f, "a number");
  if (!s.ok()) return s.status();
  const std::optional<double> v = WholeAs<double>(*s);
  if (!v) return Error(f, "expected a number, got '" + Excerpt(*s) + "'");
  if (!std::isfinite(*v)) return Error(f, "expected a finite number, got '" + Excerpt(*s) + "'");
  return *v;
}

Result<int> YamlMap::ReadInt(const YamlField& f) const {
  Result<std::string> s = ValueText(f, "an integer");
  if (!s.ok()) return s.status();
  const std::optional<int> v = WholeAs<int>(*s);
  if (!v) return Error(f, "expected an integer, got '" + Excerpt(*s) + "'");
  return *v;
}

Result<bool> YamlMap::ReadBool(const YamlField& f) const {
  Result<std::string> s = ValueText(f, "true or false");
  if (!s.ok()) return s.status();
  if (*s == "true") return true;
  if (*s == "false") return false;
  return Error(f, "expected true or false, got '" + Excerpt(*s) + "'");
}

Result<Date> YamlMap::ReadDate(const YamlField& f) const {
  Result<std::string> s = ReadText(f, "a date");
  if (!s.ok()) return s.status();
  Result<Date> d = Date::Parse(*s);
  if (!d.ok()) return Error(f, d.status().message());
  return d;
}

Result<std::vector<YamlField>> YamlMap::ReadList(const YamlField& f) const {
  if (!f.value->IsList()) return Error(f, "expected a list, got " + f.value->Describe());
  std::vector<YamlField> out;
  out.reserve(f.value->items().size());
  for (const YamlNode& item : f.value->items()) out.push_back(YamlField{f.key, &item, f.name});
  return out;
}

Result<std::vector<std::string>> YamlMap::ReadStrings(const YamlField& f) const {
  Result<std::vector<YamlField>> items = ReadList(f);
  if (!items.ok()) return items.status();
  std::vector<std::string> out;
  out.reserve(items->size());
  for (const YamlField& item : *items) {
    Result<std::string> s = ReadText(item);
    if (!s.ok()) return s.status();
    out.push_back(std::move(s).value());
  }
  return out;
}

Result<YamlMap> YamlMap::ReadMap(const YamlField& f) const {
  if (!f.value->IsMap()) return Error(f, "expected a map, got " + f.value->Describe());
  return Read(*f.value, errors_, f.name, options_);
}

template <typename T, typename ReadFn>
Result<std::optional<T>> YamlMap::Optional(std::string_view key, ReadFn read) const {
  const YamlField* f = Find(key);
  if (f == nullptr) return std::optional<T>();
  Result<T> v = read(*f);
  if (!v.ok()) return v.status();
  return std::optional<T>(std::move(v).value());
}

Result<std::string> YamlMap::String(std::string_view key) const {
  const YamlField* f = Find(key);
  if (f == nullptr) return Missing(key);
  return ReadText(*f);
}

Result<std::optional<std::string>> YamlMap::OptionalString(std::string_view key) const {
  return Optional<std::string>(key, [this](const YamlField& f) { return ReadText(f); });
}

Result<std::optional<double>> YamlMap::OptionalNumber(std::string_view key) const {
  return Optional<double>(key, [this](const YamlField& f) { return ReadNumber(f); });
}

Result<std::optional<int>> YamlMap::OptionalInt(std::string_view key) const {
  return Optional<int>(key, [this](const YamlField& f) { return ReadInt(f); });
}

Result<std::optional<bool>> YamlMap::OptionalBool(std::string_view key) const {
  return Optional<bool>(key, [this](const YamlField& f) { return ReadBool(f); });
}

Result<std::optional<Date>> YamlMap::OptionalDate(std::string_view key) const {
  return Optional<Date>(key, [this](const YamlField& f) { return ReadDate(f); });
}

Result<std::vector<std::string>> YamlMap::Strings(std::string_view key) const {
  const YamlField* f = Find(key);
  if (f == nullptr) return std::vector<std::string>();
  return ReadStrings(*f);
}

}  // namespace gpufleet::codec
