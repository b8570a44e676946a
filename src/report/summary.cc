#include "gpufleet/report/summary.h"

#include <fmt/format.h>

#include <cmath>

namespace gpufleet::report {

Summary Summarize(const std::vector<double>& values) {
  Summary s;
  s.n = values.size();
  if (s.n == 0) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) return s;
  // Two passes: summing squared deviations from the mean avoids the cancellation of
  // sum(x^2) - n*mean^2 when the spread is tiny next to the values (allocation ~90%).
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(squares / static_cast<double>(s.n - 1));
  return s;
}

std::string FormatSummary(const Summary& summary, int decimals) {
  if (summary.n == 0) return "-";
  if (summary.n == 1) return fmt::format("{:.{}f}", summary.mean, decimals);
  return fmt::format("{:.{}f} ± {:.{}f}", summary.mean, decimals, summary.sd, decimals);
}

std::string FormatMean(const Summary& summary, int decimals) {
  if (summary.n == 0) return "-";
  return fmt::format("{:.{}f}", summary.mean, decimals);
}

std::string FormatCount(const Summary& summary) {
  if (summary.n == 0) return "-";
  if (summary.mean == std::round(summary.mean)) return fmt::format("{:.0f}", summary.mean);
  return fmt::format("{:.1f}", summary.mean);
}

}  // namespace gpufleet::report
