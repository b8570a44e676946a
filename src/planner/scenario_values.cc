#include "planner/scenario_values.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include "gpufleet/codec/yaml_country.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::planner {

using codec::YamlField;
using codec::YamlMap;

namespace {

bool ParseDouble(std::string_view text, double& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

}  // namespace

Status AboveLimit(const YamlMap& m, const YamlField& f, double v, const Limit& limit) {
  return m.Error(f, fmt::format("expected at most {:g} {}, got {:g}", limit.max, limit.unit, v));
}

Result<double> ReadNonNegative(const YamlMap& m, const YamlField& f, const Limit& limit) {
  Result<double> v = m.ReadNumber(f);
  if (!v.ok()) return v.status();
  if (*v < 0) return m.Error(f, "expected a number >= 0, got " + Excerpt(f.value->scalar()));
  if (*v > limit.max) return AboveLimit(m, f, *v, limit);
  return *v;
}

Result<double> ReadMoney(const YamlMap& m, const YamlField& f, const ValueContext& ctx,
                         const Limit& limit) {
  if (!f.value->IsScalar() || f.value->scalar().empty()) {
    return m.Error(f, "expected an amount such as 12e9 or '5.5e9 USD', got " + f.value->Describe());
  }
  const std::string& text = f.value->scalar();
  const size_t space = text.find(' ');
  double amount = 0;
  double rate = 1;
  if (space == std::string::npos) {
    if (!ParseDouble(text, amount)) {
      return m.Error(f,
                     "expected an amount such as 12e9 or '5.5e9 USD', got '" + Excerpt(text) + "'");
    }
  } else {
    const std::string_view number = std::string_view(text).substr(0, space);
    const std::string_view code = std::string_view(text).substr(space + 1);
    if (!ParseDouble(number, amount)) {
      return m.Error(f,
                     "expected an amount such as 12e9 or '5.5e9 USD', got '" + Excerpt(text) + "'");
    }
    if (code != ctx.currency) {
      const auto it = ctx.rates.find(code);
      if (it == ctx.rates.end()) {
        return m.Error(f, "unknown currency '" + Excerpt(code) + "' (give its rate in " +
                              ctx.currency + " under exchange_rates)");
      }
      rate = it->second;
    }
  }
  if (amount < 0) return m.Error(f, "expected an amount >= 0, got '" + Excerpt(text) + "'");
  if (amount * rate > limit.max) return AboveLimit(m, f, amount * rate, limit);
  return amount * rate;
}

Result<std::vector<double>> ReadSeries(const YamlMap& m, const YamlField& f,
                                       const ValueContext& ctx, const Limit& limit) {
  if (!f.value->IsList()) {
    Result<double> v = ReadNonNegative(m, f, limit);
    if (!v.ok()) return v.status();
    return std::vector<double>(static_cast<size_t>(ctx.months), *v);
  }
  Result<std::vector<YamlField>> items = m.ReadList(f);
  if (!items.ok()) return items.status();
  if (static_cast<int>(items->size()) != ctx.months) {
    return m.Error(f, "expected one number per month of the horizon (" +
                          std::to_string(ctx.months) + "), got " + std::to_string(items->size()));
  }
  std::vector<double> series;
  for (const YamlField& item : *items) {
    Result<double> v = ReadNonNegative(m, item, limit);
    if (!v.ok()) return v.status();
    series.push_back(*v);
  }
  return series;
}

std::string UnprintableReason(std::string_view text) {
  const size_t valid = ValidUtf8Prefix(text);
  if (valid != text.size()) {
    return fmt::format("is not valid UTF-8 (byte 0x{:02X} at offset {})",
                       static_cast<unsigned char>(text[valid]), valid);
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      return fmt::format(
          "contains the control character U+{:04X} at byte {}; expected printable text", c, i);
    }
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are valid UTF-8 but not characters XML allows.
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) {
      return fmt::format(
          "contains the non-character U+FFFE or U+FFFF at byte {}; expected printable text", i);
    }
  }
  return "";
}

Result<std::string> ReadName(const YamlMap& m, const YamlField& f) {
  Result<std::string> text = m.ReadText(f);
  if (!text.ok()) return text.status();
  const std::string reason = UnprintableReason(*text);
  // The reason says where, not what: quoting a control character would carry it on.
  if (!reason.empty()) return m.Error(f, reason);
  return text;
}

Result<const catalog::AcceleratorSpec*> ReadModel(const YamlMap& m, const YamlField& f,
                                                  const ValueContext& ctx) {
  Result<std::string> name = m.ReadText(f, "a model id or alias");
  if (!name.ok()) return name.status();
  const catalog::AcceleratorSpec* spec = ctx.catalog->Find(*name);
  if (spec == nullptr)
    return m.Error(f, "unknown model '" + Excerpt(*name) + "' (not in the catalog)");
  return spec;
}

Result<std::string> ReadCountry(const YamlMap& m, const YamlField& f) {
  return codec::ReadCountryCode(m, f);
}

Result<std::vector<std::string>> ReadCountries(const YamlMap& m, const YamlField& f) {
  return codec::ReadCountryCodes(m, f);
}

}  // namespace gpufleet::planner
