#pragma once
// What a rule file may name that is defined elsewhere: countries (the ISO 3166-1 table of
// gpufleet/model/country_code.h) and accelerator models (the catalog). A name that matches
// nothing would make a rule silently never apply, so the rule-file reader rejects it.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/compliance/predicate.h"

namespace gpufleet::compliance::internal {

// Catalog id or alias -> catalog id; empty when no catalog is given (models then go unchecked).
using ModelIds = std::map<std::string, std::string, std::less<>>;

// Checks for the strings predicates compare facts with: every country fact against the ISO
// table, and `model` against `model_ids` (an alias becomes the id the fact holds). The checks
// keep a reference to `model_ids`.
LiteralChecks RuleLiteralChecks(const ModelIds& model_ids);

// "unknown group or country code 'UK' (did you mean GB, United Kingdom?)": the message for a
// place in a rule file that is neither a group of the file nor a country code.
std::string UnknownGroupOrCountry(std::string_view name);

// Why `name` cannot name a group, or nullopt: two letters read as a country code ("EU", "UK").
std::optional<std::string> GroupNameProblem(std::string_view name);

// Why `jurisdiction` is refused, or nullopt. A jurisdiction is a country (US, CN) or an
// authority that is not one, named with three or more characters (ACME, EU-27); two letters
// must be an assigned code, so "UK" is caught rather than becoming a separate authority.
std::optional<std::string> JurisdictionProblem(std::string_view jurisdiction);

}  // namespace gpufleet::compliance::internal
