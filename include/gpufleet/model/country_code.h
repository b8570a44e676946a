#pragma once
// ISO 3166-1 alpha-2 country codes: the one table every reader checks country fields against
// (rule files, the catalog, inventories, planner scenarios, command-line flags). Two upper-case
// letters are not enough: "UK", "EU" and "XX" have the shape of a code but name no country, and
// a rule scoped to them would silently never apply.
//
// The table (src/model/country_code.cc) holds the 249 officially assigned codes of ISO 3166-1 as
// published by the ISO 3166 Maintenance Agency, with short English names for messages. User-
// assigned (XA..XZ, QM..QZ, AA, ZZ), exceptionally reserved (UK, EU, EL...) and transitional
// codes are not countries here.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gpufleet {

struct CountryCode {
  std::string_view code;  // "CN"
  std::string_view name;  // "China", for messages
};

// Every assigned code, sorted by code.
std::span<const CountryCode> IsoCountryCodes();

// True when `code` is an assigned ISO 3166-1 alpha-2 code, exactly as written ("CN", not "cn").
bool IsCountryCode(std::string_view code);

// The code `text` most likely means when it is not one: the code in another case ("cn"), a
// country's short name in any case ("China"), or a common non-ISO spelling ("UK", "USA").
std::optional<CountryCode> IntendedCountryCode(std::string_view text);

// nullopt when `text` is an assigned code; otherwise why not, with the likely intended code
// when there is one: "'UK' is not an ISO 3166-1 alpha-2 country code (did you mean GB, United
// Kingdom?)". Callers put the field or flag in front.
std::optional<std::string> CountryCodeProblem(std::string_view text);

}  // namespace gpufleet
