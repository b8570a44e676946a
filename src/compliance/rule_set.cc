// Loading and validating rule files (docs/compliance.md, "Rule file format").

#include "gpufleet/compliance/rule_set.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <string_view>

#include "compliance/rule_references.h"
#include "compliance/rule_set_validation.h"
#include "gpufleet/catalog/accelerator.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/model/country_code.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance {
namespace {

using codec::YamlErrors;
using codec::YamlField;
using codec::YamlMap;
using codec::YamlNode;

// Rule files have always read quoted numbers and flags ("30", "true") as their values, and an
// empty `key:` as leaving the key out; the catalog and fleet readers are stricter.
constexpr codec::YamlReadOptions kRuleFileOptions{.quoted_scalars_ok = true,
                                                  .empty_is_absent = true};

constexpr std::string_view kFileKeys[] = {"compiled", "groups",   "derived",
                                          "rules",    "licences", "quotas"};
constexpr std::string_view kDerivedKeys[] = {"name", "effective_from", "predicate", "source"};
constexpr std::string_view kRuleKeys[] = {"id",
                                          "version",
                                          "kind",
                                          "jurisdiction",
                                          "effective_from",
                                          "effective_to",
                                          "not_enforced_from",
                                          "chip",
                                          "locations",
                                          "locations_except",
                                          "end_user_hq",
                                          "transfers",
                                          "data_classes",
                                          "condition",
                                          "action",
                                          "licence_policy",
                                          "revenue_share_pct",
                                          "needs_granted_licence",
                                          "precedence",
                                          "grace_hours",
                                          "carves_out",
                                          "source",
                                          "summary"};
constexpr std::string_view kQuotaKeys[] = {"id",
                                           "version",
                                           "kind",
                                           "jurisdiction",
                                           "effective_from",
                                           "effective_to",
                                           "not_enforced_from",
                                           "measure",
                                           "basis",
                                           "threshold_pct",
                                           "comparison",
                                           "domestic_to",
                                           "locations",
                                           "sites",
                                           "per_site",
                                           "action",
                                           "source",
                                           "summary"};
constexpr std::string_view kLicenceKeys[] = {
    "id",        "jurisdiction",      "holder",     "models",
    "locations", "transfers",         "valid_from", "valid_to",
    "status",    "revenue_share_pct", "conditions", "revoked_on"};

// Precedence only orders rules of one scope; a value beyond this is a typo, and keeping it
// small keeps the comparison of two precedences far from int overflow.
constexpr int kMaxPrecedence = 1'000'000;
// A grace period longer than a year is a rule that does not bind.
constexpr int kMaxGraceHours = 8760;

bool IsFactName(std::string_view s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Data-class names, as jobs carry them ("cn_personal").
bool IsDataClassName(std::string_view s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Groups as written, expanded to countries.
class GroupExpander {
 public:
  explicit GroupExpander(const std::string& file) : errors_(file) {}

  // `groups` is the rule file's `groups` map, or nullptr when the file has none.
  Result<GroupMap> ExpandAll(const YamlMap* groups) {
    GroupMap out;
    if (groups == nullptr) return out;
    for (const YamlField& f : groups->fields()) {
      if (std::optional<std::string> problem = internal::GroupNameProblem(f.name)) {
        return errors_.Error(*f.key, "", "group " + *problem);
      }
      fields_.emplace(f.name, f);
    }
    for (const auto& [name, field] : fields_) {
      Result<std::vector<std::string>> members = Expand(name, *field.key);
      if (!members.ok()) return members.status();
      out[name] = std::move(members).value();
    }
    return out;
  }

 private:
  Result<std::vector<std::string>> Expand(const std::string& name, const YamlNode& at) {
    if (auto done = expanded_.find(name); done != expanded_.end()) return done->second;
    if (std::find(stack_.begin(), stack_.end(), name) != stack_.end()) {
      return errors_.Error(at, "", "group '" + Excerpt(name) + "' contains itself");
    }
    const YamlField& field = fields_.at(name);
    if (!field.value->IsList()) {
      return errors_.Error(field.At(), "",
                           "group '" + Excerpt(name) + "': expected a list of countries or groups");
    }
    stack_.push_back(name);
    std::vector<std::string> out;
    for (const YamlNode& item : field.value->items()) {
      const std::string& member = item.scalar();
      if (fields_.count(member)) {
        Result<std::vector<std::string>> inner = Expand(member, item);
        if (!inner.ok()) return inner.status();
        out.insert(out.end(), inner->begin(), inner->end());
      } else if (IsCountryCode(member)) {
        out.push_back(member);
      } else {
        return errors_.Error(
            item, "", "group '" + Excerpt(name) + "': " + internal::UnknownGroupOrCountry(member));
      }
    }
    stack_.pop_back();
    SortUnique(out);
    expanded_[name] = out;
    return out;
  }

  YamlErrors errors_;
  // Group name -> its field in the file.
  std::map<std::string, YamlField> fields_;
  std::map<std::string, std::vector<std::string>> expanded_;
  std::vector<std::string> stack_;
};

// Where the reader puts what it reads.
struct RuleSetParts {
  std::vector<Rule>* rules;
  std::vector<DerivedFact>* derived;
  std::vector<Licence>* licences;
  std::vector<Quota>* quotas;
  GroupMap* groups;
  std::optional<Date>* compiled;
};

class RuleFileReader {
 public:
  RuleFileReader(std::string file, const std::map<std::string, std::string, std::less<>>& model_ids)
      : file_(std::move(file)),
        model_ids_(model_ids),
        literal_checks_(internal::RuleLiteralChecks(model_ids)) {}

  Status Read(const YamlNode& root, RuleSetParts parts) {
    std::vector<Rule>& rules = *parts.rules;
    std::vector<DerivedFact>& derived = *parts.derived;
    std::vector<Licence>& licences = *parts.licences;
    GroupMap& groups = *parts.groups;
    Result<YamlMap> top = ReadEntry(root, "rule file", kFileKeys);
    if (!top.ok()) return top.status();
    Result<std::optional<Date>> compiled = top->OptionalDate("compiled");
    if (!compiled.ok()) return compiled.status();
    *parts.compiled = *compiled;
    std::optional<YamlMap> group_map;
    if (const YamlField* g = top->Find("groups")) {
      Result<YamlMap> m = top->ReadMap(*g);
      if (!m.ok()) return m.status();
      group_map = std::move(m).value();
    }
    Result<GroupMap> g = GroupExpander(file_).ExpandAll(group_map ? &*group_map : nullptr);
    if (!g.ok()) return g.status();
    groups = std::move(g).value();
    groups_ = &groups;

    for (const auto& [name, type] : catalog::ChipFieldTypes()) chip_schema_[name] = type;
    GPUFLEET_RETURN_IF_ERROR(ForEach(*top, "derived", [&](const YamlNode& n) {
      Result<DerivedFact> d = ReadDerived(n);
      if (!d.ok()) return d.status();
      chip_schema_[d->name] = ValueType::kBool;
      derived.push_back(std::move(d).value());
      return Status::Ok();
    }));
    situation_schema_ = chip_schema_;
    for (const auto& [name, type] : SituationFieldTypes()) situation_schema_[name] = type;

    GPUFLEET_RETURN_IF_ERROR(ForEach(*top, "rules", [&](const YamlNode& n) {
      Result<Rule> r = ReadRule(n);
      if (!r.ok()) return r.status();
      rules.push_back(std::move(r).value());
      return Status::Ok();
    }));
    GPUFLEET_RETURN_IF_ERROR(ForEach(*top, "quotas", [&](const YamlNode& n) {
      Result<Quota> q = ReadQuota(n);
      if (!q.ok()) return q.status();
      parts.quotas->push_back(std::move(q).value());
      return Status::Ok();
    }));
    return ForEach(*top, "licences", [&](const YamlNode& n) {
      Result<Licence> l = ReadLicence(n);
      if (!l.ok()) return l.status();
      licences.push_back(std::move(l).value());
      return Status::Ok();
    });
  }

 private:
  // `n` as a map of `known` keys; messages name it `what` until it has an id.
  Result<YamlMap> ReadEntry(const YamlNode& n, const std::string& what,
                            std::span<const std::string_view> known) const {
    Result<YamlMap> m = YamlMap::Read(n, YamlErrors(file_, what), "", kRuleFileOptions);
    if (!m.ok()) return m.status();
    GPUFLEET_RETURN_IF_ERROR(m->CheckKeys(known));
    return m;
  }

  template <typename Fn>
  Status ForEach(const YamlMap& top, std::string_view key, Fn fn) {
    const YamlField* list = top.Find(key);
    if (list == nullptr) return Status::Ok();
    Result<std::vector<YamlField>> items = top.ReadList(*list);
    if (!items.ok()) return items.status();
    for (const YamlField& item : *items) GPUFLEET_RETURN_IF_ERROR(fn(*item.value));
    return Status::Ok();
  }

  // The text of `key` into `out`; `out` keeps its value when the key is absent, unless the
  // key is `required`.
  static Status ReadString(const YamlMap& f, std::string_view key, bool required,
                           std::string& out) {
    if (required) {
      Result<std::string> s = f.String(key);
      if (!s.ok()) return s.status();
      out = std::move(s).value();
      return Status::Ok();
    }
    Result<std::optional<std::string>> s = f.OptionalString(key);
    if (!s.ok()) return s.status();
    if (*s) out = std::move(**s);
    return Status::Ok();
  }

  Result<Predicate> ReadPredicate(const YamlMap& f, std::string_view key,
                                  const FieldSchema& schema) {
    Result<std::optional<std::string>> text = f.OptionalString(key);
    if (!text.ok()) return text.status();
    if (!*text) return Predicate::True();
    Result<Predicate> p = Predicate::Parse(**text, schema, *groups_, literal_checks_);
    if (!p.ok()) return f.Error(key, p.status().message());
    return p;
  }

  // Countries named directly or through groups, sorted; an error points at the item.
  Result<std::vector<std::string>> ReadCountries(const YamlMap& f, std::string_view key) {
    std::vector<std::string> out;
    const YamlField* field = f.Find(key);
    if (field == nullptr) return out;
    Result<std::vector<YamlField>> items = f.ReadList(*field);
    if (!items.ok()) return items.status();
    for (const YamlField& item : *items) {
      Result<std::string> n = f.ReadText(item);
      if (!n.ok()) return n.status();
      if (auto g = groups_->find(*n); g != groups_->end()) {
        out.insert(out.end(), g->second.begin(), g->second.end());
      } else if (IsCountryCode(*n)) {
        out.push_back(*n);
      } else {
        return f.Error(item, internal::UnknownGroupOrCountry(*n));
      }
    }
    SortUnique(out);
    return out;
  }

  // A jurisdiction: a country code or a longer name (internal::JurisdictionProblem).
  static Status ReadJurisdiction(const YamlMap& f, bool required, std::string& out) {
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "jurisdiction", required, out));
    if (std::optional<std::string> problem = internal::JurisdictionProblem(out)) {
      return f.Error("jurisdiction", *problem);
    }
    return Status::Ok();
  }

  Result<TransferMask> ReadTransfers(const YamlMap& f) {
    Result<std::vector<std::string>> names = f.Strings("transfers");
    if (!names.ok()) return names.status();
    TransferMask mask = 0;
    for (const std::string& n : *names) {
      Result<TransferType> t = ParseTransferType(n);
      if (!t.ok()) return f.Error("transfers", t.status().message());
      mask |= static_cast<TransferMask>(1u << static_cast<int>(*t));
    }
    return mask;
  }

  // `data_classes`, sorted; each name valid and listed once, errors pointing at the item.
  static Result<std::vector<std::string>> ReadDataClasses(const YamlMap& f) {
    std::vector<std::string> out;
    const YamlField* field = f.Find("data_classes");
    if (field == nullptr) return out;
    Result<std::vector<YamlField>> items = f.ReadList(*field);
    if (!items.ok()) return items.status();
    for (const YamlField& item : *items) {
      Result<std::string> name = f.ReadText(item);
      if (!name.ok()) return name.status();
      if (!IsDataClassName(*name)) {
        return f.Error(item,
                       "'" + Excerpt(*name) + "' is not a data class name ([a-z][a-z0-9_-]*)");
      }
      if (std::find(out.begin(), out.end(), *name) != out.end()) {
        return f.Error(item, "'" + Excerpt(*name) + "' is listed twice");
      }
      out.push_back(std::move(name).value());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<DerivedFact> ReadDerived(const YamlNode& n) {
    Result<YamlMap> f = ReadEntry(n, "derived fact", kDerivedKeys);
    if (!f.ok()) return f.status();
    DerivedFact d;
    GPUFLEET_RETURN_IF_ERROR(ReadString(*f, "name", true, d.name));
    const YamlMap named = f->WithContext("derived fact '" + Excerpt(d.name) + "'");
    if (!IsFactName(d.name))
      return named.Error("name", "'" + Excerpt(d.name) + "' is not a fact name ([a-z_][a-z0-9_]*)");
    if (chip_schema_.count(d.name))
      return named.Error("name", "'" + Excerpt(d.name) + "' is already a fact");
    Result<std::optional<Date>> from = named.OptionalDate("effective_from");
    if (!from.ok()) return from.status();
    if (*from) d.effective_from = **from;
    if (!named.Has("predicate")) return named.Missing("predicate");
    Result<Predicate> p = ReadPredicate(named, "predicate", chip_schema_);
    if (!p.ok()) return p.status();
    d.predicate = std::move(p).value();
    GPUFLEET_RETURN_IF_ERROR(ReadString(named, "source", false, d.source));
    return d;
  }

  Result<Rule> ReadRule(const YamlNode& n) {
    Rule r;
    Result<YamlMap> named = ReadVersionedEntry(n, "rule", kRuleKeys, r);
    if (!named.ok()) return named.status();
    const YamlMap& f = *named;
    Result<Predicate> chip = ReadPredicate(f, "chip", chip_schema_);
    if (!chip.ok()) return chip.status();
    r.chip = std::move(chip).value();
    Result<Predicate> condition = ReadPredicate(f, "condition", situation_schema_);
    if (!condition.ok()) return condition.status();
    r.condition = std::move(condition).value();
    for (auto [key, out] :
         {std::pair{"locations", &r.locations}, std::pair{"locations_except", &r.locations_except},
          std::pair{"end_user_hq", &r.end_user_hq}}) {
      Result<std::vector<std::string>> countries = ReadCountries(f, key);
      if (!countries.ok()) return countries.status();
      *out = std::move(countries).value();
    }
    Result<TransferMask> transfers = ReadTransfers(f);
    if (!transfers.ok()) return transfers.status();
    r.transfers = *transfers;
    Result<std::vector<std::string>> data_classes = ReadDataClasses(f);
    if (!data_classes.ok()) return data_classes.status();
    r.data_classes = std::move(data_classes).value();
    Result<std::string> action = f.String("action");
    if (!action.ok()) return action.status();
    Result<Action> a = ParseAction(*action);
    if (!a.ok()) return f.Error("action", a.status().message());
    r.action = *a;
    Result<std::optional<double>> share = f.OptionalNumber("revenue_share_pct");
    if (!share.ok()) return share.status();
    r.revenue_share_pct = *share;
    if (r.revenue_share_pct && (*r.revenue_share_pct < 0 || *r.revenue_share_pct > 100)) {
      return f.Error("revenue_share_pct", "must be within 0..100");
    }
    if (r.action == Action::kAllowedWithRevenueShare && !r.revenue_share_pct) {
      return f.Error("action", "allowed_with_revenue_share needs revenue_share_pct");
    }
    Result<std::optional<bool>> needs_licence = f.OptionalBool("needs_granted_licence");
    if (!needs_licence.ok()) return needs_licence.status();
    r.needs_granted_licence = needs_licence->value_or(false);
    if (r.needs_granted_licence && r.action >= Action::kLicenceRequired) {
      return f.Error("needs_granted_licence",
                     "a licensed route gives a milder action than licence_required");
    }
    Result<std::optional<int>> precedence = f.OptionalInt("precedence");
    if (!precedence.ok()) return precedence.status();
    r.precedence = precedence->value_or(0);
    if (r.precedence < -kMaxPrecedence || r.precedence > kMaxPrecedence) {
      return f.Error("precedence", "must be within -" + std::to_string(kMaxPrecedence) + ".." +
                                       std::to_string(kMaxPrecedence));
    }
    Result<std::optional<int>> grace = f.OptionalInt("grace_hours");
    if (!grace.ok()) return grace.status();
    if (grace->has_value()) {
      if (**grace < 0 || **grace > kMaxGraceHours) {
        return f.Error("grace_hours", "must be within 0.." + std::to_string(kMaxGraceHours));
      }
      r.grace_hours = **grace;
    }
    Result<std::vector<std::string>> carves = f.Strings("carves_out");
    if (!carves.ok()) return carves.status();
    r.carves_out = std::move(carves).value();
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "licence_policy", false, r.licence_policy));
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "source", true, r.source));
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "summary", false, r.summary));
    return r;
  }

  // What rules and quotas share: the entry's line, id, version, kind, jurisdiction and dates.
  // Returns the entry's map, its messages named after the id ("rule 'R1'").
  template <typename Versioned>
  Result<YamlMap> ReadVersionedEntry(const YamlNode& n, const std::string& what,
                                     std::span<const std::string_view> known, Versioned& out) {
    Result<YamlMap> f0 = ReadEntry(n, what, known);
    if (!f0.ok()) return f0.status();
    out.line = f0->line();
    GPUFLEET_RETURN_IF_ERROR(ReadString(*f0, "id", true, out.id));
    YamlMap f = f0->WithContext(what + " '" + Excerpt(out.id) + "'");
    Result<std::optional<int>> version = f.OptionalInt("version");
    if (!version.ok()) return version.status();
    out.version = version->value_or(1);
    if (out.version <= 0) {
      return f.Error("version", "must be 1 or more, got " + std::to_string(out.version));
    }
    Result<RuleKind> kind = ReadKind(f);
    if (!kind.ok()) return kind.status();
    out.kind = *kind;
    GPUFLEET_RETURN_IF_ERROR(ReadJurisdiction(f, true, out.jurisdiction));
    GPUFLEET_RETURN_IF_ERROR(
        ReadDates(f, out.effective_from, out.effective_to, out.not_enforced_from));
    return f;
  }

  static Result<RuleKind> ReadKind(const YamlMap& f) {
    Result<std::string> kind = f.String("kind");
    if (!kind.ok()) return kind.status();
    for (RuleKind k : {RuleKind::kRegulation, RuleKind::kGuidance, RuleKind::kReported,
                       RuleKind::kProposed, RuleKind::kPolicy}) {
      if (RuleKindName(k) == *kind) return k;
    }
    return f.Error("kind", "'" + Excerpt(*kind) +
                               "' is not one of regulation, guidance, reported, proposed, policy");
  }

  // effective_from (required), effective_to, not_enforced_from, in order.
  static Status ReadDates(const YamlMap& f, Date& from, Date& to, Date& not_enforced) {
    Result<std::optional<Date>> f_from = f.OptionalDate("effective_from");
    Result<std::optional<Date>> f_to = f.OptionalDate("effective_to");
    Result<std::optional<Date>> f_ne = f.OptionalDate("not_enforced_from");
    for (const auto* d : {&f_from, &f_to, &f_ne}) {
      if (!d->ok()) return d->status();
    }
    if (!*f_from) return f.Missing("effective_from");
    from = **f_from;
    if (*f_to) to = **f_to;
    if (*f_ne) not_enforced = **f_ne;
    if (to < from) {
      return f.Error("effective_to", "dates out of order: effective_to " + to.ToString() +
                                         " is before effective_from " + from.ToString());
    }
    if (not_enforced < from) {
      return f.Error("not_enforced_from",
                     "dates out of order: before effective_from " + from.ToString());
    }
    return Status::Ok();
  }

  Result<Quota> ReadQuota(const YamlNode& n) {
    Quota q;
    Result<YamlMap> named = ReadVersionedEntry(n, "quota", kQuotaKeys, q);
    if (!named.ok()) return named.status();
    const YamlMap& f = *named;
    Result<std::string> measure = f.String("measure");
    if (!measure.ok()) return measure.status();
    if (*measure == "domestic_share_min") {
      q.measure = QuotaMeasure::kDomesticShareMin;
    } else if (*measure == "external_share_max") {
      q.measure = QuotaMeasure::kExternalShareMax;
      q.basis = QuotaBasis::kCompute;  // the resale cap is TPP-weighted unless told otherwise
    } else {
      return f.Error("measure",
                     "'" + Excerpt(*measure) + "' is not domestic_share_min or external_share_max");
    }
    Result<std::optional<std::string>> basis = f.OptionalString("basis");
    if (!basis.ok()) return basis.status();
    if (*basis) {
      bool found = false;
      for (QuotaBasis b : {QuotaBasis::kCount, QuotaBasis::kCompute, QuotaBasis::kSpend}) {
        if (QuotaBasisName(b) == **basis) {
          q.basis = b;
          found = true;
        }
      }
      if (!found)
        return f.Error("basis", "'" + Excerpt(**basis) + "' is not count, compute or spend");
    }
    Result<std::optional<double>> threshold = f.OptionalNumber("threshold_pct");
    if (!threshold.ok()) return threshold.status();
    if (!*threshold) return f.Missing("threshold_pct");
    if (**threshold < 0 || **threshold > 100)
      return f.Error("threshold_pct", "must be within 0..100");
    q.threshold_pct = **threshold;
    // No default: "more than 50%" and "at least 50%" differ exactly at the threshold, and only
    // the rule's source can say which it means.
    Result<std::string> comparison = f.String("comparison");
    if (!comparison.ok()) return comparison.status();
    bool comparison_ok = false;
    for (Comparison c : {Comparison::kGt, Comparison::kGe, Comparison::kLt, Comparison::kLe}) {
      if (ComparisonName(c) == *comparison) {
        q.comparison = c;
        comparison_ok = true;
      }
    }
    if (!comparison_ok) {
      return f.Error("comparison", "'" + Excerpt(*comparison) + "' is not one of gt, ge, lt, le");
    }
    const bool at_least = q.comparison == Comparison::kGt || q.comparison == Comparison::kGe;
    if (at_least != (q.measure == QuotaMeasure::kDomesticShareMin)) {
      return f.Error("comparison", std::string(QuotaMeasureName(q.measure)) + " takes " +
                                       (at_least ? "lt or le" : "gt or ge") + ", not " +
                                       *comparison);
    }
    q.domestic_to = q.jurisdiction;
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "domestic_to", false, q.domestic_to));
    // Domestic chips are those whose catalog domestic_in lists this country; a resale cap
    // (external_share_max) does not read it, so a policy jurisdiction (ACME) may leave it out.
    if (f.Has("domestic_to")) {
      if (std::optional<std::string> problem = CountryCodeProblem(q.domestic_to)) {
        return f.Error("domestic_to", *problem);
      }
    } else if (q.measure == QuotaMeasure::kDomesticShareMin && !IsCountryCode(q.domestic_to)) {
      return f.Error("jurisdiction", "'" + Excerpt(q.domestic_to) +
                                         "' is not a country code, so domestic_to is needed");
    }
    Result<std::vector<std::string>> locations = ReadCountries(f, "locations");
    if (!locations.ok()) return locations.status();
    q.locations = std::move(locations).value();
    Result<Predicate> sites = ReadPredicate(f, "sites", situation_schema_);
    if (!sites.ok()) return sites.status();
    q.sites = std::move(sites).value();
    Result<std::optional<bool>> per_site = f.OptionalBool("per_site");
    if (!per_site.ok()) return per_site.status();
    q.per_site = per_site->value_or(false);
    Result<std::optional<std::string>> action = f.OptionalString("action");
    if (!action.ok()) return action.status();
    if (*action) {
      Result<Action> a = ParseAction(**action);
      if (!a.ok()) return f.Error("action", a.status().message());
      q.action = *a;
    }
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "source", true, q.source));
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "summary", false, q.summary));
    return q;
  }

  Result<Licence> ReadLicence(const YamlNode& n) {
    Result<YamlMap> f0 = ReadEntry(n, "licence", kLicenceKeys);
    if (!f0.ok()) return f0.status();
    Licence l;
    l.line = f0->line();
    GPUFLEET_RETURN_IF_ERROR(ReadString(*f0, "id", true, l.id));
    const YamlMap f = f0->WithContext("licence '" + Excerpt(l.id) + "'");
    GPUFLEET_RETURN_IF_ERROR(ReadJurisdiction(f, false, l.jurisdiction));
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "holder", true, l.holder));
    GPUFLEET_RETURN_IF_ERROR(ReadString(f, "conditions", false, l.conditions));
    Result<std::vector<std::string>> models = f.Strings("models");
    if (!models.ok()) return models.status();
    if (!f.Has("models")) return f.Missing("models");
    if (models->empty()) return f.Error("models", "empty; a licence covers at least one model");
    for (const std::string& m : *models) {
      if (model_ids_.empty()) {
        l.models.push_back(m);
        continue;
      }
      auto it = model_ids_.find(m);
      if (it == model_ids_.end())
        return f.Error("models", "unknown accelerator model '" + Excerpt(m) + "'");
      l.models.push_back(it->second);
    }
    Result<std::vector<std::string>> locations = ReadCountries(f, "locations");
    if (!locations.ok()) return locations.status();
    l.locations = std::move(locations).value();
    Result<TransferMask> transfers = ReadTransfers(f);
    if (!transfers.ok()) return transfers.status();
    l.transfers = *transfers;
    Result<std::optional<Date>> from = f.OptionalDate("valid_from");
    Result<std::optional<Date>> to = f.OptionalDate("valid_to");
    if (!from.ok()) return from.status();
    if (!to.ok()) return to.status();
    if (*from) l.valid_from = **from;
    if (*to) l.valid_to = **to;
    if (l.valid_to < l.valid_from) return f.Error("valid_to", "dates out of order");
    Result<std::string> status = f.String("status");
    if (!status.ok()) return status.status();
    bool status_ok = false;
    for (LicenceStatus s : {LicenceStatus::kPending, LicenceStatus::kGranted,
                            LicenceStatus::kDenied, LicenceStatus::kRevoked}) {
      if (LicenceStatusName(s) == *status) {
        l.status = s;
        status_ok = true;
      }
    }
    if (!status_ok) {
      return f.Error("status",
                     "'" + Excerpt(*status) + "' is not one of pending, granted, denied, revoked");
    }
    Result<std::optional<Date>> revoked = f.OptionalDate("revoked_on");
    if (!revoked.ok()) return revoked.status();
    l.revoked_on = *revoked;
    if (l.revoked_on && l.status != LicenceStatus::kRevoked) {
      return f.Error("revoked_on", "only a licence with status revoked has a revocation date");
    }
    Result<std::optional<double>> share = f.OptionalNumber("revenue_share_pct");
    if (!share.ok()) return share.status();
    l.revenue_share_pct = *share;
    if (l.revenue_share_pct && (*l.revenue_share_pct < 0 || *l.revenue_share_pct > 100)) {
      return f.Error("revenue_share_pct", "must be within 0..100");
    }
    return l;
  }

  std::string file_;
  const std::map<std::string, std::string, std::less<>>& model_ids_;
  const LiteralChecks literal_checks_;
  const GroupMap* groups_ = nullptr;
  FieldSchema chip_schema_;
  FieldSchema situation_schema_;
};

}  // namespace

bool SatisfiesThreshold(Comparison c, double value, double threshold) {
  const double eps = 1e-9 * std::max(1.0, std::abs(threshold));
  switch (c) {
    case Comparison::kGt:
      return value > threshold + eps;
    case Comparison::kGe:
      return value >= threshold - eps;
    case Comparison::kLt:
      return value < threshold - eps;
    case Comparison::kLe:
      return value <= threshold + eps;
  }
  return false;
}

bool Rule::CoversLocation(std::string_view country) const {
  const auto in = [&](const std::vector<std::string>& v) {
    return std::binary_search(v.begin(), v.end(), country);
  };
  if (!locations.empty() && !in(locations)) return false;
  return !in(locations_except);
}

bool Rule::CoversEndUser(std::string_view hq, std::string_view parent_hq) const {
  if (end_user_hq.empty()) return true;
  const auto in = [&](std::string_view c) {
    return !c.empty() && std::binary_search(end_user_hq.begin(), end_user_hq.end(), c);
  };
  return in(hq) || in(parent_hq);
}

bool Rule::CoversDataClass(std::string_view data_class) const {
  if (data_classes.empty()) return true;
  return !data_class.empty() &&
         std::binary_search(data_classes.begin(), data_classes.end(), data_class);
}

Result<RuleSet> RuleSet::Load(const std::string& path,
                              const std::map<std::string, std::string, std::less<>>& model_ids) {
  Result<std::string> text = codec::ReadTextFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path, model_ids);
}

Result<RuleSet> RuleSet::Parse(std::string_view yaml, const std::string& name_for_errors,
                               const std::map<std::string, std::string, std::less<>>& model_ids) {
  Result<YamlNode> root = codec::ParseYaml(yaml, name_for_errors);
  if (!root.ok()) return root.status();
  if (root->IsNull()) return Status::InvalidArgument(name_for_errors + ": empty rule file");
  RuleSet set;
  RuleFileReader reader(name_for_errors, model_ids);
  GPUFLEET_RETURN_IF_ERROR(reader.Read(*root, {&set.rules_, &set.derived_, &set.licences_,
                                               &set.quotas_, &set.groups_, &set.compiled_}));
  GPUFLEET_RETURN_IF_ERROR(internal::ValidateRules(name_for_errors, set.rules_));
  GPUFLEET_RETURN_IF_ERROR(internal::ValidateLicences(name_for_errors, set.licences_));
  return set;
}

std::vector<const Rule*> RuleSet::Versions(std::string_view id) const {
  std::vector<const Rule*> out;
  for (const Rule& r : rules_) {
    if (r.id == id) out.push_back(&r);
  }
  std::sort(out.begin(), out.end(),
            [](const Rule* a, const Rule* b) { return a->effective_from < b->effective_from; });
  return out;
}

const FieldSchema& SituationFieldTypes() {
  static const FieldSchema* schema = new FieldSchema{
      {"location", ValueType::kString},
      {"from_country", ValueType::kString},
      {"transfer_type", ValueType::kString},
      {"holding", ValueType::kString},
      {"end_user_hq", ValueType::kString},
      {"end_user_parent_hq", ValueType::kString},
      {"site_state_funded", ValueType::kBool},
      {"site_public_hub", ValueType::kBool},
      {"project_completion_pct", ValueType::kNumber},
      {"installed_before_days", ValueType::kNumber},
      {"data_class", ValueType::kString},
  };
  return *schema;
}

}  // namespace gpufleet::compliance
