#include "gpufleet/model/date.h"

#include <charconv>
#include <cstdio>

#include "gpufleet/model/utf8.h"

namespace gpufleet {
namespace {

// Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date.
int32_t DaysFromCivil(int32_t y, uint32_t m, uint32_t d) {
  y -= m <= 2;
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

void CivilFromDays(int32_t z, int32_t& y, uint32_t& m, uint32_t& d) {
  z += 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<uint32_t>(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int32_t>(yoe) + era * 400 + (m <= 2);
}

bool ParseField(std::string_view s, uint32_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<Date> Date::Parse(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument("'" + Excerpt(text) + "' is not a date (YYYY-MM-DD)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  uint32_t y = 0, m = 0, d = 0;
  if (!ParseField(text.substr(0, 4), y) || !ParseField(text.substr(5, 2), m) ||
      !ParseField(text.substr(8, 2), d)) {
    return bad();
  }
  if (m < 1 || m > 12 || d < 1) return bad();
  const Date date(DaysFromCivil(static_cast<int32_t>(y), m, d));
  // Round-trip rejects days past the month's end (2025-02-30 would become 2025-03-02).
  if (date.ToString() != text) return bad();
  return date;
}

std::string Date::ToString() const {
  if (days_ == INT32_MIN) return "-inf";
  if (days_ == INT32_MAX) return "+inf";
  int32_t y = 0;
  uint32_t m = 0, d = 0;
  CivilFromDays(days_, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

}  // namespace gpufleet
