#include "compliance/situation_facts.h"

#include <algorithm>

namespace gpufleet::compliance {

SituationFacts::SituationFacts(const RuleSet& rules, const Situation& s)
    : rules_(rules),
      s_(s),
      derived_(rules.derived().size()),
      derived_uses_(rules.derived().size()) {}

Value SituationFacts::Get(std::string_view field) const {
  if (field == "location") return s_.location;
  if (field == "from_country") return s_.from_country.empty() ? Value() : Value(s_.from_country);
  if (field == "transfer_type") return std::string(TransferTypeName(s_.transfer));
  if (field == "holding") return s_.holding.empty() ? Value() : Value(s_.holding);
  if (field == "end_user_hq") return s_.end_user_hq.empty() ? Value() : Value(s_.end_user_hq);
  if (field == "end_user_parent_hq") {
    return s_.end_user_parent_hq.empty() ? Value() : Value(s_.end_user_parent_hq);
  }
  if (field == "site_state_funded") return s_.site_state_funded;
  if (field == "site_public_hub") return s_.site_public_hub;
  if (field == "project_completion_pct") {
    return s_.project_completion_pct ? Value(*s_.project_completion_pct) : Value();
  }
  if (field == "installed_before_days") {
    // Days the asset had been installed on the situation's date.
    return s_.installed_on ? Value(static_cast<double>(s_.date.days() - s_.installed_on->days()))
                           : Value();
  }
  // "" is a known answer (the situation processes no data, e.g. a hardware check), not an
  // unknown one: a condition on data_class is then false, never "needs manual classification".
  if (field == "data_class") return s_.data_class;
  const std::vector<DerivedFact>& derived = rules_.derived();
  for (size_t i = 0; i < derived.size(); ++i) {
    if (derived[i].name == field) return Derived(i);
  }
  return catalog::Fact(*s_.chip, field);
}

Value SituationFacts::Derived(size_t index) const {
  if (!derived_[index]) {
    const DerivedFact& d = rules_.derived()[index];
    Value v = false;  // a classification that did not exist yet on the date
    if (s_.date >= d.effective_from) {
      // Inner facts are kept with the cached value, so every rule reading this derived fact
      // can show the chip metrics behind it.
      std::vector<FactUse>* outer = explain_;
      explain_ = &derived_uses_[index];
      const Tri t = d.predicate.Evaluate(*this, &derived_uses_[index]);
      explain_ = outer;
      v = t == Tri::kUnknown ? Value() : Value(t == Tri::kTrue);
    }
    derived_[index] = v;
  }
  if (explain_) {
    for (const FactUse& u : derived_uses_[index]) {
      const bool seen = std::any_of(explain_->begin(), explain_->end(),
                                    [&](const FactUse& e) { return e.field == u.field; });
      if (!seen) explain_->push_back(u);
    }
  }
  return *derived_[index];
}

}  // namespace gpufleet::compliance
