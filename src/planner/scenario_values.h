#pragma once
// Value readers the scenario sections share: money in any stated currency, monthly series
// (one number for every month, or a list of exactly one per month) and catalog models.

#include <map>
#include <string>
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

// A non-negative amount: a number in the scenario currency, or "<number> <CUR>" converted at
// the stated rate. Errors name the field: "expected an amount such as 12e9 or '5.5e9 USD'",
// "unknown currency 'EUR' (give its rate under exchange_rates)".
Result<double> ReadMoney(const codec::YamlMap& m, const codec::YamlField& f,
                         const ValueContext& ctx);
// A non-negative number.
Result<double> ReadNonNegative(const codec::YamlMap& m, const codec::YamlField& f);
// One non-negative number for every month, or a list of exactly ctx.months of them.
Result<std::vector<double>> ReadSeries(const codec::YamlMap& m, const codec::YamlField& f,
                                       const ValueContext& ctx);
// A catalog model by id or alias: "unknown model 'X'".
Result<const catalog::AcceleratorSpec*> ReadModel(const codec::YamlMap& m,
                                                  const codec::YamlField& f,
                                                  const ValueContext& ctx);
// An assigned ISO 3166-1 alpha-2 code (codec::ReadCountryCode); a list of them.
Result<std::string> ReadCountry(const codec::YamlMap& m, const codec::YamlField& f);
Result<std::vector<std::string>> ReadCountries(const codec::YamlMap& m, const codec::YamlField& f);

}  // namespace gpufleet::planner
