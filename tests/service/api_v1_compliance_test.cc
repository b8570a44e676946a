// GET /v1/compliance/check: the fleet check of the inventory the service holds, judged on a
// date, in the format `gpufleet check --json` prints; the same report as CheckFleet on that
// inventory and date, whether the date is the version's own (its check reused) or another.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/report_json.h"
#include "gpufleet/compliance/transfer_question.h"
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

// The transfer question as `gpufleet check-transfer` asks it, on the served inventory's sites
// and organisations: the answer AnswerTransfer gives, and its line in words.
TEST_F(ApiV1Compliance, TransferQuestionsAreAnsweredOnTheServedInventory) {
  const nlohmann::json body = {{"model", "H20"},   {"units", 4},       {"to_site", "gz-hub"},
                               {"to_org", "acme"}, {"from", "US"},     {"at", "2025-09-01"}};
  const Reply r = Call("POST", "/v1/compliance/check-transfer", admin_token_, body.dump());
  ASSERT_EQ(r.status, 200) << r.raw;
  compliance::TransferQuestion q;
  q.model = "H20";
  q.units = 4;
  q.to_site = "gz-hub";
  q.to_org = "acme";
  q.from = "US";
  q.at = Date::Parse("2025-09-01").value();
  const auto a = compliance::AnswerTransfer(q, *fleet().catalog, &fleet().inventory,
                                            *fleet().engine, [](std::string_view f) {
                                              return std::string(f);
                                            });
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  nlohmann::json expected = nlohmann::json::parse(compliance::TransferAnswerJson(q, *a).dump());
  expected["line"] = compliance::TransferQuestionLine(q, *a);
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(r.body["question"]["to"], "CN");
  EXPECT_EQ(r.body["question"]["transfer"], "export");
  EXPECT_THAT(r.body["line"].get<std::string>(), HasSubstr("-> site gz-hub (CN) for acme"));
}

TEST_F(ApiV1Compliance, ABadTransferQuestionIsRefusedNamingTheField) {
  struct Case {
    std::string body;
    int status;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"to": "CN"})", 400, "model"},
           {R"({"model": "H20"})", 400, "'to' or 'to_site'"},
           {R"({"model": "H20", "to_site": "atlantis"})", 404, "'to_site': unknown site"},
           {R"({"model": "H20", "to": "CN", "to_org": "nobody"})", 404, "unknown organisation"},
           {R"({"model": "Z9000", "to": "CN"})", 404, "unknown accelerator"},
           {R"({"model": "H20", "to": "China"})", 400, "'to'"},
           {R"({"model": "H20", "to": "SG", "to_site": "gz-hub"})", 400, "contradicts"},
           {R"({"model": "H20", "to": "CN", "units": 0})", 400, "'units'"},
           {R"({"model": "H20", "to": "CN", "at": "someday"})", 400, "at"},
           {R"({"model": "H20", "to": "CN", "transfer": "teleport"})", 400, "'transfer'"},
           {R"({"model": "H20", "to": "CN", "to_org": "acme", "end_user_hq": "US"})", 400,
            "the fleet says who it is"},
           {R"({"model": "H20", "to": "CN", "colour": "red"})", 400, "colour"},
           {R"({"model": "H20", "to": "CN", "from_site": "sh-03", "units": 100000,
               "at": "2025-05-02"})",
            409, "fewer than 100000"},
       }) {
    const Reply r = Call("POST", "/v1/compliance/check-transfer", admin_token_, c.body);
    EXPECT_EQ(r.status, c.status) << c.body << ": " << r.raw;
    EXPECT_THAT(r.raw, HasSubstr(c.says)) << c.body;
  }
  EXPECT_EQ(
      Call("POST", "/v1/compliance/check-transfer", alpha_token_, R"({"model": "H20", "to": "CN"})")
          .status,
      403);
}

}  // namespace
}  // namespace gpufleet::service::testing
