#pragma once
// The text forms of field values, shared by the YAML and CSV readers and the writer, so that
// both formats accept and write exactly the same spellings.

#include <optional>
#include <string>
#include <string_view>

namespace gpufleet::inventory {

// Lower-case letters, digits and inner '-': ids stay safe in file names, URLs and rule text.
bool IsSlug(std::string_view s);
// A finite decimal number, the whole text ("80", "614.4", "1e3"); nullopt otherwise.
std::optional<double> ParseNumber(std::string_view s);
// The shortest text that ParseNumber reads back as exactly `v` ("96", "0.30000000000000004").
std::string FormatNumber(double v);

}  // namespace gpufleet::inventory
