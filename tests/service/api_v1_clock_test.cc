// The service's clock over the API: an admin reads it and moves a paused simulated clock
// forward (each move wakes the scheduler); anything but a whole number and one unit, nothing
// at all, a move of zero or of more than ten years is 400 naming `by`, and no other role may
// touch it. (409 on a clock that is not paused: tests/cli/gpufleetd_clock_test.cc.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

using ApiV1Clock = ApiV1Test;

TEST_F(ApiV1Clock, AdminReadsAndAdvancesThePausedClock) {
  const Reply shown = Call("GET", "/v1/admin/clock", admin_token_);
  ASSERT_EQ(shown.status, 200) << shown.raw;
  EXPECT_EQ(shown.body["now_ms"], kStartMs);
  EXPECT_EQ(shown.body["now"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(shown.body["clock"], "paused");

  const int woken = changes_;
  const Reply moved = Call("POST", "/v1/admin/clock/advance", admin_token_, R"({"by": "36h"})");
  ASSERT_EQ(moved.status, 200) << moved.raw;
  EXPECT_EQ(moved.body["advanced_ms"], 36 * 3'600'000);
  EXPECT_EQ(moved.body["now"], "2026-01-02T12:00:00.000Z");
  EXPECT_EQ(clock_.NowMs(), kStartMs + 36 * 3'600'000);
  EXPECT_EQ(changes_, woken + 1) << "the scheduler is woken to act at the new time";

  for (const auto& [by, ms] : std::vector<std::pair<std::string, int64_t>>{
           {"250ms", 250}, {"90s", 90'000}, {"15m", 900'000}, {"2d", 172'800'000}}) {
    const int64_t before = clock_.NowMs();
    const Reply r =
        Call("POST", "/v1/admin/clock/advance", admin_token_, nlohmann::json{{"by", by}}.dump());
    ASSERT_EQ(r.status, 200) << by << ": " << r.raw;
    EXPECT_EQ(clock_.NowMs() - before, ms) << by;
  }
}

TEST_F(ApiV1Clock, AMalformedOrImpossibleMoveIs400AndMovesNothing) {
  for (const std::string body :
       {R"({"by": "0s"})", R"({"by": "-5s"})", R"({"by": "1y"})", R"({"by": "abc"})",
        R"({"by": ""})", R"({"by": "1.5h"})", R"({"by": "3651d"})", R"({"by": "5 s"})",
        R"({"by": "99999999999999999999d"})", R"({"by": 3600})", R"({})",
        R"({"by": "1h", "extra": 1})"}) {
    const Reply r = Call("POST", "/v1/admin/clock/advance", admin_token_, body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.raw;
    EXPECT_THAT(r.raw, ::testing::AnyOf(HasSubstr("by"), HasSubstr("extra"))) << body;
    EXPECT_EQ(clock_.NowMs(), kStartMs) << body;
  }
}

TEST_F(ApiV1Clock, NoOtherRoleReadsOrMovesIt) {
  EXPECT_EQ(Call("GET", "/v1/admin/clock", alpha_token_).status, 403);
  EXPECT_EQ(Call("POST", "/v1/admin/clock/advance", alpha_token_, R"({"by": "1h"})").status, 403);
  EXPECT_EQ(clock_.NowMs(), kStartMs);
}

}  // namespace
}  // namespace gpufleet::service::testing
