// The token lifecycle through the API: create with role, scope, name and expiry; list and show
// without secrets; revoke; expired tokens refused at once and revoked ones within the one
// second a second instance remembers them; last use recorded; bad requests change nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "service/api_json.h"
#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ApiV1Tokens : public ApiV1Test {
 protected:
  Reply Create(const nlohmann::json& body) {
    return Call("POST", "/v1/tokens", admin_token_, body.dump());
  }
};

TEST_F(ApiV1Tokens, CreatedTokensCarryTheirRoleAndScopeAndAreListedWithoutSecrets) {
  const std::string node = NodeOf(SomeModel(), 1);
  const Reply viewer = Create({{"role", "viewer"}, {"name", "dashboard"}});
  ASSERT_EQ(viewer.status, 201) << viewer.raw;
  const std::string secret = viewer.body["token"];
  EXPECT_THAT(secret, ::testing::StartsWith("gf_"));
  EXPECT_EQ(viewer.body["id"], store::TokenIdForHash(api::HashToken(secret)));
  EXPECT_EQ(viewer.body["state"], "live");
  EXPECT_TRUE(viewer.body["expires_at"].is_null());
  const Reply node_token = Create({{"role", "node"}, {"node", node}, {"expires_in_s", 3600}});
  ASSERT_EQ(node_token.status, 201) << node_token.raw;
  EXPECT_EQ(node_token.body["node"], node);
  EXPECT_EQ(node_token.body["expires_at"], v1::IsoTime(clock_.NowMs() + 3'600'000));

  const Reply me = Call("GET", "/v1/whoami", secret);
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(me.body["role"], "viewer");
  EXPECT_EQ(me.body["name"], "dashboard");
  EXPECT_FALSE(me.body["last_used_at"].is_null()) << "this request was a use";

  const Reply list = Call("GET", "/v1/tokens", admin_token_);
  ASSERT_EQ(list.status, 200) << list.raw;
  EXPECT_THAT(list.raw, Not(HasSubstr("gf_")));
  EXPECT_THAT(list.raw, Not(HasSubstr(api::HashToken(secret))));
  std::set<std::string> roles;
  for (const nlohmann::json& t : list.body["tokens"]) roles.insert(t["role"]);
  EXPECT_EQ(roles, (std::set<std::string>{"admin", "tenant", "viewer", "node"}));
  const Reply tenants = Call("GET", "/v1/tokens?role=tenant&tenant=beta", admin_token_);
  ASSERT_EQ(tenants.body["tokens"].size(), 1u) << tenants.raw;
  EXPECT_EQ(tenants.body["tokens"][0]["tenant"], "beta");

  const Reply shown =
      Call("GET", "/v1/tokens/" + node_token.body["id"].get<std::string>(), admin_token_);
  ASSERT_EQ(shown.status, 200) << shown.raw;
  EXPECT_TRUE(shown.body["last_used_at"].is_null()) << "never used";
  EXPECT_FALSE(shown.body.contains("token"));
}

TEST_F(ApiV1Tokens, TenantTokensTakeANameAndAnExpiry) {
  const Reply r = Call("POST", "/v1/tenants/beta/tokens", admin_token_,
                       R"({"name": "ci", "expires_in_s": 60})");
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["tenant"], "beta");
  EXPECT_EQ(r.body["name"], "ci");
  EXPECT_EQ(r.body["expires_at"], v1::IsoTime(clock_.NowMs() + 60'000));
}

TEST_F(ApiV1Tokens, AnExpiredTokenIsRefusedAtOnceEvenWhenRemembered) {
  const Reply created = Create({{"role", "viewer"}, {"expires_in_s", 60}});
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string token = created.body["token"];
  EXPECT_EQ(Call("GET", "/v1/models", token).status, 200);  // now remembered for a second
  clock_.Advance(59'999);
  EXPECT_EQ(Call("GET", "/v1/models", token).status, 200);
  clock_.Advance(1);
  const Reply refused = Call("GET", "/v1/models", token);
  EXPECT_EQ(refused.status, 401) << refused.raw;
  const Reply shown =
      Call("GET", "/v1/tokens/" + created.body["id"].get<std::string>(), admin_token_);
  EXPECT_EQ(shown.body["state"], "expired");
}

// Two instances on one store: each remembers a token the store confirmed for one second. A
// revocation through one is refused by both within that second.
TEST_F(ApiV1Tokens, ARevokedTokenIsRefusedEverywhereWithinTheRememberedSecond) {
  api::HttpServerOptions options;
  options.authenticator = StoreAuthenticator(*store_, clock_);
  api::HttpServer second(std::move(options));
  ASSERT_TRUE(RegisterApiV1(second, {.store = store_.get(),
                                     .fleet = &fleet_holder_,
                                     .clock = &clock_,
                                     .on_change = nullptr,
                                     .inventory = inventory_.get(),
                                     .rules_text = "",
                                     .rules_name = "",
                                     .run_pass = {}})
                  .ok());
  ASSERT_TRUE(second.Start().ok());
  const auto get = [&](uint16_t port) {
    httplib::Client client("127.0.0.1", port);
    const httplib::Result r =
        client.Get("/v1/models", {{"Authorization", "Bearer " + alpha_token_}});
    return r ? r->status : 0;
  };
  ASSERT_EQ(get(server_->port()), 200);  // both instances now remember it
  ASSERT_EQ(get(second.port()), 200);

  const std::string id = store::TokenIdForHash(api::HashToken(alpha_token_));
  const Reply revoked = Call("DELETE", "/v1/tokens/" + id, admin_token_);
  ASSERT_EQ(revoked.status, 200) << revoked.raw;
  EXPECT_EQ(revoked.body["state"], "revoked");
  const auto revoked_at = std::chrono::steady_clock::now();
  for (const uint16_t port : {server_->port(), second.port()}) {
    while (get(port) != 401) {
      ASSERT_LT(std::chrono::steady_clock::now() - revoked_at, std::chrono::seconds(5))
          << "instance on port " << port << " still accepts a revoked token";
    }
  }
  // The second it is remembered, and the time one request takes under a sanitizer.
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, std::chrono::milliseconds(1500));
  EXPECT_EQ(Call("GET", "/v1/tokens/" + id, admin_token_).body["state"], "revoked");
  EXPECT_EQ(Call("DELETE", "/v1/tokens/" + id, admin_token_).status, 200);  // idempotent
  EXPECT_EQ(Call("DELETE", "/v1/tokens/tok_0000000000000000", admin_token_).status, 404);
  second.Stop();
}

TEST_F(ApiV1Tokens, MalformedRequestsAreRefusedByFieldAndChangeNothing) {
  ASSERT_EQ(Create({{"role", "viewer"}, {"name", "taken"}}).status, 201);
  const Snapshot before = Take();
  const std::string node = NodeOf(SomeModel(), 1);
  struct Case {
    nlohmann::json body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"role", "root"}}, 400, "field 'role'"},
      {nlohmann::json::object(), 400, "role"},
      {{{"role", "tenant"}}, 400, "field 'tenant': required for a tenant token"},
      {{{"role", "tenant"}, {"tenant", "gamma"}}, 404, "tenant 'gamma' not found"},
      {{{"role", "viewer"}, {"tenant", "alpha"}}, 400, "field 'tenant'"},
      {{{"role", "node"}}, 400, "field 'node': required"},
      {{{"role", "node"}, {"node", "nowhere"}}, 400, "no node 'nowhere' in the fleet"},
      {{{"role", "admin"}, {"node", node}}, 400, "field 'node'"},
      {{{"role", "viewer"}, {"expires_in_s", 0}}, 400, "field 'expires_in_s'"},
      {{{"role", "viewer"}, {"expires_in_s", 400'000'000}}, 400, "field 'expires_in_s'"},
      {{{"role", "viewer"}, {"expires_in_s", "soon"}}, 400, "expires_in_s"},
      {{{"role", "viewer"}, {"name", "taken"}}, 409, "the name 'taken' is taken"},
      {{{"role", "viewer"}, {"scope", "all"}}, 400, "scope"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.dump());
    const Reply r = Create(c.body);
    EXPECT_EQ(r.status, c.status) << r.raw;
    EXPECT_THAT(r.body["error"]["message"].get<std::string>(), HasSubstr(c.message));
  }
  EXPECT_EQ(Take(), before);
}

}  // namespace
}  // namespace gpufleet::service::testing
