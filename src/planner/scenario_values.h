#pragma once
// Value readers the scenario sections share: money in any stated currency, monthly series
// (one number for every month, or a list of exactly one per month) and catalog models.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/codec/yaml_map.h"
#include "gpufleet/status.h"

namespace gpufleet::planner {

// How the sections read values: the scenario's currency and rates, horizon and catalog.
struct ValueContext {
  std::string currency = "USD";
  // Currency code -> units of `currency` per unit of it; `currency` itself is 1.
  std::map<std::string, double, std::less<>> rates;
  int months = 0;
  const catalog::Catalog* catalog = nullptr;
};

// The largest value a field accepts, and the unit its error names ("expected at most 1e+09
// accelerator-hours a month, got '1e22'"). Every number that reaches the solver is bounded:
// CBC works in doubles with absolute tolerances near 1e-7, so a demand of 1e22 next to prices
// of 1e4 makes it abort or call a plan infeasible that is not (docs/planner.md, "Limits on
// values"). The bounds are far above any real fleet.
struct Limit {
  double max = 0;
  std::string_view unit;
};
inline constexpr Limit kMoneyLimit{1e13, "in the scenario currency"};
inline constexpr Limit kUnitPriceLimit{1e9, "per accelerator"};
inline constexpr Limit kHourlyPriceLimit{1e6, "per accelerator-hour"};
inline constexpr Limit kPenaltyLimit{1e6, "per unit of demand"};
inline constexpr Limit kDemandLimit{1e9, "accelerator-hours a month"};
// An accelerator-hour of the fastest catalog part is below 1e5 TPP-hours.
inline constexpr Limit kTppDemandLimit{1e14, "TPP-hours a month"};
inline constexpr Limit kUnitsLimit{1e7, "accelerators a month"};
inline constexpr Limit kFleetUnitsLimit{1e8, "accelerators"};
inline constexpr Limit kThroughputLimit{1e3, "(relative throughput)"};
// Below this a throughput is a typo, and its inverse would be a coefficient CBC cannot scale.
inline constexpr double kMinThroughput = 1e-3;
inline constexpr Limit kRateLimit{1e6, "units of the scenario currency per unit"};
inline constexpr double kMinRate = 1e-6;
// Longer than any horizon (120 months): a lead time past it could never deliver. Twenty
// years: no accelerator is kept in service longer.
inline constexpr int kMaxLeadMonths = 120;
inline constexpr int kMaxLifeMonths = 240;
inline constexpr Limit kFactorLimit{1e3, "times the scenario's value"};

// A non-negative amount of at most `limit` after conversion: a number in the scenario
// currency, or "<number> <CUR>" converted at the stated rate. Errors name the field:
// "expected an amount such as 12e9 or '5.5e9 USD'", "unknown currency 'EUR' (give its rate
// under exchange_rates)", "expected at most 1e+13 in the scenario currency, got '2e13'".
Result<double> ReadMoney(const codec::YamlMap& m, const codec::YamlField& f,
                         const ValueContext& ctx, const Limit& limit = kMoneyLimit);
// A number from 0 to `limit.max`.
Result<double> ReadNonNegative(const codec::YamlMap& m, const codec::YamlField& f,
                               const Limit& limit);
// One number from 0 to `limit.max` for every month, or a list of exactly ctx.months of them.
Result<std::vector<double>> ReadSeries(const codec::YamlMap& m, const codec::YamlField& f,
                                       const ValueContext& ctx, const Limit& limit);
// The error for `v` above `limit`: "expected at most 1e+09 accelerator-hours a month, got 1e+22".
Status AboveLimit(const codec::YamlMap& m, const codec::YamlField& f, double v, const Limit& limit);
// A catalog model by id or alias: "unknown model 'X'".
Result<const catalog::AcceleratorSpec*> ReadModel(const codec::YamlMap& m,
                                                  const codec::YamlField& f,
                                                  const ValueContext& ctx);
// A name or id that reports, JSON and SVG output quote: printable UTF-8 (no control character
// such as the NUL a YAML "\0" escape makes, no U+FFFE or U+FFFF), which XML cannot hold.
// Errors name the field: "contains the control character U+0000; expected printable text".
Result<std::string> ReadName(const codec::YamlMap& m, const codec::YamlField& f);
// The check ReadName makes, on text from elsewhere (a file name): "" when printable, else
// what is wrong with it.
std::string UnprintableReason(std::string_view text);
// An assigned ISO 3166-1 alpha-2 code (codec::ReadCountryCode); a list of them.
Result<std::string> ReadCountry(const codec::YamlMap& m, const codec::YamlField& f);
Result<std::vector<std::string>> ReadCountries(const codec::YamlMap& m, const codec::YamlField& f);

}  // namespace gpufleet::planner
