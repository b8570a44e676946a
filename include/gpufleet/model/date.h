#pragma once
// A calendar day (proleptic Gregorian, UTC), as rules and inventories date things. Stored as
// days since 1970-01-01 so comparisons and intervals are integer operations.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "gpufleet/status.h"

namespace gpufleet {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(int32_t days) { return Date(days); }
  // "YYYY-MM-DD"; InvalidArgument for anything else, including 2025-02-30.
  static Result<Date> Parse(std::string_view text);
  static constexpr Date Min() { return Date(INT32_MIN); }
  static constexpr Date Max() { return Date(INT32_MAX); }

  int32_t days() const { return days_; }
  std::string ToString() const;  // "YYYY-MM-DD"
  Date AddDays(int32_t n) const { return Date(days_ + n); }
  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  constexpr explicit Date(int32_t days) : days_(days) {}
  int32_t days_ = 0;
};

}  // namespace gpufleet
