#pragma once
// Licences as rule changes (docs/compliance.md, "Licences in the service"): recording or
// revoking a licence in a running service is a change file of the examples/changes/ format
// that adds or replaces one `licences:` entry, so a licence takes the path every rule change
// takes — validated by RuleSet::Parse, scheduled in the rule book, recorded in the ledger, and
// obeyed by the scheduler from its effective time.

#include <string>
#include <string_view>

#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

// The change that revokes licence `id` of the rule document `rules_yaml` (the rules in force,
// as LayeredRules::text) from `revoked_on` on: the same record with status `revoked` and
// `revoked_on` set. NotFound when the document holds no licence `id`; FailedPrecondition when
// it is already revoked or denied (a licence never granted cannot be revoked).
[[nodiscard]] Result<std::string> LicenceRevocation(std::string_view rules_yaml,
                                                    std::string_view id, Date revoked_on);

}  // namespace gpufleet::compliance
