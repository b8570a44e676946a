#include "gpufleet/codec/yaml_country.h"

#include "gpufleet/model/country_code.h"

namespace gpufleet::codec {

Result<std::string> ReadCountryCode(const YamlMap& m, const YamlField& f) {
  Result<std::string> code = m.ReadText(f, "a country code");
  if (!code.ok()) return code.status();
  if (std::optional<std::string> problem = CountryCodeProblem(*code)) return m.Error(f, *problem);
  return code;
}

Result<std::vector<std::string>> ReadCountryCodes(const YamlMap& m, const YamlField& f) {
  Result<std::vector<YamlField>> items = m.ReadList(f);
  if (!items.ok()) return items.status();
  std::vector<std::string> out;
  out.reserve(items->size());
  for (const YamlField& item : *items) {
    Result<std::string> code = ReadCountryCode(m, item);
    if (!code.ok()) return code.status();
    out.push_back(std::move(code).value());
  }
  return out;
}

}  // namespace gpufleet::codec
