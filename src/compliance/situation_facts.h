#pragma once
// The facts of one situation as predicates read them: the chip's (from the catalog), the
// situation's own (location, end user, site attributes) and the rule file's derived facts,
// each derived fact evaluated at most once per situation.

#include <optional>
#include <string_view>
#include <vector>

#include "gpufleet/compliance/engine.h"

namespace gpufleet::compliance {

class SituationFacts final : public FactSource {
 public:
  SituationFacts(const RuleSet& rules, const Situation& s);

  Value Get(std::string_view field) const override;

  // While set, facts read inside derived facts are appended here too, so explanations show
  // the chip metrics behind "us_3a090a".
  void set_explain(std::vector<FactUse>* used) const { explain_ = used; }

 private:
  Value Derived(size_t index) const;

  const RuleSet& rules_;
  const Situation& s_;
  mutable std::vector<std::optional<Value>> derived_;
  mutable std::vector<std::vector<FactUse>> derived_uses_;
  mutable std::vector<FactUse>* explain_ = nullptr;
};

}  // namespace gpufleet::compliance
