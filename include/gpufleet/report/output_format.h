#pragma once
// Number and text formatting shared by the CSV and JSON writers, so every output file rounds
// and quotes the same way.

#include <string>
#include <string_view>

namespace gpufleet::report {

// Decimal places kept for doubles in CSV and JSON files: enough for 0.0001% of a cluster,
// few enough that files stay small and diff cleanly between runs.
inline constexpr int kOutputDecimals = 4;

// `value` rounded half away from zero to kOutputDecimals places; -0 becomes 0. NaN and
// infinities pass through unchanged.
double RoundForOutput(double value);

// RoundForOutput(value) in its shortest round-trip form ("83.1234", "100", "0.5").
std::string FormatNumber(double value);

// `field` as one RFC 4180 CSV field: quoted when it holds a comma, quote, CR or LF, with
// inner quotes doubled.
std::string CsvField(std::string_view field);

}  // namespace gpufleet::report
