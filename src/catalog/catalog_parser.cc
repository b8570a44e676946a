#include "catalog/catalog_parser.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "catalog/lookup_key.h"
#include "gpufleet/codec/yaml_country.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::catalog {
namespace {

using codec::YamlErrors;
using codec::YamlField;
using codec::YamlMap;
using codec::YamlNode;

// Bounds that catch a mistyped year (20244) without judging which years are plausible.
constexpr int kMinLaunchYear = 1970;
constexpr int kMaxLaunchYear = 2100;

constexpr char kListKey[] = "accelerators";
constexpr std::string_view kDocumentKeys[] = {kListKey};
// Every key of an entry, in the order the shipped catalog writes them.
constexpr std::string_view kEntryKeys[] = {"id",           "name",           "aliases",
                                           "device_names", "vendor",         "designer_country",
                                           "fab_country",  "domestic_in",    "launch_year",
                                           "form_factor",  "datacenter",     "dense_tops",
                                           "die_area_mm2", "memory_gb",      "memory_type",
                                           "dram_bw_gbs",  "io_bw_gbs",      "tdp_w",
                                           "price_usd",    "transistors_bn", "estimates",
                                           "hypothetical", "source",         "notes"};

enum class Sign : uint8_t { kNonNegative, kPositive };

// A number as the codec reads it (written unquoted, finite), of the given sign.
Result<double> Number(const YamlMap& m, const YamlField& f, Sign sign) {
  Result<double> v = m.ReadNumber(f);
  if (!v.ok()) return v;
  const std::string& text = f.value->scalar();
  if (*v < 0) return m.Error(f, "must not be negative, got " + Excerpt(text));
  if (sign == Sign::kPositive && *v == 0)
    return m.Error(f, "must be positive, got " + Excerpt(text));
  return v;
}

Result<std::map<Precision, double>> DenseTops(const YamlMap& m, const YamlField& f) {
  if (!f.value->IsMap()) {
    return m.Error(f, "expected a map of precision to dense TOPS, got " + f.value->Describe());
  }
  std::map<Precision, double> out;
  for (const YamlNode::Entry& kv : f.value->entries()) {
    const YamlNode& key = kv.key;
    const std::string name = key.IsScalar() ? key.scalar() : "";
    const std::optional<Precision> p = ParsePrecision(name);
    if (!p) {
      return m.ErrorAt(key, f.name,
                       "unknown precision '" + name +
                           "' (known: fp64 fp32 tf32 fp16 bf16 fp8 int8 fp6 fp4 int4)");
    }
    if (out.count(*p))
      return m.ErrorAt(key, f.name, "precision '" + Excerpt(name) + "' given twice");
    // A precision the part does not support is left out, so a rate of zero is a mistake.
    Result<double> v = Number(m, YamlField{&key, &kv.value, f.name + "." + name}, Sign::kPositive);
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
      "id", "name", "aliases", "device_names", "estimates", "source", "notes", "hypothetical"};
  return *keys;
}

// Reads one key of an entry into `spec`.
Status ReadField(const YamlMap& m, const YamlField& f, AcceleratorSpec& spec) {
  if (f.name == "id") {
    Result<std::string> s = m.ReadText(f);
    if (!s.ok()) return s.status();
    if (!IsSlug(*s)) {
      return m.Error(f, "'" + Excerpt(*s) + "' is not a slug (lower-case letters, digits and '-')");
    }
    spec.id = std::move(s).value();
    return Status::Ok();
  }
  for (const StringField& sf : kStringFields) {
    if (f.name != sf.name) continue;
    Result<std::string> s = m.ReadText(f);
    if (!s.ok()) return s.status();
    spec.*sf.member = std::move(s).value();
    return Status::Ok();
  }
  for (const StringField& cf : kCountryFields) {
    if (f.name != cf.name) continue;
    Result<std::string> s = codec::ReadCountryCode(m, f);
    if (!s.ok()) return s.status();
    spec.*cf.member = std::move(s).value();
    return Status::Ok();
  }
  for (const NumberField& nf : kNumberFields) {
    if (f.name != nf.name) continue;
    Result<double> v = Number(m, f, nf.sign);
    if (!v.ok()) return v.status();
    spec.*nf.member = *v;
    return Status::Ok();
  }
  if (f.name == "aliases" || f.name == "device_names" || f.name == "estimates" ||
      f.name == "domestic_in") {
    Result<std::vector<std::string>> list =
        f.name == "domestic_in" ? codec::ReadCountryCodes(m, f) : m.ReadStrings(f);
    if (!list.ok()) return list.status();
    std::vector<std::string>& out = f.name == "aliases"        ? spec.aliases
                                    : f.name == "device_names" ? spec.device_names
                                    : f.name == "estimates"    ? spec.estimates
                                                               : spec.domestic_in;
    out = std::move(list).value();
    return Status::Ok();
  }
  if (f.name == "launch_year") {
    Result<double> v = Number(m, f, Sign::kNonNegative);
    if (!v.ok()) return v.status();
    if (*v != std::floor(*v) || *v < kMinLaunchYear || *v > kMaxLaunchYear) {
      return m.Error(f, "expected a year between " + std::to_string(kMinLaunchYear) + " and " +
                            std::to_string(kMaxLaunchYear) + ", got " + f.value->scalar());
    }
    spec.launch_year = static_cast<int>(*v);
    return Status::Ok();
  }
  if (f.name == "datacenter" || f.name == "hypothetical") {
    Result<bool> b = m.ReadBool(f);
    if (!b.ok()) return b.status();
    if (f.name == "datacenter") {
      spec.datacenter = *b;
    } else {
      spec.hypothetical = *b;
    }
    return Status::Ok();
  }
  if (f.name == "dense_tops") {
    Result<std::map<Precision, double>> tops = DenseTops(m, f);
    if (!tops.ok()) return tops.status();
    spec.dense_tops = std::move(tops).value();
    return Status::Ok();
  }
  return m.UnknownKey(f, kEntryKeys);
}

// Ids and aliases already taken, by LookupKey(), with the id of the entry that took them.
class NameRegistry {
 public:
  Status Claim(const YamlMap& m, const YamlNode& at, std::string_view key, const std::string& name,
               const std::string& id) {
    const auto [it, inserted] = owners_.emplace(LookupKey(name), id);
    if (inserted) return Status::Ok();
    // Case-insensitive: "h100" and "H100" would be the same lookup.
    const std::string& owner = it->second;
    if (LookupKey(owner) == it->first) {
      return m.ErrorAt(at, key, "'" + Excerpt(name) + "' is already the id of an entry");
    }
    return m.ErrorAt(at, key,
                     "'" + Excerpt(name) + "' is already an alias of '" + Excerpt(owner) + "'");
  }

 private:
  std::map<std::string, std::string> owners_;
};

// Every estimate must name a fact this entry states: "dense_tops", "dense_tops.<precision>",
// or another key present in the entry.
Status CheckEstimates(const YamlMap& entry, const AcceleratorSpec& spec) {
  for (size_t i = 0; i < spec.estimates.size(); ++i) {
    const std::string& name = spec.estimates[i];
    bool ok = entry.Has(name) && !NotEstimable().count(name);
    constexpr std::string_view kRatePrefix = "dense_tops.";
    if (name.starts_with(kRatePrefix)) {
      const std::optional<Precision> p = ParsePrecision(name.substr(kRatePrefix.size()));
      ok = p && spec.dense_tops.count(*p);
    }
    if (!ok) {
      return entry.ErrorAt(
          entry.Find("estimates")->value->items()[i], "estimates",
          "'" + Excerpt(name) + "' is not a fact this entry states, so it cannot be an estimate");
    }
  }
  return Status::Ok();
}

Result<AcceleratorSpec> ParseEntry(const YamlMap& doc, const YamlNode& node, NameRegistry& names) {
  if (!node.IsMap()) {
    return doc.ErrorAt(node, kListKey, "each entry must be a map, got " + node.Describe());
  }
  Result<YamlMap> entry = YamlMap::Read(node, doc.errors(), kListKey);
  if (!entry.ok()) return entry.status();
  AcceleratorSpec spec;
  for (const YamlField& f : entry->fields()) GPUFLEET_RETURN_IF_ERROR(ReadField(*entry, f, spec));
  GPUFLEET_RETURN_IF_ERROR(
      entry->RequireKeys({"id", "name", "vendor"}, "every entry needs an id, a name and a vendor"));
  GPUFLEET_RETURN_IF_ERROR(CheckEstimates(*entry, spec));
  GPUFLEET_RETURN_IF_ERROR(names.Claim(*entry, *entry->Find("id")->value, "id", spec.id, spec.id));
  for (size_t i = 0; i < spec.aliases.size(); ++i) {
    const YamlNode& at = entry->Find("aliases")->value->items()[i];
    GPUFLEET_RETURN_IF_ERROR(names.Claim(*entry, at, "aliases", spec.aliases[i], spec.id));
  }
  return spec;
}

Result<std::vector<AcceleratorSpec>> ParseDocument(const YamlErrors& errors, const YamlNode& root) {
  if (!root.IsMap()) {
    return errors.Error(
        root, "document",
        std::string("expected a map with an '") + kListKey + "' list, got " + root.Describe());
  }
  Result<YamlMap> doc = YamlMap::Read(root, errors, "document");
  if (!doc.ok()) return doc.status();
  for (const YamlField& f : doc->fields()) {
    if (f.name != kListKey) return doc->UnknownKey(f, kDocumentKeys);
  }
  const YamlField* list = doc->Find(kListKey);
  if (list == nullptr) return doc->Missing(kListKey);
  Result<std::vector<YamlField>> entries = doc->ReadList(*list);
  if (!entries.ok()) return entries.status();
  std::vector<AcceleratorSpec> specs;
  NameRegistry names;
  for (const YamlField& entry : *entries) {
    Result<AcceleratorSpec> spec = ParseEntry(*doc, *entry.value, names);
    if (!spec.ok()) return spec.status();
    specs.push_back(std::move(spec).value());
  }
  return specs;
}

}  // namespace

Result<std::vector<AcceleratorSpec>> ParseCatalogYaml(std::string_view yaml,
                                                      const std::string& file) {
  Result<codec::YamlNode> root = codec::ParseYaml(yaml, file);
  if (!root.ok()) return root.status();
  if (root->IsNull()) {
    return Status::InvalidArgument(file + ": empty document; expected a map with an '" + kListKey +
                                   "' list");
  }
  return ParseDocument(YamlErrors(file), *root);
}

}  // namespace gpufleet::catalog
