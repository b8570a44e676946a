#pragma once
// Country fields of YAML documents: text that is an assigned ISO 3166-1 alpha-2 code
// (gpufleet/model/country_code.h), with the error at the field's line and column. One reader
// for the catalog, inventory and planner formats so they accept exactly the same codes.

#include <string>
#include <vector>

#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/status.h"

namespace gpufleet::codec {

// The code `f` holds, e.g. "CN"; an error for "cn", "China", "UK" or "XX".
Result<std::string> ReadCountryCode(const YamlMap& m, const YamlField& f);
// A list of codes, each checked as ReadCountryCode does, in file order.
Result<std::vector<std::string>> ReadCountryCodes(const YamlMap& m, const YamlField& f);

}  // namespace gpufleet::codec
