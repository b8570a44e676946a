#pragma once
// The names a change file (or overlay) uses for countries and models, checked in the change
// file's own lines and columns before it is merged. The merged document is validated again as
// a whole (RuleSet::Parse), but its positions are those of re-emitted YAML; this check lets the
// most common mistakes (a country no code names, a model the catalog lacks) point into the
// file that has them. Only these references are checked here; anything else wrong with an
// entry is left to the merged validation, so this check never rejects a change that the merged
// validation would accept.

#include <string>
#include <string_view>

#include "compliance/rule_references.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance::internal {

// OK when every country and model `change_yaml` names is known (groups may come from
// `base_yaml`). Errors name `change_name`, line and column. Documents that do not parse are
// left to the merge, which reports them.
Status CheckChangeReferences(std::string_view base_yaml, std::string_view change_yaml,
                             const std::string& change_name, const ModelIds& model_ids);

}  // namespace gpufleet::compliance::internal
