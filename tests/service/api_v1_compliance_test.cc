// GET /v1/compliance/check: the fleet check of the inventory the service holds, judged on a
// date, in the format `gpufleet check --json` prints; the same report as CheckFleet on that
// inventory and date, whether the date is the version's own (its check reused) or another.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/compliance/impact.h"
#include "gpufleet/compliance/report_json.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/compliance/transfer_question.h"
#include "service/api_v1_fixture.h"
#include "support/cli_runner.h"

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
  EXPECT_THAT(Call("GET", "/v1/compliance/check?at=2026-13-01", admin_token_).raw, HasSubstr("at"));
  EXPECT_EQ(Call("GET", "/v1/compliance/check", alpha_token_).status, 403);
}

// The transfer question as `gpufleet check-transfer` asks it, on the served inventory's sites
// and organisations: the answer AnswerTransfer gives, and its line in words.
TEST_F(ApiV1Compliance, TransferQuestionsAreAnsweredOnTheServedInventory) {
  const nlohmann::json body = {{"model", "H20"},   {"units", 4},   {"to_site", "gz-hub"},
                               {"to_org", "acme"}, {"from", "US"}, {"at", "2025-09-01"}};
  const Reply r = Call("POST", "/v1/compliance/check-transfer", admin_token_, body.dump());
  ASSERT_EQ(r.status, 200) << r.raw;
  compliance::TransferQuestion q;
  q.model = "H20";
  q.units = 4;
  q.to_site = "gz-hub";
  q.to_org = "acme";
  q.from = "US";
  q.at = Date::Parse("2025-09-01").value();
  const auto a =
      compliance::AnswerTransfer(q, *fleet().catalog, &fleet().inventory, *fleet().engine,
                                 [](std::string_view f) { return std::string(f); });
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

// A rule change as a dry run on the served inventory and the jobs running now: the report
// Impact gives for those jobs, placed where the store says they run; nothing is applied.
TEST_F(ApiV1Compliance, ImpactIsADryRunOnTheRunningJobs) {
  const std::string node = NodeOf("nvidia-h20-96gb", 4);
  const uint64_t job = SubmitOk(beta_token_, {{"name", "h20"}, {"gpus", 4}});
  ASSERT_NE(job, 0u);
  StartJob(job, node, 0xF);
  const std::string change = gpufleet::testing::ReadFile(std::string(GPUFLEET_SOURCE_DIR) +
                                                         "/examples/changes/h20-ban.yaml");
  const Snapshot before = Take();
  const Reply r = Call(
      "POST", "/v1/compliance/impact", admin_token_,
      nlohmann::json{{"change", change}, {"name", "h20-ban.yaml"}, {"at", "2026-07-01"}}.dump());
  ASSERT_EQ(r.status, 200) << r.raw;

  const FleetContext& ctx = fleet();
  const scheduler::NodeGroup& group =
      ctx.fleet.groups[ctx.fleet.node_groups[ctx.fleet.fleet.FindNode(node)->value()]];
  const Result<store::JobRecord> record = store_->GetJob(JobId(job));
  ASSERT_TRUE(record.ok());
  const std::vector<compliance::JobPlacement> running = {{.job = std::to_string(job),
                                                          .tenant_org = "acme-cloud",
                                                          .site = group.site,
                                                          .model = group.model,
                                                          .data_class = record->spec.data_class,
                                                          .holding = group.assets.front()->holding,
                                                          .gpus = 4,
                                                          .state = compliance::JobState::kRunning,
                                                          .line = 0}};
  const auto after = compliance::ApplyChange(SharedRulesText(), "rules", change, "h20-ban.yaml",
                                             ctx.catalog->IdsByName());
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  const compliance::ImpactReport expected = compliance::Impact(
      ctx.inventory, *ctx.catalog, *ctx.rules, *after, Date::Parse("2026-07-01").value(), running);
  // The file report's, and the queued jobs the change strands (none: nothing waits).
  nlohmann::json want =
      nlohmann::json::parse(compliance::ImpactJson(expected, "h20-ban.yaml").dump());
  want["queued_jobs"] = nlohmann::json::array();
  want["queued_jobs_losing_placement"] = 0;
  EXPECT_EQ(r.body, want);
  // The hypothetical ban reaches the H20 job in China: it would lose its placement.
  EXPECT_EQ(r.body["jobs_losing_placement"], 1) << r.raw;
  EXPECT_GT(r.body["total"]["became_violation"], 0);
  EXPECT_EQ(Take(), before) << "a dry run changes nothing";
}

TEST_F(ApiV1Compliance, ABadChangeIs400AndTenantsMayNotAsk) {
  for (const char* body :
       {R"({})", R"({"change": "rules: [unclosed"})", R"({"change": "# nothing"})",
        R"({"change": "rules: []", "at": "never"})", R"({"change": "rules: []", "extra": 1})"}) {
    const Reply r = Call("POST", "/v1/compliance/impact", admin_token_, body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.raw;
  }
  EXPECT_THAT(Call("POST", "/v1/compliance/impact", admin_token_,
                   R"({"change": "rules: [unclosed", "name": "mine.yaml"})")
                  .raw,
              HasSubstr("mine.yaml"));
  EXPECT_EQ(
      Call("POST", "/v1/compliance/impact", alpha_token_, R"({"change": "rules: []"})").status,
      403);
}

// The rules in force on a date and the licences on file, as the service runs them (here the
// history with acme's overlay): what RulesInForceJson says of that rule set.
TEST_F(ApiV1Compliance, RulesInForceAreTheServicesOwn) {
  for (const std::string day : {"2022-01-01", "2026-03-01"}) {
    const Reply r = Call("GET", "/v1/rules?at=" + day, admin_token_);
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body,
              nlohmann::json::parse(
                  compliance::RulesInForceJson(*fleet().rules, Date::Parse(day).value()).dump()));
  }
  const Reply now = Call("GET", "/v1/rules?at=2026-03-01", admin_token_);
  bool granted = false;
  for (const nlohmann::json& l : now.body["licences"]) {
    granted = granted || (l["id"] == "LIC-H20-2025-001" && l["state"] == "granted");
  }
  EXPECT_TRUE(granted) << "acme's overlay licence is on file and in force: " << now.raw;
  EXPECT_GT(now.body["rules"].size(),
            Call("GET", "/v1/rules?at=2022-01-01", admin_token_).body["rules"].size());
  EXPECT_EQ(Call("GET", "/v1/rules?at=someday", admin_token_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/rules", alpha_token_).status, 403);
}

}  // namespace
}  // namespace gpufleet::service::testing
