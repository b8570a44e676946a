// GET /v1/compliance/check: the fleet check of the inventory the service holds, judged on a
// date, in the format `gpufleet check --json` prints; the same report as CheckFleet on that
// inventory and date, whether the date is the version's own (its check reused) or another.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/report_json.h"
#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

using ApiV1Compliance = ApiV1Test;

nlohmann::json Expected(const FleetContext& ctx, Date at) {
  const compliance::FleetCheckReport r =
      compliance::CheckFleet(ctx.inventory, *ctx.catalog, *ctx.rules, *ctx.engine, at);
  return nlohmann::json::parse(compliance::FleetCheckJson(r, ctx.inventory).dump());
}

TEST_F(ApiV1Compliance, TheCheckIsCheckFleetOnTheServedInventory) {
  for (const std::string day : {"2026-01-15", "2022-01-01", "2025-06-30"}) {
    const Reply r = Call("GET", "/v1/compliance/check?at=" + day, admin_token_);
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body, Expected(fleet(), Date::Parse(day).value())) << day;
    EXPECT_EQ(r.body["date"], day);
    // Assets acquired after the date are not there yet.
    EXPECT_LE(r.body["assets_checked"], fleet().inventory.assets().size());
  }
  // The example fleet breaks rules on purpose: the report says so.
  const Reply today = Call("GET", "/v1/compliance/check?at=2026-01-15", admin_token_);
  EXPECT_GT(today.body["violations"], 0) << today.raw;
  EXPECT_FALSE(today.body["findings"].empty());
}

TEST_F(ApiV1Compliance, TheDefaultDateIsTheServiceClocksDay) {
  const Reply r = Call("GET", "/v1/compliance/check", admin_token_);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["date"], "2026-01-01");  // kStartMs
  ASSERT_EQ(Call("POST", "/v1/admin/clock/advance", admin_token_, R"({"by": "40d"})").status, 200);
  EXPECT_EQ(Call("GET", "/v1/compliance/check", admin_token_).body["date"], "2026-02-10");
}

TEST_F(ApiV1Compliance, ABadDateOrParameterIs400AndTenantsMayNotAsk) {
  for (const std::string query : {"?at=2026-13-01", "?at=yesterday", "?at=", "?day=2026-01-01"}) {
    const Reply r = Call("GET", "/v1/compliance/check" + query, admin_token_);
    EXPECT_EQ(r.status, 400) << query << ": " << r.raw;
  }
  EXPECT_THAT(Call("GET", "/v1/compliance/check?at=2026-13-01", admin_token_).raw,
              HasSubstr("at"));
  EXPECT_EQ(Call("GET", "/v1/compliance/check", alpha_token_).status, 403);
}

}  // namespace
}  // namespace gpufleet::service::testing
