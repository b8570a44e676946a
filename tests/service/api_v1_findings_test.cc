// GET /v1/findings and the person's updates over HTTP (docs/findings.md): a report that
// contradicts the inventory becomes a finding after a pass, readers and writers are the roles
// the ledger has, updates need a reason, and bad queries say which parameter.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

class ApiV1Findings : public ApiV1Test {
 protected:
  void SetUp() override {
    ApiV1Test::SetUp();
    viewer_ = Create(R"({"role": "viewer"})");
    inventory_token_ = Create(R"({"role": "inventory"})");
  }

  std::string Create(const std::string& body) {
    const Reply r = Call("POST", "/v1/tokens", admin_token_, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.is_object() ? r.body.value("token", "") : "";
  }

  // sh03-h20-n01 of examples/fleet.yaml holds H20s 1655023004411...; its agent says the first
  // is an H100.
  void ReportRelabelled() {
    const nlohmann::json report = {{"node", "sh-03/sh03-h20-n01"},
                                   {"agent_version", "0.1.0"},
                                   {"provider", "file"},
                                   {"devices",
                                    {{{"vendor", "nvidia"},
                                      {"model", "NVIDIA H100 80GB HBM3"},
                                      {"serial", "1655023004411"},
                                      {"memory_bytes", 85'520'809'984}}}}};
    const Reply r =
        Call("POST", "/v1/nodes/sh-03%2Fsh03-h20-n01/reports", admin_token_, report.dump());
    ASSERT_EQ(r.status, 200) << r.raw;
  }

  std::string viewer_;
  std::string inventory_token_;
};

TEST_F(ApiV1Findings, AReportContradictingTheInventoryBecomesAFindingAfterAPass) {
  ReportRelabelled();
  const Reply pass = Call("POST", "/v1/findings/reconcile", admin_token_);
  ASSERT_EQ(pass.status, 200) << pass.raw;
  EXPECT_GE(pass.body["opened"].get<int>(), 1);
  const Reply list = Call("GET", "/v1/findings?kind=model_differs", viewer_);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["findings"].size(), 1u) << list.raw;
  const nlohmann::json f = list.body["findings"][0];
  EXPECT_EQ(f["source"], "agent");
  EXPECT_EQ(f["serial"], "1655023004411");
  EXPECT_EQ(f["state"], "open");
  EXPECT_EQ(f["action"], "quarantine_device");
  EXPECT_EQ(f["held"], true);
  EXPECT_THAT(f["detail"].get<std::string>(), HasSubstr("declared nvidia-h20-96gb"));
  const std::string id = f["id"];

  // The ledger's own findings are there too: the example fleet's deliberate anomalies.
  const Reply ledger = Call("GET", "/v1/findings?source=ledger", viewer_);
  ASSERT_EQ(ledger.status, 200);
  EXPECT_GE(ledger.body["findings"].size(), 2u) << ledger.raw;

  const Reply ack = Call("POST", "/v1/findings/" + id + "/acknowledge", inventory_token_,
                         R"({"reason": "asked the supplier"})");
  ASSERT_EQ(ack.status, 200) << ack.raw;
  EXPECT_EQ(ack.body["state"], "acknowledged");
  EXPECT_EQ(ack.body["history"].back()["reason"], "asked the supplier");
  EXPECT_EQ(Call("POST", "/v1/findings/" + id + "/release", inventory_token_, R"({"reason": "x"})")
                .status,
            403)
      << "releasing quarantined hardware is the admin's";
  const Reply release =
      Call("POST", "/v1/findings/" + id + "/release", admin_token_, R"({"reason": "verified"})");
  ASSERT_EQ(release.status, 200) << release.raw;
  EXPECT_EQ(release.body["held"], false);
  const Reply twice =
      Call("POST", "/v1/findings/" + id + "/release", admin_token_, R"({"reason": "again"})");
  EXPECT_EQ(twice.status, 409) << twice.raw;
  // Every update is a ledger entry: the history's entries are in the log.
  const Reply one = Call("GET", "/v1/findings/" + id, viewer_);
  ASSERT_EQ(one.status, 200);
  ASSERT_EQ(one.body["history"].size(), 3u);
  const int64_t last = one.body["history"][2]["entry"];
  const Reply entries =
      Call("GET",
           "/v1/ledger/entries?start=" + std::to_string(last) + "&end=" + std::to_string(last + 1),
           viewer_);
  EXPECT_EQ(entries.status, 200) << entries.raw;
}

TEST_F(ApiV1Findings, RolesAndBadInput) {
  EXPECT_EQ(Call("GET", "/v1/findings", alpha_token_).status, 403) << "tenants do not read them";
  EXPECT_EQ(Call("POST", "/v1/findings/reconcile", viewer_).status, 403);
  EXPECT_EQ(Call("GET", "/v1/findings/f-99", viewer_).status, 404);
  EXPECT_EQ(Call("POST", "/v1/findings/f-99/resolve", admin_token_, R"({"reason":"x"})").status,
            404);
  const Reply state = Call("GET", "/v1/findings?state=closed", viewer_);
  EXPECT_EQ(state.status, 400);
  EXPECT_THAT(state.raw, HasSubstr("'state'"));
  EXPECT_EQ(Call("GET", "/v1/findings?kind=nope", viewer_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/findings?after=7", viewer_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/findings?colour=red", viewer_).status, 400);
  ReportRelabelled();
  ASSERT_EQ(Call("POST", "/v1/findings/reconcile", admin_token_).status, 200);
  const std::string id =
      Call("GET", "/v1/findings?kind=model_differs", viewer_).body["findings"][0]["id"];
  const Reply no_reason = Call("POST", "/v1/findings/" + id + "/resolve", admin_token_, "{}");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_THAT(no_reason.raw, HasSubstr("reason"));
  EXPECT_EQ(Call("POST", "/v1/findings/" + id + "/resolve", viewer_, R"({"reason":"x"})").status,
            403);
  // Paging: one per page, the cursor is the last id.
  const Reply page = Call("GET", "/v1/findings?limit=1", viewer_);
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.body["findings"].size(), 1u);
  const std::string next = page.body["next_after"];
  const Reply page2 = Call("GET", "/v1/findings?limit=1&after=" + next, viewer_);
  ASSERT_EQ(page2.status, 200);
  EXPECT_NE(page2.body["findings"][0]["id"], page.body["findings"][0]["id"]);
}

}  // namespace
}  // namespace gpufleet::service::testing
