#include "compliance/rule_references.h"

#include <cctype>

#include "gpufleet/model/country_code.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance::internal {
namespace {

// The chip and situation facts (catalog::ChipFieldTypes, SituationFieldTypes) that hold a
// country code.
constexpr std::string_view kCountryFacts[] = {
    "designer_country", "designer_hq",  "fab_country", "origin_country",
    "location",         "from_country", "end_user_hq", "end_user_parent_hq",
};

// The catalog id of a model written in a predicate. A prefix (`intel-gaudi*`) is taken as
// written: it is how a rule names a family before its parts are in the catalog (the shipped
// US-2025-H20-IS-INFORMED does), so matching nothing yet is not a mistake.
Result<std::string> CheckModel(const ModelIds& model_ids, std::string_view value, bool prefix) {
  if (prefix) return std::string(value);
  const auto it = model_ids.find(value);
  if (it == model_ids.end()) {
    return Status::InvalidArgument("unknown accelerator model '" + std::string(value) +
                                   "' (not a catalog id or alias)");
  }
  return it->second;
}

Result<std::string> CheckCountry(std::string_view value, bool prefix) {
  if (prefix) {
    return Status::InvalidArgument("'" + std::string(value) +
                                   "*': countries are matched whole, not by prefix");
  }
  if (std::optional<std::string> problem = CountryCodeProblem(value)) {
    return Status::InvalidArgument(*problem);
  }
  return std::string(value);
}

bool IsTwoLetters(std::string_view s) {
  return s.size() == 2 && std::isalpha(static_cast<unsigned char>(s[0])) &&
         std::isalpha(static_cast<unsigned char>(s[1]));
}

}  // namespace

LiteralChecks RuleLiteralChecks(const ModelIds& model_ids) {
  LiteralChecks checks;
  for (const std::string_view fact : kCountryFacts) checks.emplace(fact, &CheckCountry);
  if (!model_ids.empty()) {
    checks.emplace("model", [&model_ids](std::string_view value, bool prefix) {
      return CheckModel(model_ids, value, prefix);
    });
  }
  return checks;
}

std::string UnknownGroupOrCountry(std::string_view name) {
  std::string out = "unknown group or country code '" + Excerpt(name) + "'";
  if (const std::optional<CountryCode> c = IntendedCountryCode(name)) {
    out += " (did you mean " + std::string(c->code) + ", " + std::string(c->name) + "?)";
  }
  return out;
}

std::optional<std::string> GroupNameProblem(std::string_view name) {
  if (!IsTwoLetters(name)) return std::nullopt;
  return "'" + Excerpt(name) +
         "' reads as a country code; give groups names of three or more characters (EU-27, "
         "PRC, D:5)";
}

std::optional<std::string> JurisdictionProblem(std::string_view jurisdiction) {
  if (!IsTwoLetters(jurisdiction) || IsCountryCode(jurisdiction)) return std::nullopt;
  return *CountryCodeProblem(jurisdiction) +
         "; name an authority that is not a country with three or more characters (EU-27)";
}

}  // namespace gpufleet::compliance::internal
