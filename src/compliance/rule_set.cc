// Loading and validating rule files (docs/compliance.md, "Rule file format").

#include "gpufleet/compliance/rule_set.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "compliance/yaml_fields.h"
#include "gpufleet/catalog/accelerator.h"

namespace gpufleet::compliance {
namespace {

bool IsCountryCode(std::string_view s) {
  return s.size() == 2 && std::isupper(static_cast<unsigned char>(s[0])) &&
         std::isupper(static_cast<unsigned char>(s[1]));
}

bool IsFactName(std::string_view s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Groups as written, expanded to countries.
class GroupExpander {
 public:
  GroupExpander(const std::string& file, const YAML::Node& groups) : file_(file), raw_(groups) {}

  Result<GroupMap> ExpandAll() {
    GroupMap out;
    if (!raw_) return out;
    if (!raw_.IsMap())
      return Status::InvalidArgument(Where(file_, raw_) + "groups: expected a map");
    for (const auto& kv : raw_) nodes_[kv.first.Scalar()] = {kv.first, kv.second};
    for (const auto& [name, node] : nodes_) {
      Result<std::vector<std::string>> members = Expand(name, node.first);
      if (!members.ok()) return members.status();
      out[name] = std::move(members).value();
    }
    return out;
  }

 private:
  Result<std::vector<std::string>> Expand(const std::string& name, const YAML::Node& at) {
    if (auto done = expanded_.find(name); done != expanded_.end()) return done->second;
    if (std::find(stack_.begin(), stack_.end(), name) != stack_.end()) {
      return Status::InvalidArgument(Where(file_, at) + "group '" + name + "' contains itself");
    }
    const YAML::Node list = nodes_.at(name).second;
    if (!list.IsSequence()) {
      return Status::InvalidArgument(Where(file_, list) + "group '" + name +
                                     "': expected a list of countries or groups");
    }
    stack_.push_back(name);
    std::vector<std::string> out;
    for (const YAML::Node& item : list) {
      const std::string member = item.Scalar();
      if (nodes_.count(member)) {
        Result<std::vector<std::string>> inner = Expand(member, item);
        if (!inner.ok()) return inner.status();
        out.insert(out.end(), inner->begin(), inner->end());
      } else if (IsCountryCode(member)) {
        out.push_back(member);
      } else {
        return Status::InvalidArgument(Where(file_, item) + "group '" + name +
                                       "': unknown group or country code '" + member + "'");
      }
    }
    stack_.pop_back();
    SortUnique(out);
    expanded_[name] = out;
    return out;
  }

  const std::string& file_;
  YAML::Node raw_;
  // Group name -> (key node, member list). Looked up here, never through YAML::Node's
  // operator[], which inserts missing keys into the document.
  std::map<std::string, std::pair<YAML::Node, YAML::Node>> nodes_;
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
};

class RuleFileReader {
 public:
  RuleFileReader(std::string file, const std::map<std::string, std::string, std::less<>>& model_ids)
      : file_(std::move(file)), model_ids_(model_ids) {}

  Status Read(const YAML::Node& root, RuleSetParts parts) {
    std::vector<Rule>& rules = *parts.rules;
    std::vector<DerivedFact>& derived = *parts.derived;
    std::vector<Licence>& licences = *parts.licences;
    GroupMap& groups = *parts.groups;
    YamlFields top(root, file_, "rule file");
    GPUFLEET_RETURN_IF_ERROR(top.CheckKeys({"groups", "derived", "rules", "licences", "quotas"}));
    Result<GroupMap> g = GroupExpander(file_, root["groups"]).ExpandAll();
    if (!g.ok()) return g.status();
    groups = std::move(g).value();
    groups_ = &groups;

    for (const auto& [name, type] : catalog::ChipFieldTypes()) chip_schema_[name] = type;
    GPUFLEET_RETURN_IF_ERROR(ForEach(root, "derived", [&](const YAML::Node& n) {
      Result<DerivedFact> d = ReadDerived(n);
      if (!d.ok()) return d.status();
      chip_schema_[d->name] = ValueType::kBool;
      derived.push_back(std::move(d).value());
      return Status::Ok();
    }));
    situation_schema_ = chip_schema_;
    for (const auto& [name, type] : SituationFieldTypes()) situation_schema_[name] = type;

    GPUFLEET_RETURN_IF_ERROR(ForEach(root, "rules", [&](const YAML::Node& n) {
      Result<Rule> r = ReadRule(n);
      if (!r.ok()) return r.status();
      rules.push_back(std::move(r).value());
      return Status::Ok();
    }));
    GPUFLEET_RETURN_IF_ERROR(ForEach(root, "quotas", [&](const YAML::Node& n) {
      Result<Quota> q = ReadQuota(n);
      if (!q.ok()) return q.status();
      parts.quotas->push_back(std::move(q).value());
      return Status::Ok();
    }));
    return ForEach(root, "licences", [&](const YAML::Node& n) {
      Result<Licence> l = ReadLicence(n);
      if (!l.ok()) return l.status();
      licences.push_back(std::move(l).value());
      return Status::Ok();
    });
  }

 private:
  template <typename Fn>
  Status ForEach(const YAML::Node& root, const std::string& key, Fn fn) {
    const YAML::Node list = root[key];
    if (!list || list.IsNull()) return Status::Ok();
    if (!list.IsSequence())
      return Status::InvalidArgument(Where(file_, list) + key + ": expected a list");
    for (const YAML::Node& n : list) GPUFLEET_RETURN_IF_ERROR(fn(n));
    return Status::Ok();
  }

  Result<Predicate> ReadPredicate(const YamlFields& f, const std::string& key,
                                  const FieldSchema& schema) {
    Result<std::string> text = f.String(key, false);
    if (!text.ok()) return text.status();
    if (text->empty()) return Predicate::True();
    Result<Predicate> p = Predicate::Parse(*text, schema, *groups_);
    if (!p.ok()) return f.Error(key, p.status().message());
    return p;
  }

  // Countries named directly or through groups, sorted.
  Result<std::vector<std::string>> ReadCountries(const YamlFields& f, const std::string& key) {
    Result<std::vector<std::string>> names = f.Strings(key);
    if (!names.ok()) return names.status();
    std::vector<std::string> out;
    for (const std::string& n : *names) {
      if (auto g = groups_->find(n); g != groups_->end()) {
        out.insert(out.end(), g->second.begin(), g->second.end());
      } else if (IsCountryCode(n)) {
        out.push_back(n);
      } else {
        return f.Error(key, "unknown group or country code '" + n + "'");
      }
    }
    SortUnique(out);
    return out;
  }

  Result<TransferMask> ReadTransfers(const YamlFields& f) {
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

  Result<DerivedFact> ReadDerived(const YAML::Node& n) {
    YamlFields f(n, file_, "derived fact");
    GPUFLEET_RETURN_IF_ERROR(f.CheckKeys({"name", "effective_from", "predicate", "source"}));
    DerivedFact d;
    Result<std::string> name = f.String("name", true);
    if (!name.ok()) return name.status();
    d.name = *name;
    YamlFields named(n, file_, "derived fact '" + d.name + "'");
    if (!IsFactName(d.name))
      return named.Error("name", "'" + d.name + "' is not a fact name ([a-z_][a-z0-9_]*)");
    if (chip_schema_.count(d.name))
      return named.Error("name", "'" + d.name + "' is already a fact");
    Result<std::optional<Date>> from = named.OptionalDate("effective_from");
    if (!from.ok()) return from.status();
    if (*from) d.effective_from = **from;
    if (!named.Has("predicate")) return named.Error(n, "missing required field 'predicate'");
    Result<Predicate> p = ReadPredicate(named, "predicate", chip_schema_);
    if (!p.ok()) return p.status();
    d.predicate = std::move(p).value();
    Result<std::string> source = named.String("source", false);
    if (!source.ok()) return source.status();
    d.source = *source;
    return d;
  }

  Result<Rule> ReadRule(const YAML::Node& n) {
    YamlFields f0(n, file_, "rule");
    GPUFLEET_RETURN_IF_ERROR(f0.CheckKeys({"id",
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
                                           "condition",
                                           "action",
                                           "licence_policy",
                                           "revenue_share_pct",
                                           "precedence",
                                           "carves_out",
                                           "source",
                                           "summary"}));
    Rule r;
    r.line = f0.line();
    Result<std::string> id = f0.String("id", true);
    if (!id.ok()) return id.status();
    r.id = *id;
    const YamlFields f(n, file_, "rule '" + r.id + "'");
    Result<int> version = f.Int("version", 1);
    if (!version.ok()) return version.status();
    r.version = *version;
    Result<RuleKind> kind = ReadKind(f);
    if (!kind.ok()) return kind.status();
    r.kind = *kind;
    Result<std::string> jurisdiction = f.String("jurisdiction", true);
    if (!jurisdiction.ok()) return jurisdiction.status();
    r.jurisdiction = *jurisdiction;
    GPUFLEET_RETURN_IF_ERROR(
        ReadDates(f, n, r.effective_from, r.effective_to, r.not_enforced_from));
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
    Result<std::string> action = f.String("action", true);
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
    Result<int> precedence = f.Int("precedence", 0);
    if (!precedence.ok()) return precedence.status();
    r.precedence = *precedence;
    Result<std::vector<std::string>> carves = f.Strings("carves_out");
    if (!carves.ok()) return carves.status();
    r.carves_out = std::move(carves).value();
    for (auto [key, out] : {std::pair{"licence_policy", &r.licence_policy},
                            std::pair{"source", &r.source}, std::pair{"summary", &r.summary}}) {
      Result<std::string> s = f.String(key, std::string_view(key) == "source");
      if (!s.ok()) return s.status();
      *out = *s;
    }
    return r;
  }

  static Result<RuleKind> ReadKind(const YamlFields& f) {
    Result<std::string> kind = f.String("kind", true);
    if (!kind.ok()) return kind.status();
    for (RuleKind k :
         {RuleKind::kRegulation, RuleKind::kGuidance, RuleKind::kReported, RuleKind::kProposed}) {
      if (RuleKindName(k) == *kind) return k;
    }
    return f.Error("kind",
                   "'" + *kind + "' is not one of regulation, guidance, reported, proposed");
  }

  // effective_from (required), effective_to, not_enforced_from, in order.
  static Status ReadDates(const YamlFields& f, const YAML::Node& n, Date& from, Date& to,
                          Date& not_enforced) {
    Result<std::optional<Date>> f_from = f.OptionalDate("effective_from");
    Result<std::optional<Date>> f_to = f.OptionalDate("effective_to");
    Result<std::optional<Date>> f_ne = f.OptionalDate("not_enforced_from");
    for (const auto* d : {&f_from, &f_to, &f_ne}) {
      if (!d->ok()) return d->status();
    }
    if (!*f_from) return f.Error(n, "missing required field 'effective_from'");
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

  Result<Quota> ReadQuota(const YAML::Node& n) {
    YamlFields f0(n, file_, "quota");
    GPUFLEET_RETURN_IF_ERROR(
        f0.CheckKeys({"id", "version", "kind", "jurisdiction", "effective_from", "effective_to",
                      "not_enforced_from", "measure", "basis", "threshold_pct", "domestic_to",
                      "locations", "sites", "per_site", "action", "source", "summary"}));
    Quota q;
    q.line = f0.line();
    Result<std::string> id = f0.String("id", true);
    if (!id.ok()) return id.status();
    q.id = *id;
    const YamlFields f(n, file_, "quota '" + q.id + "'");
    Result<int> version = f.Int("version", 1);
    if (!version.ok()) return version.status();
    q.version = *version;
    Result<RuleKind> kind = ReadKind(f);
    if (!kind.ok()) return kind.status();
    q.kind = *kind;
    Result<std::string> jurisdiction = f.String("jurisdiction", true);
    if (!jurisdiction.ok()) return jurisdiction.status();
    q.jurisdiction = *jurisdiction;
    GPUFLEET_RETURN_IF_ERROR(
        ReadDates(f, n, q.effective_from, q.effective_to, q.not_enforced_from));
    Result<std::string> measure = f.String("measure", true);
    if (!measure.ok()) return measure.status();
    if (*measure == "domestic_share_min") {
      q.measure = QuotaMeasure::kDomesticShareMin;
    } else if (*measure == "external_share_max") {
      q.measure = QuotaMeasure::kExternalShareMax;
      q.basis = QuotaBasis::kCompute;  // the resale cap is TPP-weighted unless told otherwise
    } else {
      return f.Error("measure",
                     "'" + *measure + "' is not domestic_share_min or external_share_max");
    }
    Result<std::string> basis = f.String("basis", false);
    if (!basis.ok()) return basis.status();
    if (!basis->empty()) {
      bool found = false;
      for (QuotaBasis b : {QuotaBasis::kCount, QuotaBasis::kCompute, QuotaBasis::kSpend}) {
        if (QuotaBasisName(b) == *basis) {
          q.basis = b;
          found = true;
        }
      }
      if (!found) return f.Error("basis", "'" + *basis + "' is not count, compute or spend");
    }
    Result<std::optional<double>> threshold = f.OptionalNumber("threshold_pct");
    if (!threshold.ok()) return threshold.status();
    if (!*threshold) return f.Error(n, "missing required field 'threshold_pct'");
    if (**threshold < 0 || **threshold > 100)
      return f.Error("threshold_pct", "must be within 0..100");
    q.threshold_pct = **threshold;
    Result<std::string> domestic_to = f.String("domestic_to", false);
    if (!domestic_to.ok()) return domestic_to.status();
    q.domestic_to = domestic_to->empty() ? q.jurisdiction : *domestic_to;
    Result<std::vector<std::string>> locations = ReadCountries(f, "locations");
    if (!locations.ok()) return locations.status();
    q.locations = std::move(locations).value();
    Result<Predicate> sites = ReadPredicate(f, "sites", situation_schema_);
    if (!sites.ok()) return sites.status();
    q.sites = std::move(sites).value();
    Result<std::string> per_site = f.String("per_site", false);
    if (!per_site.ok()) return per_site.status();
    if (!per_site->empty() && *per_site != "true" && *per_site != "false") {
      return f.Error("per_site", "expected true or false");
    }
    q.per_site = *per_site == "true";
    Result<std::string> action = f.String("action", false);
    if (!action.ok()) return action.status();
    if (!action->empty()) {
      Result<Action> a = ParseAction(*action);
      if (!a.ok()) return f.Error("action", a.status().message());
      q.action = *a;
    }
    for (auto [key, out] : {std::pair{"source", &q.source}, std::pair{"summary", &q.summary}}) {
      Result<std::string> s = f.String(key, std::string_view(key) == "source");
      if (!s.ok()) return s.status();
      *out = *s;
    }
    return q;
  }

  Result<Licence> ReadLicence(const YAML::Node& n) {
    YamlFields f0(n, file_, "licence");
    GPUFLEET_RETURN_IF_ERROR(
        f0.CheckKeys({"id", "jurisdiction", "holder", "models", "locations", "transfers",
                      "valid_from", "valid_to", "status", "revenue_share_pct", "conditions"}));
    Licence l;
    l.line = f0.line();
    Result<std::string> id = f0.String("id", true);
    if (!id.ok()) return id.status();
    l.id = *id;
    const YamlFields f(n, file_, "licence '" + l.id + "'");
    for (auto [key, out, required] :
         {std::tuple{"jurisdiction", &l.jurisdiction, false}, std::tuple{"holder", &l.holder, true},
          std::tuple{"conditions", &l.conditions, false}}) {
      Result<std::string> s = f.String(key, required);
      if (!s.ok()) return s.status();
      *out = *s;
    }
    Result<std::vector<std::string>> models = f.Strings("models");
    if (!models.ok()) return models.status();
    if (models->empty()) return f.Error(n, "missing required field 'models'");
    for (const std::string& m : *models) {
      if (model_ids_.empty()) {
        l.models.push_back(m);
        continue;
      }
      auto it = model_ids_.find(m);
      if (it == model_ids_.end()) return f.Error("models", "unknown accelerator model '" + m + "'");
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
    Result<std::string> status = f.String("status", true);
    if (!status.ok()) return status.status();
    bool status_ok = false;
    for (LicenceStatus s :
         {LicenceStatus::kPending, LicenceStatus::kGranted, LicenceStatus::kDenied}) {
      if (LicenceStatusName(s) == *status) {
        l.status = s;
        status_ok = true;
      }
    }
    if (!status_ok)
      return f.Error("status", "'" + *status + "' is not one of pending, granted, denied");
    Result<std::optional<double>> share = f.OptionalNumber("revenue_share_pct");
    if (!share.ok()) return share.status();
    l.revenue_share_pct = *share;
    return l;
  }

  std::string file_;
  const std::map<std::string, std::string, std::less<>>& model_ids_;
  const GroupMap* groups_ = nullptr;
  FieldSchema chip_schema_;
  FieldSchema situation_schema_;
};

std::string RuleWhere(const std::string& file, const Rule& r) {
  return file + ":" + std::to_string(r.line) + ": rule '" + r.id + "' version " +
         std::to_string(r.version);
}

bool Overlap(const Rule& a, const Rule& b) {
  return a.effective_from <= b.effective_to && b.effective_from <= a.effective_to;
}

bool SameScope(const Rule& a, const Rule& b) {
  return a.jurisdiction == b.jurisdiction && a.chip.text() == b.chip.text() &&
         a.condition.text() == b.condition.text() && a.locations == b.locations &&
         a.locations_except == b.locations_except && a.end_user_hq == b.end_user_hq &&
         a.transfers == b.transfers;
}

bool CarvesOut(const Rule& a, const Rule& b) {
  return std::find(a.carves_out.begin(), a.carves_out.end(), b.id) != a.carves_out.end();
}

// Whole-file checks: versions of one id must not overlap, carve-outs name existing rules, and
// rules with one scope either agree or say which wins.
Status Validate(const std::string& file, const std::vector<Rule>& rules) {
  std::set<std::string> ids;
  for (const Rule& r : rules) ids.insert(r.id);
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& a = rules[i];
    for (const std::string& c : a.carves_out) {
      if (!ids.count(c)) {
        return Status::InvalidArgument(RuleWhere(file, a) + ": carves_out names unknown rule '" +
                                       c + "'");
      }
    }
    for (size_t j = i + 1; j < rules.size(); ++j) {
      const Rule& b = rules[j];
      if (a.id == b.id) {
        if (a.version == b.version) {
          return Status::InvalidArgument(RuleWhere(file, b) + ": version " +
                                         std::to_string(b.version) + " defined twice (also line " +
                                         std::to_string(a.line) + ")");
        }
        if (Overlap(a, b)) {
          return Status::InvalidArgument(
              RuleWhere(file, b) + ": overlaps version " + std::to_string(a.version) + " (line " +
              std::to_string(a.line) + ") in time; versions of one rule must not overlap");
        }
        continue;
      }
      if (Overlap(a, b) && SameScope(a, b) && a.action != b.action &&
          a.precedence == b.precedence && !CarvesOut(a, b) && !CarvesOut(b, a)) {
        return Status::InvalidArgument(
            RuleWhere(file, b) + ": same scope as rule '" + a.id + "' (line " +
            std::to_string(a.line) + ") but a different action (" +
            std::string(ActionName(b.action)) + " vs " + std::string(ActionName(a.action)) +
            ") and no precedence between them; set precedence or carves_out");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

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

Result<RuleSet> RuleSet::Load(const std::string& path,
                              const std::map<std::string, std::string, std::less<>>& model_ids) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open rule file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str(), path, model_ids);
}

Result<RuleSet> RuleSet::Parse(std::string_view yaml, const std::string& name_for_errors,
                               const std::map<std::string, std::string, std::less<>>& model_ids) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(name_for_errors + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return Status::InvalidArgument(name_for_errors + ": empty rule file");
  RuleSet set;
  try {
    RuleFileReader reader(name_for_errors, model_ids);
    GPUFLEET_RETURN_IF_ERROR(reader.Read(
        root, {&set.rules_, &set.derived_, &set.licences_, &set.quotas_, &set.groups_}));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(name_for_errors + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  GPUFLEET_RETURN_IF_ERROR(Validate(name_for_errors, set.rules_));
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
      {"end_user_hq", ValueType::kString},
      {"end_user_parent_hq", ValueType::kString},
      {"site_state_funded", ValueType::kBool},
      {"site_public_hub", ValueType::kBool},
      {"project_completion_pct", ValueType::kNumber},
      {"installed_before_days", ValueType::kNumber},
  };
  return *schema;
}

}  // namespace gpufleet::compliance
