#pragma once
// A what-if change to a scenario: a rule from a date, a supply cut, a price change, a late
// delivery or a budget change, re-planned and compared with the base plan
// (docs/planner.md, "What-if").
//
// A change file is YAML with any of these keys:
//   description:    free text
//   rule_overlays:  change files (docs/compliance.md format) layered on the scenario's rules
//   supply:         list of {option, factor, from?, to?}: a purchase option's monthly supply
//                   (or a rental's capacity) multiplied by factor in months from..to
//   prices:         list of {option, factor}: a purchase or rental option's price x factor
//   lead_times:     list of {option, lead_months}: a purchase option's new lead time
//   budget:         map of area id (or "total") -> new amount
// A file in the compliance change format itself (top-level rules, quotas, licences, groups,
// derived or remove_* keys) is taken as one rule overlay, so `--what-if
// examples/changes/h20-ban.yaml` works as it does for `gpufleet impact`. Errors name the file,
// line and field; unknown options or areas are errors.

#include <string>
#include <string_view>

#include "gpufleet/planner/plan.h"
#include "gpufleet/planner/scenario.h"

namespace gpufleet::planner {

// The scenario `base` becomes under the change in `yaml` (named `name` in messages; relative
// paths against `base_dir`).
Result<Scenario> ApplyWhatIf(const Scenario& base, std::string_view yaml, const std::string& name,
                             const std::string& base_dir);
Result<Scenario> LoadWhatIf(const Scenario& base, const std::string& path);

}  // namespace gpufleet::planner
