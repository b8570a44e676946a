#include "gpufleet/model/date.h"

#include <gtest/gtest.h>

namespace gpufleet {
namespace {

TEST(DateTest, ParsesAndPrintsCalendarDays) {
  auto epoch = Date::Parse("1970-01-01");
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(epoch->days(), 0);
  auto rule = Date::Parse("2023-11-17");
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ(rule->ToString(), "2023-11-17");
  EXPECT_EQ(Date::Parse("2024-03-01")->days() - Date::Parse("2024-02-28")->days(), 2)
      << "2024 is a leap year";
  EXPECT_EQ(Date::Parse("2025-03-01")->days() - Date::Parse("2025-02-28")->days(), 1);
  EXPECT_LT(*Date::Parse("2025-04-08"), *Date::Parse("2025-04-09"));
  // Every day of four years round-trips.
  for (int32_t d = Date::Parse("2024-01-01")->days(); d < Date::Parse("2028-01-01")->days(); ++d) {
    const Date x = Date::FromDays(d);
    auto back = Date::Parse(x.ToString());
    ASSERT_TRUE(back.ok()) << x.ToString();
    EXPECT_EQ(back->days(), d);
  }
}

TEST(DateTest, RejectsWhatIsNotADate) {
  for (const char* bad : {"2025-02-30", "2025-13-01", "2025-1-01", "25-01-01", "2025/01/01",
                          "2025-01-01x", "", "2025-00-10", "2025-04-31"}) {
    EXPECT_FALSE(Date::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace gpufleet
