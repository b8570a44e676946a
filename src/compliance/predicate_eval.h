#pragma once
// Runs a compiled predicate against one set of facts (Kleene three-valued logic).

#include <vector>

#include "compliance/predicate_program.h"
#include "gpufleet/compliance/predicate.h"

namespace gpufleet::compliance::internal {

// Evaluates `program` against `facts`; appends each fact read to `used` when it is not null.
// Allocates only when `used` is set or the predicate reads more than 16 distinct fields.
Tri Run(const Program& program, const FactSource& facts, std::vector<FactUse>* used);

}  // namespace gpufleet::compliance::internal
