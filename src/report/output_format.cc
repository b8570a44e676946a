#include "gpufleet/report/output_format.h"

#include <fmt/format.h>

#include <cmath>

namespace gpufleet::report {

double RoundForOutput(double value) {
  if (!std::isfinite(value)) return value;
  const double scale = std::pow(10.0, kOutputDecimals);
  const double rounded = std::round(value * scale) / scale;
  // -0.0 would print as "-0"; small negative noise should read as plain zero.
  return rounded == 0 ? 0.0 : rounded;
}

std::string FormatNumber(double value) {
  // fmt's "{}" is the shortest form that parses back to the same double.
  return fmt::format("{}", RoundForOutput(value));
}

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace gpufleet::report
