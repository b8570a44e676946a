#pragma once
// The checks a rule set gets as a whole, after every entry has been read on its own
// (RuleSet::Parse): what no single entry can tell, such as two versions of one rule that
// overlap in time or two licences with one id. Errors name the file, line and id.

#include <string>
#include <vector>

#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance::internal {

// Versions of one id must not overlap, carve-outs name existing rules, and rules with one
// scope either agree or say which wins.
Status ValidateRules(const std::string& file, const std::vector<Rule>& rules);

// A licence id names one record: two would leave it open which of them decides.
Status ValidateLicences(const std::string& file, const std::vector<Licence>& licences);

}  // namespace gpufleet::compliance::internal
