// Verdicts (docs/compliance.md, "Verdicts"). The naive and indexed engines differ only in
// which rules they consider for a situation; deciding among those is shared, so the
// differential test pins the index.

#include "gpufleet/compliance/engine.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <unordered_map>

#include "compliance/situation_facts.h"

namespace gpufleet::compliance {
namespace {

std::string FormatValue(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "unknown";
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const double* d = std::get_if<double>(&v)) {
    std::ostringstream o;
    o << *d;
    return o.str();
  }
  return std::get<std::string>(v);
}

// Dates are left out: an expired or not-yet-valid licence is still named in the verdict, as
// a reason the route stays closed.
bool LicenceCovers(const Licence& l, const Rule& r, const Situation& s) {
  if (l.holder.empty() || l.holder != s.end_user) return false;
  if (!l.jurisdiction.empty() && l.jurisdiction != r.jurisdiction) return false;
  if (l.transfers != 0 && !((l.transfers >> static_cast<int>(s.transfer)) & 1)) return false;
  if (!l.locations.empty() &&
      !std::binary_search(l.locations.begin(), l.locations.end(), s.location)) {
    return false;
  }
  return std::find(l.models.begin(), l.models.end(), s.chip->id) != l.models.end();
}

// Sets h.licence to the covering licence most useful to its holder on the date, and
// h.licence_state to its state (LicenceState's order: granted, then denied, revoked, pending,
// expired, not yet valid); leaves both empty when none covers.
void AttachLicence(const RuleSet& rules, const Situation& s, RuleHit& h) {
  for (const Licence& l : rules.licences()) {
    if (!LicenceCovers(l, *h.rule, s)) continue;
    const LicenceState st = LicenceStateOn(l, s.date);
    if (!h.licence || st < *h.licence_state) {
      h.licence = &l;
      h.licence_state = st;
    }
  }
}

// What a licence_required rule comes to with the licence attached: a granted licence in
// force gives its terms, a denied one prohibits, anything else (or none) leaves the
// requirement.
Action WithLicence(const RuleHit& h) {
  if (!h.licence) return Action::kLicenceRequired;
  switch (*h.licence_state) {
    case LicenceState::kGranted:
      return h.licence->revenue_share_pct ? Action::kAllowedWithRevenueShare : Action::kAllowed;
    case LicenceState::kDenied:
      return Action::kProhibited;
    default:
      return Action::kLicenceRequired;
  }
}

Verdict Decide(const RuleSet& rules, const std::vector<const Rule*>& candidates,
               const Situation& s) {
  SituationFacts facts(rules, s);
  std::vector<RuleHit> hits;
  for (const Rule* r : candidates) {
    if (!r->InForce(s.date) || !r->CoversTransfer(s.transfer) || !r->CoversLocation(s.location) ||
        !r->CoversEndUser(s.end_user_hq, s.end_user_parent_hq) ||
        !r->CoversDataClass(s.data_class)) {
      continue;
    }
    RuleHit h;
    h.rule = r;
    facts.set_explain(&h.facts);
    const Tri chip = r->chip.Evaluate(facts, &h.facts);
    const Tri cond = chip == Tri::kFalse ? Tri::kFalse : r->condition.Evaluate(facts, &h.facts);
    facts.set_explain(nullptr);
    if (cond == Tri::kFalse) continue;
    // Location and transfer are in every situation, but a data class is what makes a
    // residency rule apply at all: name it first (once, should the condition read it too).
    if (!r->data_classes.empty() &&
        std::none_of(h.facts.begin(), h.facts.end(),
                     [](const FactUse& u) { return u.field == "data_class"; })) {
      h.facts.insert(h.facts.begin(), FactUse{"data_class", Value(s.data_class)});
    }
    h.match = chip == Tri::kTrue && cond == Tri::kTrue ? Tri::kTrue : Tri::kUnknown;
    Action action = r->action;
    if (r->needs_granted_licence) {
      // A licensed route opens only for a holder of a granted licence in force.
      AttachLicence(rules, s, h);
      h.route_closed = h.licence_state != LicenceState::kGranted;
      if (h.route_closed) action = WithLicence(h);
    } else if (action == Action::kLicenceRequired && h.match == Tri::kTrue) {
      AttachLicence(rules, s, h);
      action = WithLicence(h);
    }
    // A proposed rule binds nobody yet: it is shown, at most as a warning.
    h.action = r->kind == RuleKind::kProposed ? std::min(action, Action::kWarning) : action;
    hits.push_back(std::move(h));
  }
  // Carve-outs: only a rule that surely applies, and a route its end user is licensed for,
  // sets another aside.
  for (const RuleHit& h : hits) {
    if (h.match != Tri::kTrue || h.route_closed) continue;
    for (RuleHit& other : hits) {
      if (std::find(h.rule->carves_out.begin(), h.rule->carves_out.end(), other.rule->id) !=
          h.rule->carves_out.end()) {
        other.carved_out = true;
      }
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const RuleHit& a, const RuleHit& b) {
    if (a.rule->jurisdiction != b.rule->jurisdiction) {
      return a.rule->jurisdiction < b.rule->jurisdiction;
    }
    return a.action > b.action;
  });
  Verdict v;
  for (RuleHit& h : hits) {
    if (v.jurisdictions.empty() || v.jurisdictions.back().jurisdiction != h.rule->jurisdiction) {
      v.jurisdictions.push_back({h.rule->jurisdiction, Action::kAllowed, false, std::nullopt, {}});
    }
    JurisdictionVerdict& j = v.jurisdictions.back();
    if (!h.carved_out && h.match == Tri::kTrue) {
      if (h.action > j.action) {
        j.action = h.action;
        j.revenue_share_pct.reset();
      }
      if (h.action == j.action && h.action == Action::kAllowedWithRevenueShare) {
        const std::optional<double> pct =
            h.licence && h.licence_state == LicenceState::kGranted && h.licence->revenue_share_pct
                ? h.licence->revenue_share_pct
                : h.rule->revenue_share_pct;
        if (pct && (!j.revenue_share_pct || *pct > *j.revenue_share_pct)) {
          j.revenue_share_pct = pct;
        }
      }
    }
    j.hits.push_back(std::move(h));
  }
  for (JurisdictionVerdict& j : v.jurisdictions) {
    for (const RuleHit& h : j.hits) {
      if (!h.carved_out && h.match == Tri::kUnknown && h.action > j.action) {
        j.needs_manual_classification = true;
      }
    }
    v.overall = std::max(v.overall, j.action);
    v.needs_manual_classification |= j.needs_manual_classification;
  }
  // What a person must find out: the unknown facts behind the rules that may apply and would
  // be more restrictive (derived facts are named by the facts inside them).
  for (const JurisdictionVerdict& j : v.jurisdictions) {
    for (const RuleHit& h : j.hits) {
      if (h.carved_out || h.match != Tri::kUnknown || h.action <= j.action) continue;
      for (const FactUse& u : h.facts) {
        if (!std::holds_alternative<std::monostate>(u.value)) continue;
        const bool derived = std::any_of(rules.derived().begin(), rules.derived().end(),
                                         [&](const DerivedFact& d) { return d.name == u.field; });
        if (!derived) v.missing_facts.push_back(u.field);
      }
    }
  }
  std::sort(v.missing_facts.begin(), v.missing_facts.end());
  v.missing_facts.erase(std::unique(v.missing_facts.begin(), v.missing_facts.end()),
                        v.missing_facts.end());
  return v;
}

class NaiveEngine final : public Engine {
 public:
  explicit NaiveEngine(const RuleSet& rules) : rules_(rules) {
    for (const Rule& r : rules.rules()) all_.push_back(&r);
  }
  Verdict Evaluate(const Situation& s) const override { return Decide(rules_, all_, s); }

 private:
  const RuleSet& rules_;
  std::vector<const Rule*> all_;
};

// Per transfer type: rules scoped to named countries, by country, and rules that apply
// anywhere. A situation reads two short lists instead of every rule.
class IndexedEngine final : public Engine {
 public:
  explicit IndexedEngine(const RuleSet& rules) : rules_(rules) {
    const std::vector<Rule>& all = rules.rules();
    for (uint32_t i = 0; i < all.size(); ++i) {
      for (int t = 0; t < kTransferTypes; ++t) {
        if (!all[i].CoversTransfer(static_cast<TransferType>(t))) continue;
        if (all[i].locations.empty()) {
          anywhere_[t].push_back(i);
        } else {
          for (const std::string& c : all[i].locations) by_country_[t][c].push_back(i);
        }
      }
    }
  }

  Verdict Evaluate(const Situation& s) const override {
    const int t = static_cast<int>(s.transfer);
    std::vector<uint32_t> ids = anywhere_[t];
    if (auto it = by_country_[t].find(s.location); it != by_country_[t].end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      std::sort(ids.begin(), ids.end());  // the file's order, as the naive engine sees it
    }
    std::vector<const Rule*> candidates;
    candidates.reserve(ids.size());
    for (uint32_t i : ids) candidates.push_back(&rules_.rules()[i]);
    return Decide(rules_, candidates, s);
  }

 private:
  const RuleSet& rules_;
  std::array<std::vector<uint32_t>, kTransferTypes> anywhere_;
  std::array<std::unordered_map<std::string, std::vector<uint32_t>>, kTransferTypes> by_country_;
};

}  // namespace

std::string_view OverallName(const Verdict& v) {
  if (v.needs_manual_classification && v.overall < Action::kLicenceRequired) {
    return "needs_manual_classification";
  }
  return ActionName(v.overall);
}

std::string LicenceNote(const RuleHit& h) {
  if (h.licence) {
    std::string note =
        "; licence " + h.licence->id + " " +
        std::string(LicenceStateName(h.licence_state.value_or(LicenceState::kPending)));
    if (h.licence_state == LicenceState::kExpired) {
      note += " on " + h.licence->valid_to.ToString();
    } else if (h.licence_state == LicenceState::kRevoked && h.licence->revoked_on) {
      note += " on " + h.licence->revoked_on->ToString();
    }
    return note;
  }
  if (h.route_closed || (h.rule->action == Action::kLicenceRequired && h.match == Tri::kTrue)) {
    return h.route_closed ? "; route needs a granted licence, none on file"
                          : "; no licence on file";
  }
  return "";
}

std::vector<std::string> Verdict::Explain() const {
  std::vector<std::string> lines;
  for (const JurisdictionVerdict& j : jurisdictions) {
    for (const RuleHit& h : j.hits) {
      std::string line = j.jurisdiction + ": " + std::string(ActionName(h.action));
      if (h.match == Tri::kUnknown) line += " (may apply: needs manual classification)";
      if (h.carved_out) line += " (set aside by a carve-out)";
      line += " by " + h.rule->id + " (" + std::string(RuleKindName(h.rule->kind)) + ", in force " +
              h.rule->effective_from.ToString() + "; " + h.rule->source + ")";
      if (!h.facts.empty()) {
        line += ": ";
        for (size_t i = 0; i < h.facts.size(); ++i) {
          line += (i ? ", " : "") + h.facts[i].field + "=" + FormatValue(h.facts[i].value);
        }
      }
      line += LicenceNote(h);
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

std::unique_ptr<Engine> MakeNaiveEngine(const RuleSet& rules) {
  return std::make_unique<NaiveEngine>(rules);
}

std::unique_ptr<Engine> MakeIndexedEngine(const RuleSet& rules) {
  return std::make_unique<IndexedEngine>(rules);
}

}  // namespace gpufleet::compliance
