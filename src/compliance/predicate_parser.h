#pragma once
// Parses predicate text (grammar in gpufleet/compliance/predicate.h) and type-checks it
// against the field schema while building the Program, so every error carries the column of
// the token at fault.

#include <string_view>

#include "compliance/predicate_program.h"
#include "gpufleet/compliance/predicate.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance::internal {

Result<Program> Compile(std::string_view text, const FieldSchema& schema, const GroupMap& groups,
                        const LiteralChecks& checks);

}  // namespace gpufleet::compliance::internal
