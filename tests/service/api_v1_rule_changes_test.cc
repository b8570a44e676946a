// Rule changes scheduled through the API: each schedule and withdrawal is a ledger entry; the
// list says what is pending, in force or withdrawn; GET /v1/rules on a later day includes a
// scheduled change; a dry run reports the impact and schedules nothing; the rules of the past
// do not change; a service reloaded from the store has the same changes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

using ApiV1RuleChanges = ApiV1Test;

// A rule banning the H20 in China for good, under id `id`.
std::string Ban(const std::string& id) {
  return "rules:\n  - id: " + id +
         "\n    kind: regulation\n    source: \"test\"\n    jurisdiction: CN\n"
         "    effective_from: 2020-01-01\n    chip: \"model in {nvidia-h20-96gb}\"\n"
         "    locations: [CN]\n    action: prohibited\n";
}

bool HasRule(const nlohmann::json& rules, const std::string& id) {
  for (const nlohmann::json& r : rules["rules"]) {
    if (r["id"] == id) return true;
  }
  return false;
}

TEST_F(ApiV1RuleChanges, ScheduleListWithdrawEachAnEntryOfTheLedger) {
  const int64_t entries = inventory_->size();
  const nlohmann::json body = {
      {"change", Ban("TEST-H20-BAN")}, {"name", "h20-ban.yaml"}, {"effective_at", "2026-01-10"}};
  const Reply scheduled = Call("POST", "/v1/rules/changes", admin_token_, body.dump());
  ASSERT_EQ(scheduled.status, 201) << scheduled.raw;
  EXPECT_EQ(scheduled.body["id"], "rc-1");
  EXPECT_EQ(scheduled.body["state"], "pending");
  EXPECT_EQ(scheduled.body["effective"], "2026-01-10T00:00:00.000Z");
  EXPECT_EQ(scheduled.body["entry"], entries);
  EXPECT_EQ(inventory_->size(), entries + 1);
  EXPECT_GT(changes_, 0) << "the scheduler is woken";

  // The rules on the 9th do not have it; on the 10th they do.
  EXPECT_FALSE(HasRule(Call("GET", "/v1/rules?at=2026-01-09", admin_token_).body, "TEST-H20-BAN"));
  EXPECT_TRUE(HasRule(Call("GET", "/v1/rules?at=2026-01-10", admin_token_).body, "TEST-H20-BAN"));

  const Reply listed = Call("GET", "/v1/rules/changes", admin_token_);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body["changes"].size(), 1u);
  EXPECT_EQ(listed.body["changes"][0]["name"], "h20-ban.yaml");

  const Reply withdrawn = Call("DELETE", "/v1/rules/changes/rc-1", admin_token_);
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.raw;
  EXPECT_EQ(withdrawn.body["state"], "withdrawn");
  EXPECT_EQ(inventory_->size(), entries + 2);
  EXPECT_FALSE(HasRule(Call("GET", "/v1/rules?at=2026-01-10", admin_token_).body, "TEST-H20-BAN"));
  EXPECT_EQ(Call("DELETE", "/v1/rules/changes/rc-1", admin_token_).status, 409);
  EXPECT_EQ(Call("DELETE", "/v1/rules/changes/rc-9", admin_token_).status, 404);

  // In force: it cannot be withdrawn.
  const Reply now = Call("POST", "/v1/rules/changes", admin_token_,
                         nlohmann::json{{"change", Ban("TEST-H20-BAN-2")}}.dump());
  ASSERT_EQ(now.status, 201) << now.raw;
  EXPECT_EQ(now.body["state"], "in_force");
  EXPECT_EQ(
      Call("DELETE", "/v1/rules/changes/" + now.body["id"].get<std::string>(), admin_token_).status,
      409);

  // Reloaded from the store, a service has the same changes and the same ledger.
  InventoryService reloaded(*store_, clock_, *fleet().catalog, *fleet().engine);
  reloaded.SetRuleBase(SharedRulesText(), "default.yaml + acme-rules.yaml");
  ASSERT_TRUE(reloaded.Load().ok());
  ASSERT_EQ(reloaded.RuleChanges().size(), 2u);
  EXPECT_EQ(reloaded.RuleChanges()[0].state, "withdrawn");
  EXPECT_EQ(reloaded.RuleChanges()[1].state, "in_force");
  EXPECT_EQ(reloaded.Head(), inventory_->Head());
}

TEST_F(ApiV1RuleChanges, ADryRunSchedulesNothingAndBadChangesAreRefused) {
  const int64_t entries = inventory_->size();
  const Reply dry = Call("POST", "/v1/rules/changes", admin_token_,
                         nlohmann::json{{"change", Ban("TEST-DRY")},
                                        {"name", "dry.yaml"},
                                        {"effective_at", "2026-02-01T12:00:00Z"},
                                        {"dry_run", true}}
                             .dump());
  ASSERT_EQ(dry.status, 200) << dry.raw;
  EXPECT_EQ(dry.body["change"], "dry.yaml");
  EXPECT_EQ(dry.body["date"], "2026-02-01");
  EXPECT_GT(dry.body["total"]["became_violation"], 0) << dry.raw;
  EXPECT_EQ(inventory_->size(), entries);
  EXPECT_TRUE(Call("GET", "/v1/rules/changes", admin_token_).body["changes"].empty());

  struct Case {
    std::string body;
    int status;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {R"({})", 400, "change"},
           {R"({"change": "rules: [unclosed"})", 400, "change"},
           {R"({"change": "remove_rules: [NO-SUCH-RULE]"})", 400, "NO-SUCH-RULE"},
           {R"({"change": "rules: []", "effective_at": "2025-12-31"})", 400, "past"},
           {R"({"change": "rules: []", "effective_at": "tomorrow"})", 400, "effective_at"},
           {R"({"change": "rules: []", "effective_at": "2026-02-01T25:00:00Z"})", 400,
            "effective_at"},
           {R"({"change": "rules: []", "name": ""})", 400, "name"},
           {R"({"change": "rules: []", "colour": "red"})", 400, "colour"},
       }) {
    const Reply r = Call("POST", "/v1/rules/changes", admin_token_, c.body);
    EXPECT_EQ(r.status, c.status) << c.body << ": " << r.raw;
    EXPECT_THAT(r.raw, HasSubstr(c.says)) << c.body;
  }
  EXPECT_EQ(inventory_->size(), entries) << "nothing refused reached the ledger";
  // Rule entries are not inventory changes.
  const Reply smuggled =
      Call("POST", "/v1/inventory/changes", admin_token_,
           R"({"changes": [{"kind": "rule_change", "rule_change": {"id": "rc-1", "name": "x",
          "document": "rules: []"}}]})");
  EXPECT_THAT(smuggled.raw, HasSubstr("/v1/rules/changes")) << smuggled.raw;
  EXPECT_EQ(inventory_->size(), entries);

  EXPECT_EQ(Call("POST", "/v1/rules/changes", alpha_token_, R"({"change": "rules: []"})").status,
            403);
  EXPECT_EQ(Call("GET", "/v1/rules/changes", alpha_token_).status, 403);
}

}  // namespace
}  // namespace gpufleet::service::testing
