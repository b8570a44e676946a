#include "catalog/catalog_parser.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "catalog/lookup_key.h"

namespace gpufleet::catalog {
namespace {

// Bounds that catch a mistyped year (20244) without judging which years are plausible.
constexpr int kMinLaunchYear = 1970;
constexpr int kMaxLaunchYear = 2100;

constexpr char kListKey[] = "accelerators";

// One key/value pair under scrutiny; errors point at the value, or at the key when the value
// has no position (an empty value).
struct Field {
  const YAML::Node& key;
  const YAML::Node& value;
  std::string name;
};

std::string KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "map";
    case YAML::NodeType::Sequence:
      return "list";
    case YAML::NodeType::Scalar:
      return "scalar '" + n.Scalar() + "'";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "empty value";
  }
  return "value";
}

class Reporter {
 public:
  explicit Reporter(const std::string& file) : file_(file) {}

  std::string Where(const YAML::Mark& m) const {
    if (m.is_null()) return file_;
    // yaml-cpp counts from 0; editors and compilers count from 1.
    return file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }

  Status Error(const YAML::Node& at, std::string_view key, const std::string& what) const {
    return Status::InvalidArgument(Where(at.Mark()) + ": " + std::string(key) + ": " + what);
  }

  Status Error(const Field& f, const std::string& what) const {
    // An empty value has no text of its own; yaml-cpp places it wherever the next token is.
    const bool use_key = f.value.IsNull() || f.value.Mark().is_null();
    const YAML::Node& at = use_key ? f.key : f.value;
    return Error(at, f.name, what);
  }

 private:
  const std::string& file_;
};

// The text of a scalar value. Empty and null values are errors: an unknown fact is written by
// leaving its key out, and only that way.
Result<std::string> ScalarText(const Reporter& r, const Field& f, std::string_view expected) {
  if (f.value.IsNull()) return r.Error(f, "no value; leave the key out when it is unknown");
  if (!f.value.IsScalar()) {
    return r.Error(f, "expected " + std::string(expected) + ", got a " + KindName(f.value));
  }
  if (f.value.Scalar().empty()) {
    return r.Error(f, "empty value; leave the key out when it is unknown");
  }
  return f.value.Scalar();
}

Result<std::string> Text(const Reporter& r, const Field& f) { return ScalarText(r, f, "a string"); }

Result<std::string> CountryCode(const Reporter& r, const Field& f) {
  Result<std::string> s = ScalarText(r, f, "a country code");
  if (!s.ok()) return s.status();
  const std::string& c = *s;
  const auto upper = [](char ch) { return ch >= 'A' && ch <= 'Z'; };
  if (c.size() != 2 || !upper(c[0]) || !upper(c[1])) {
    return r.Error(f, "expected an ISO 3166 alpha-2 code such as \"CN\", got '" + c + "'");
  }
  return s;
}

enum class Sign : uint8_t { kNonNegative, kPositive };

Result<double> Number(const Reporter& r, const Field& f, Sign sign) {
  Result<std::string> s = ScalarText(r, f, "a number");
  if (!s.ok()) return s.status();
  // yaml-cpp tags quoted and block scalars "!": "80" in quotes is a string, and a string
  // where a number belongs is a mistake to report, not to convert.
  if (f.value.Tag() == "!") return r.Error(f, "expected a number, got the string \"" + *s + "\"");
  double v = 0;
  const char* end = s->data() + s->size();
  const auto [ptr, ec] = std::from_chars(s->data(), end, v);
  if (ec != std::errc() || ptr != end) return r.Error(f, "expected a number, got '" + *s + "'");
  if (!std::isfinite(v)) return r.Error(f, "expected a finite number, got '" + *s + "'");
  if (v < 0) return r.Error(f, "must not be negative, got " + *s);
  if (sign == Sign::kPositive && v == 0) return r.Error(f, "must be positive, got " + *s);
  return v;
}

Result<bool> Bool(const Reporter& r, const Field& f) {
  Result<std::string> s = ScalarText(r, f, "true or false");
  if (!s.ok()) return s.status();
  // Only the YAML 1.2 spellings: yaml-cpp would also read "y", "on" or "yes".
  if (f.value.Tag() != "!") {
    if (*s == "true") return true;
    if (*s == "false") return false;
  }
  return r.Error(f, "expected true or false, got '" + *s + "'");
}

enum class ListOf : uint8_t { kText, kCountryCodes };

Result<std::vector<std::string>> List(const Reporter& r, const Field& f, ListOf kind) {
  if (!f.value.IsSequence()) return r.Error(f, "expected a list, got a " + KindName(f.value));
  std::vector<std::string> out;
  for (const YAML::Node& element : f.value) {
    const Field ef{f.key, element, f.name};
    Result<std::string> s = kind == ListOf::kCountryCodes ? CountryCode(r, ef) : Text(r, ef);
    if (!s.ok()) return s.status();
    out.push_back(std::move(s).value());
  }
  return out;
}

Result<std::map<Precision, double>> DenseTops(const Reporter& r, const Field& f) {
  if (!f.value.IsMap()) {
    return r.Error(f, "expected a map of precision to dense TOPS, got a " + KindName(f.value));
  }
  std::map<Precision, double> out;
  for (const auto& kv : f.value) {
    const YAML::Node& key = kv.first;
    const std::string name = key.IsScalar() ? key.Scalar() : "";
    const std::optional<Precision> p = ParsePrecision(name);
    if (!p) {
      return r.Error(key, f.name,
                     "unknown precision '" + name +
                         "' (known: fp64 fp32 tf32 fp16 bf16 fp8 int8 fp6 fp4 int4)");
    }
    if (out.count(*p)) return r.Error(key, f.name, "precision '" + name + "' given twice");
    // A precision the part does not support is left out, so a rate of zero is a mistake.
    Result<double> v = Number(r, Field{key, kv.second, f.name + "." + name}, Sign::kPositive);
    if (!v.ok()) return v.status();
    out.emplace(*p, *v);
  }
  return out;
}

// Lower-case slugs keep ids safe in file names, URLs and rule text.
bool IsSlug(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return s.front() != '-' && s.back() != '-';
}

struct StringField {
  std::string_view name;
  std::string AcceleratorSpec::*member;
};
constexpr StringField kStringFields[] = {
    {"name", &AcceleratorSpec::name},
    {"vendor", &AcceleratorSpec::vendor},
    {"form_factor", &AcceleratorSpec::form_factor},
    {"memory_type", &AcceleratorSpec::memory_type},
    {"source", &AcceleratorSpec::source},
    {"notes", &AcceleratorSpec::notes},
};
constexpr StringField kCountryFields[] = {
    {"designer_country", &AcceleratorSpec::designer_country},
    {"fab_country", &AcceleratorSpec::fab_country},
};

struct NumberField {
  std::string_view name;
  std::optional<double> AcceleratorSpec::*member;
  Sign sign;
};
constexpr NumberField kNumberFields[] = {
    // Performance density divides by the die area.
    {"die_area_mm2", &AcceleratorSpec::die_area_mm2, Sign::kPositive},
    {"memory_gb", &AcceleratorSpec::memory_gb, Sign::kNonNegative},
    {"dram_bw_gbs", &AcceleratorSpec::dram_bw_gbs, Sign::kNonNegative},
    {"io_bw_gbs", &AcceleratorSpec::io_bw_gbs, Sign::kNonNegative},
    {"tdp_w", &AcceleratorSpec::tdp_w, Sign::kNonNegative},
    {"price_usd", &AcceleratorSpec::price_usd, Sign::kNonNegative},
    {"transistors_bn", &AcceleratorSpec::transistors_bn, Sign::kNonNegative},
};

// Keys that describe the entry rather than state a fact, so they cannot be estimates.
const std::set<std::string, std::less<>>& NotEstimable() {
  static const auto* const keys = new std::set<std::string, std::less<>>{
      "id", "name", "aliases", "estimates", "source", "notes", "hypothetical"};
  return *keys;
}

// Reads one key of an entry into `spec`.
Status ReadField(const Reporter& r, const Field& f, AcceleratorSpec& spec) {
  if (f.name == "id") {
    Result<std::string> s = Text(r, f);
    if (!s.ok()) return s.status();
    if (!IsSlug(*s)) {
      return r.Error(f, "'" + *s + "' is not a slug (lower-case letters, digits and '-')");
    }
    spec.id = std::move(s).value();
    return Status::Ok();
  }
  for (const StringField& sf : kStringFields) {
    if (f.name != sf.name) continue;
    Result<std::string> s = Text(r, f);
    if (!s.ok()) return s.status();
    spec.*sf.member = std::move(s).value();
    return Status::Ok();
  }
  for (const StringField& cf : kCountryFields) {
    if (f.name != cf.name) continue;
    Result<std::string> s = CountryCode(r, f);
    if (!s.ok()) return s.status();
    spec.*cf.member = std::move(s).value();
    return Status::Ok();
  }
  for (const NumberField& nf : kNumberFields) {
    if (f.name != nf.name) continue;
    Result<double> v = Number(r, f, nf.sign);
    if (!v.ok()) return v.status();
    spec.*nf.member = *v;
    return Status::Ok();
  }
  if (f.name == "aliases" || f.name == "estimates" || f.name == "domestic_in") {
    Result<std::vector<std::string>> list =
        List(r, f, f.name == "domestic_in" ? ListOf::kCountryCodes : ListOf::kText);
    if (!list.ok()) return list.status();
    std::vector<std::string>& out = f.name == "aliases"     ? spec.aliases
                                    : f.name == "estimates" ? spec.estimates
                                                            : spec.domestic_in;
    out = std::move(list).value();
    return Status::Ok();
  }
  if (f.name == "launch_year") {
    Result<double> v = Number(r, f, Sign::kNonNegative);
    if (!v.ok()) return v.status();
    if (*v != std::floor(*v) || *v < kMinLaunchYear || *v > kMaxLaunchYear) {
      return r.Error(f, "expected a year between " + std::to_string(kMinLaunchYear) + " and " +
                            std::to_string(kMaxLaunchYear) + ", got " + f.value.Scalar());
    }
    spec.launch_year = static_cast<int>(*v);
    return Status::Ok();
  }
  if (f.name == "datacenter" || f.name == "hypothetical") {
    Result<bool> b = Bool(r, f);
    if (!b.ok()) return b.status();
    if (f.name == "datacenter") {
      spec.datacenter = *b;
    } else {
      spec.hypothetical = *b;
    }
    return Status::Ok();
  }
  if (f.name == "dense_tops") {
    Result<std::map<Precision, double>> tops = DenseTops(r, f);
    if (!tops.ok()) return tops.status();
    spec.dense_tops = std::move(tops).value();
    return Status::Ok();
  }
  return r.Error(f.key, f.name, "unknown key");
}

// Ids and aliases already taken, by LookupKey(), with the id of the entry that took them.
class NameRegistry {
 public:
  Status Claim(const Reporter& r, const YAML::Node& at, std::string_view key,
               const std::string& name, const std::string& id) {
    const auto [it, inserted] = owners_.emplace(LookupKey(name), id);
    if (inserted) return Status::Ok();
    // Case-insensitive: "h100" and "H100" would be the same lookup.
    const std::string& owner = it->second;
    if (LookupKey(owner) == it->first) {
      return r.Error(at, key, "'" + name + "' is already the id of an entry");
    }
    return r.Error(at, key, "'" + name + "' is already an alias of '" + owner + "'");
  }

 private:
  std::map<std::string, std::string> owners_;
};

// Every estimate must name a fact this entry states: "dense_tops", "dense_tops.<precision>",
// or another key present in the entry.
Status CheckEstimates(const Reporter& r, const YAML::Node& entry, const AcceleratorSpec& spec,
                      const std::set<std::string>& keys) {
  const YAML::Node list = entry["estimates"];
  for (size_t i = 0; i < spec.estimates.size(); ++i) {
    const std::string& name = spec.estimates[i];
    bool ok = keys.count(name) > 0 && !NotEstimable().count(name);
    constexpr std::string_view kRatePrefix = "dense_tops.";
    if (name.starts_with(kRatePrefix)) {
      const std::optional<Precision> p = ParsePrecision(name.substr(kRatePrefix.size()));
      ok = p && spec.dense_tops.count(*p);
    }
    if (!ok) {
      return r.Error(list[i], "estimates",
                     "'" + name + "' is not a fact this entry states, so it cannot be an estimate");
    }
  }
  return Status::Ok();
}

Result<AcceleratorSpec> ParseEntry(const Reporter& r, const YAML::Node& entry,
                                   NameRegistry& names) {
  if (!entry.IsMap()) {
    return r.Error(entry, kListKey, "each entry must be a map, got a " + KindName(entry));
  }
  AcceleratorSpec spec;
  std::set<std::string> keys;
  for (const auto& kv : entry) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar())
      return r.Error(key, kListKey, "keys must be names, got a " + KindName(key));
    const Field f{key, kv.second, key.Scalar()};
    if (!keys.insert(f.name).second) return r.Error(key, f.name, "key given twice");
    GPUFLEET_RETURN_IF_ERROR(ReadField(r, f, spec));
  }
  for (const char* required : {"id", "name", "vendor"}) {
    if (!keys.count(required)) {
      return r.Error(entry, required, "missing; every entry needs an id, a name and a vendor");
    }
  }
  GPUFLEET_RETURN_IF_ERROR(CheckEstimates(r, entry, spec, keys));
  GPUFLEET_RETURN_IF_ERROR(names.Claim(r, entry["id"], "id", spec.id, spec.id));
  const YAML::Node aliases = entry["aliases"];
  for (size_t i = 0; i < spec.aliases.size(); ++i) {
    GPUFLEET_RETURN_IF_ERROR(names.Claim(r, aliases[i], "aliases", spec.aliases[i], spec.id));
  }
  return spec;
}

Result<std::vector<AcceleratorSpec>> ParseDocument(const Reporter& r, const YAML::Node& root) {
  if (!root.IsMap()) {
    return r.Error(
        root, "document",
        std::string("expected a map with an '") + kListKey + "' list, got a " + KindName(root));
  }
  std::optional<YAML::Node> list;
  for (const auto& kv : root) {
    const YAML::Node& key = kv.first;
    const std::string name = key.IsScalar() ? key.Scalar() : "<" + KindName(key) + ">";
    if (name != kListKey) return r.Error(key, name, "unknown key");
    if (list) return r.Error(key, name, "key given twice");
    list = kv.second;
  }
  if (!list) return r.Error(root, kListKey, "missing");
  if (!list->IsSequence()) {
    return r.Error(list->Mark().is_null() ? root : *list, kListKey,
                   "expected a list, got a " + KindName(*list));
  }
  std::vector<AcceleratorSpec> specs;
  NameRegistry names;
  for (const YAML::Node& entry : *list) {
    Result<AcceleratorSpec> spec = ParseEntry(r, entry, names);
    if (!spec.ok()) return spec.status();
    specs.push_back(std::move(spec).value());
  }
  return specs;
}

}  // namespace

Result<std::vector<AcceleratorSpec>> ParseCatalogYaml(std::string_view yaml,
                                                      const std::string& file) {
  const Reporter r(file);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) {
      return Status::InvalidArgument(file + ": empty document; expected a map with an '" +
                                     kListKey + "' list");
    }
    return ParseDocument(r, root);
  } catch (const YAML::Exception& e) {
    // Syntax errors, and as a last resort anything yaml-cpp throws while the document is
    // walked: the walk checks node types first, so this should only be syntax.
    return Status::InvalidArgument(r.Where(e.mark) + ": invalid YAML: " + e.msg);
  }
}

}  // namespace gpufleet::catalog
