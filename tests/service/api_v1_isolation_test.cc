// Tenant isolation and authentication across every v1 route: tenant alpha's token can neither
// read nor change beta's jobs, tenant, quotas, placements or events (404, exactly like an
// object that does not exist), admin routes answer 403 to tenant tokens, and a missing, wrong,
// malformed or revoked token is 401. Each rejected request changes nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "service/api_v1_fixture.h"
#include "support/route_path.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;

class ApiV1Isolation : public ApiV1Test {
 protected:
  void SetUp() override {
    ApiV1Test::SetUp();
    model_ = SomeModel();
    alpha_job_ = SubmitOk(alpha_token_, {{"name", "a"}, {"gpus", 1}, {"models", {model_}}});
    beta_job_ = SubmitOk(beta_token_, {{"name", "b"}, {"gpus", 1}, {"models", {model_}}});
    beta_pending_ = SubmitOk(beta_token_, {{"name", "b2"}, {"gpus", 1}});
    StartJob(alpha_job_, NodeOf(model_, 2), 0b01);
    StartJob(beta_job_, NodeOf(model_, 2), 0b10);
    ASSERT_TRUE(store_->SetQuota({.tenant = "beta", .model = model_, .guaranteed_gpus = 2}).ok());
  }

  std::string AlphaTokenId() const { return store::TokenIdForHash(api::HashToken(alpha_token_)); }
  std::string BetaTokenId() const { return store::TokenIdForHash(api::HashToken(beta_token_)); }

  std::string model_;
  uint64_t alpha_job_ = 0;
  uint64_t beta_job_ = 0;
  uint64_t beta_pending_ = 0;
};

// Every element of `list` under `key` belongs to alpha.
std::function<void(const nlohmann::json&)> OnlyAlpha(const std::string& list,
                                                     const std::string& field) {
  return [list, field](const nlohmann::json& body) {
    ASSERT_TRUE(body.contains(list)) << body.dump();
    EXPECT_FALSE(body[list].empty()) << "alpha should see its own " << list;
    for (const nlohmann::json& e : body[list]) EXPECT_EQ(e[field], "alpha") << e.dump();
  };
}

TEST_F(ApiV1Isolation, TenantCannotSeeOrChangeAnotherTenantsObjectsOnAnyRoute) {
  const std::string bj = std::to_string(beta_job_);
  const std::string bp = std::to_string(beta_pending_);
  struct Case {
    std::string route;  // the pattern exercised, for the coverage check below
    std::string method;
    std::string path;
    std::string body;
    int status;
    std::function<void(const nlohmann::json&)> check;  // for 200s: what alpha may see
  };
  const std::vector<Case> cases = {
      {"/v1/jobs/{id}", "GET", "/v1/jobs/" + bj, "", 404, nullptr},
      {"/v1/jobs/{id}/cancel", "POST", "/v1/jobs/" + bj + "/cancel", "", 404, nullptr},
      {"/v1/jobs/{id}/cancel", "POST", "/v1/jobs/" + bp + "/cancel", "{}", 404, nullptr},
      {"/v1/jobs/{id}/complete", "POST", "/v1/jobs/" + bj + "/complete", "", 404, nullptr},
      {"/v1/jobs", "GET", "/v1/jobs?tenant=beta", "", 404, nullptr},
      {"/v1/jobs", "GET", "/v1/jobs?limit=1000", "", 200, OnlyAlpha("jobs", "tenant")},
      {"/v1/jobs", "POST", "/v1/jobs", R"({"name": "x", "gpus": 1, "tenant": "beta"})", 400,
       nullptr},
      {"/v1/tenants/{id}", "GET", "/v1/tenants/beta", "", 404, nullptr},
      {"/v1/tenants", "GET", "/v1/tenants", "", 200,
       [](const nlohmann::json& body) {
         ASSERT_EQ(body["tenants"].size(), 1u) << body.dump();
         EXPECT_EQ(body["tenants"][0]["id"], "alpha");
       }},
      {"/v1/tenants/{id}/quotas", "GET", "/v1/tenants/beta/quotas", "", 404, nullptr},
      {"/v1/tenants/{id}", "PUT", "/v1/tenants/beta", R"({"name": "x", "org": "lumen-ai"})", 403,
       nullptr},
      {"/v1/tenants/{id}", "PUT", "/v1/tenants/alpha", R"({"name": "x", "org": "lumen-ai"})", 403,
       nullptr},
      {"/v1/tenants/{id}/quotas/{model}", "PUT", "/v1/tenants/alpha/quotas/" + model_,
       R"({"guaranteed_gpus": 100})", 403, nullptr},
      {"/v1/tenants/{id}/tokens", "POST", "/v1/tenants/beta/tokens", "", 403, nullptr},
      {"/v1/tenants/{id}/tokens", "POST", "/v1/tenants/alpha/tokens", "", 403, nullptr},
      {"/v1/placements", "GET", "/v1/placements?tenant=beta", "", 404, nullptr},
      {"/v1/placements", "GET", "/v1/placements", "", 200, OnlyAlpha("placements", "tenant")},
      {"/v1/events", "GET", "/v1/events?job=" + bj, "", 404, nullptr},
      {"/v1/events", "GET", "/v1/events?tenant=beta", "", 404, nullptr},
      {"/v1/events", "GET", "/v1/events?limit=1000", "", 200, OnlyAlpha("events", "tenant")},
      // Fleet routes carry no tenant data: alpha sees them whole.
      {"/v1/models", "GET", "/v1/models", "", 200, nullptr},
      {"/v1/sites", "GET", "/v1/sites", "", 200, nullptr},
      {"/v1/nodes", "GET", "/v1/nodes", "", 200, nullptr},
      {"/v1/nodes/{id}", "GET", "/v1/nodes/" + PathSegment(NodeOf(model_, 1)), "", 200, nullptr},
      // The inventory: alpha (lumen-ai) sees the assets it rents and nothing of acme's; it
      // changes nothing.
      {"/v1/assets", "GET", "/v1/assets?limit=1000", "", 200,
       [](const nlohmann::json& body) {
         ASSERT_FALSE(body["assets"].empty()) << body.dump();
         for (const nlohmann::json& a : body["assets"]) {
           EXPECT_TRUE(a["owner"] == "lumen-ai" || a["operator"] == "lumen-ai") << a.dump();
         }
       }},
      {"/v1/assets/{serial}", "GET", "/v1/assets/1654823001201", "", 404, nullptr},
      {"/v1/assets/{serial}/history", "GET", "/v1/assets/1654823001201/history", "", 404, nullptr},
      {"/v1/inventory/changes", "POST", "/v1/inventory/changes",
       R"({"changes": [{"kind": "retire", "serial": "1655025007201"}]})", 403, nullptr},
      {"/v1/orgs", "GET", "/v1/orgs", "", 200, nullptr},
      {"/v1/orgs/{id}", "GET", "/v1/orgs/acme", "", 200, nullptr},
      {"/v1/sites/{id}", "GET", "/v1/sites/sh-03", "", 200, nullptr},
      // The ledger names every organisation's assets: not a tenant's to read.
      {"/v1/ledger/checkpoint", "GET", "/v1/ledger/checkpoint", "", 403, nullptr},
      {"/v1/ledger/entries", "GET", "/v1/ledger/entries?start=0", "", 403, nullptr},
      {"/v1/ledger/proof/inclusion", "GET", "/v1/ledger/proof/inclusion?index=0", "", 403, nullptr},
      {"/v1/ledger/proof/consistency", "GET", "/v1/ledger/proof/consistency?old_size=1", "", 403,
       nullptr},
      // Tokens are the admin's: a tenant can neither list, read, create nor revoke one, its
      // own included.
      {"/v1/tokens", "GET", "/v1/tokens", "", 403, nullptr},
      {"/v1/tokens", "POST", "/v1/tokens", R"({"role": "admin"})", 403, nullptr},
      {"/v1/tokens/{id}", "GET", "/v1/tokens/" + AlphaTokenId(), "", 403, nullptr},
      {"/v1/tokens/{id}", "DELETE", "/v1/tokens/" + BetaTokenId(), "", 403, nullptr},
      // The fleet check names every organisation's assets, as the ledger does.
      {"/v1/compliance/check", "GET", "/v1/compliance/check", "", 403, nullptr},
      {"/v1/compliance/check-transfer", "POST", "/v1/compliance/check-transfer",
       R"({"model": "H20", "to": "CN"})", 403, nullptr},
      {"/v1/rules", "GET", "/v1/rules", "", 403, nullptr},
      {"/v1/rules/changes", "GET", "/v1/rules/changes", "", 403, nullptr},
      {"/v1/rules/changes", "POST", "/v1/rules/changes", R"({"change": "rules: []"})", 403,
       nullptr},
      {"/v1/rules/changes/{id}", "DELETE", "/v1/rules/changes/rc-1", "", 403, nullptr},
      {"/v1/licences", "GET", "/v1/licences", "", 403, nullptr},
      {"/v1/licences", "POST", "/v1/licences", R"({"id": "LIC-X"})", 403, nullptr},
      {"/v1/licences/{id}/revoke", "POST", "/v1/licences/LIC-H20-2025-001/revoke", "", 403,
       nullptr},
      {"/v1/compliance/impact", "POST", "/v1/compliance/impact", R"({"change": "rules: []"})", 403,
       nullptr},
      // Node agents' reports: neither a tenant's to send nor to read (they name serials).
      {"/v1/nodes/{id}/reports", "POST", "/v1/nodes/" + PathSegment(NodeOf(model_, 1)) + "/reports",
       nlohmann::json{
           {"node", NodeOf(model_, 1)}, {"provider", "file"}, {"devices", nlohmann::json::array()}}
           .dump(),
       403, nullptr},
      {"/v1/nodes/{id}/nonce", "POST", "/v1/nodes/" + PathSegment(NodeOf(model_, 1)) + "/nonce", "",
       403, nullptr},
      {"/v1/nodes/{id}/observed", "GET",
       "/v1/nodes/" + PathSegment(NodeOf(model_, 1)) + "/observed", "", 403, nullptr},
      // Findings name every organisation's hardware: none is a tenant's (docs/findings.md).
      {"/v1/findings", "GET", "/v1/findings", "", 403, nullptr},
      {"/v1/findings/reconcile", "POST", "/v1/findings/reconcile", "", 403, nullptr},
      {"/v1/findings/{id}", "GET", "/v1/findings/f-1", "", 403, nullptr},
      {"/v1/findings/{id}/acknowledge", "POST", "/v1/findings/f-1/acknowledge",
       R"({"reason": "x"})", 403, nullptr},
      {"/v1/findings/{id}/resolve", "POST", "/v1/findings/f-1/resolve", R"({"reason": "x"})", 403,
       nullptr},
      {"/v1/findings/{id}/release", "POST", "/v1/findings/f-1/release", R"({"reason": "x"})", 403,
       nullptr},
      // Location evidence: a landmark's to send, the fleet operator's to read.
      {"/v1/landmarks/measurements", "POST", "/v1/landmarks/measurements", R"({"note": "x"})", 403,
       nullptr},
      {"/v1/nodes/{id}/location", "GET",
       "/v1/nodes/" + PathSegment(NodeOf(model_, 1)) + "/location", "", 403, nullptr},
      // The clock is the admin's.
      {"/v1/admin/clock", "GET", "/v1/admin/clock", "", 403, nullptr},
      {"/v1/admin/clock/advance", "POST", "/v1/admin/clock/advance", R"({"by": "1h"})", 403,
       nullptr},
      {"/v1/whoami", "GET", "/v1/whoami", "", 200,
       [](const nlohmann::json& body) {
         EXPECT_EQ(body["tenant"], "alpha") << body.dump();
         EXPECT_EQ(body["role"], "tenant") << body.dump();
         EXPECT_FALSE(body.contains("token")) << "never the secret";
       }},
  };

  std::set<std::string> covered;
  for (const Case& c : cases) covered.insert(c.method + " " + c.route);
  for (const ApiV1Route& r : ApiV1Routes()) {
    if (r.access.is_public()) continue;
    EXPECT_TRUE(covered.contains(std::string(r.method) + " " + std::string(r.pattern)))
        << "the isolation table misses " << r.method << " " << r.pattern;
  }

  const Snapshot before = Take();
  const int changes = changes_;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    const Reply r = Call(c.method, c.path, alpha_token_, c.body);
    EXPECT_EQ(r.status, c.status) << r.raw;
    if (c.status >= 400) {
      EXPECT_TRUE(r.body["error"]["code"].is_string()) << r.raw;
      EXPECT_TRUE(r.body["error"]["message"].is_string()) << r.raw;
    }
    if (c.check) c.check(r.body);
  }
  EXPECT_EQ(Take(), before);
  EXPECT_EQ(changes_, changes);
}

TEST_F(ApiV1Isolation, AnotherTenantsJobLooksExactlyLikeAMissingOne) {
  const uint64_t missing = beta_pending_ + 1000;
  for (const std::string& suffix : {std::string(""), std::string("/cancel")}) {
    const std::string method = suffix.empty() ? "GET" : "POST";
    const Reply theirs =
        Call(method, "/v1/jobs/" + std::to_string(beta_job_) + suffix, alpha_token_);
    const Reply none = Call(method, "/v1/jobs/" + std::to_string(missing) + suffix, alpha_token_);
    EXPECT_EQ(theirs.status, 404);
    EXPECT_EQ(none.status, 404);
    EXPECT_EQ(theirs.body["error"]["message"], "job '" + std::to_string(beta_job_) + "' not found");
    EXPECT_EQ(none.body["error"]["message"], "job '" + std::to_string(missing) + "' not found");
  }
  const Reply theirs = Call("GET", "/v1/tenants/beta", alpha_token_);
  const Reply none = Call("GET", "/v1/tenants/gamma", alpha_token_);
  EXPECT_EQ(theirs.body["error"]["message"], "tenant 'beta' not found");
  EXPECT_EQ(none.body["error"]["message"], "tenant 'gamma' not found");
}

TEST_F(ApiV1Isolation, OwnJobsRemainReachable) {
  const Reply get = Call("GET", "/v1/jobs/" + std::to_string(alpha_job_), alpha_token_);
  EXPECT_EQ(get.status, 200) << get.raw;
  const Reply events = Call("GET", "/v1/events?job=" + std::to_string(alpha_job_), alpha_token_);
  EXPECT_EQ(events.status, 200) << events.raw;
  EXPECT_FALSE(events.body["events"].empty());
  const Reply done =
      Call("POST", "/v1/jobs/" + std::to_string(alpha_job_) + "/complete", alpha_token_);
  EXPECT_EQ(done.status, 200) << done.raw;
}

TEST_F(ApiV1Isolation, TenantTokenOnAnyAdminRouteIs403) {
  const Snapshot before = Take();
  int admin_routes = 0;
  for (const ApiV1Route& r : ApiV1Routes()) {
    if (r.access.Allows(api::Role::kTenant)) continue;
    ++admin_routes;
    SCOPED_TRACE(std::string(r.method) + " " + std::string(r.pattern));
    const std::string path = gpufleet::testing::FillRoute(r.pattern, "1");
    const Reply reply = Call(std::string(r.method), path, alpha_token_, "{}");
    EXPECT_EQ(reply.status, 403) << reply.raw;
    EXPECT_EQ(reply.body["error"]["code"], "permission_denied");
  }
  EXPECT_EQ(admin_routes, 35);
  EXPECT_EQ(Take(), before);
}

TEST_F(ApiV1Isolation, MissingWrongMalformedOrRevokedTokenIs401OnEveryRoute) {
  const std::string revoked = MakeTenant("gamma", "Gamma", "kite-robotics");
  ASSERT_TRUE(
      store_->RevokeToken(store::TokenIdForHash(api::HashToken(revoked)), clock_.NowMs()).ok());
  const Snapshot before = Take();
  const int changes = changes_;
  struct Credential {
    std::string name;
    httplib::Headers headers;
  };
  const std::vector<Credential> credentials = {
      {"missing", {}},
      {"unknown", {{"Authorization", "Bearer " + api::NewToken()}}},
      {"malformed", {{"Authorization", "Basic " + alpha_token_}}},
      {"revoked", {{"Authorization", "Bearer " + revoked}}},
  };
  for (const ApiV1Route& r : ApiV1Routes()) {
    if (r.access.is_public()) continue;
    for (const Credential& c : credentials) {
      SCOPED_TRACE(std::string(r.method) + " " + std::string(r.pattern) + " with " + c.name);
      const Reply reply = Call(std::string(r.method), gpufleet::testing::FillRoute(r.pattern, "1"),
                               "", R"({"name": "x", "gpus": 1})", c.headers);
      EXPECT_EQ(reply.status, 401) << reply.raw;
      EXPECT_EQ(reply.body["error"]["code"], "unauthenticated");
    }
  }
  EXPECT_EQ(Take(), before);
  EXPECT_EQ(changes_, changes);
}

TEST_F(ApiV1Isolation, TenantSubmitsOnlyAsItself) {
  const Reply other = Submit(alpha_token_, {{"name", "x"}, {"gpus", 1}, {"tenant", "beta"}});
  EXPECT_EQ(other.status, 400);
  EXPECT_THAT(other.body["error"]["message"].get<std::string>(),
              HasSubstr("a tenant token submits as its own tenant 'alpha'"));
  const Reply own = Submit(alpha_token_, {{"name", "x"}, {"gpus", 1}, {"tenant", "alpha"}});
  EXPECT_EQ(own.status, 201) << own.raw;
  EXPECT_EQ(own.body["tenant"], "alpha");
}

}  // namespace
}  // namespace gpufleet::service::testing
