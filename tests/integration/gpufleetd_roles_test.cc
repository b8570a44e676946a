// The role matrix against a running gpufleetd: a token of every role (created through the API)
// on every v1 route. A role the route is not open to gets 403 and nothing else; a role it is
// open to gets past authorisation. Requests name no object and carry a body no write accepts,
// so nothing changes whatever the role.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "gpufleet/service/api_v1.h"
#include "support/cli_runner.h"
#include "support/daemon_process.h"
#include "support/route_path.h"

namespace gpufleet::testing {
namespace {

httplib::Result Send(httplib::Client& client, std::string_view method, const std::string& path,
                     const std::string& token, const std::string& body) {
  const httplib::Headers h = {{"Authorization", "Bearer " + token}};
  if (method == "GET") return client.Get(path, h);
  if (method == "POST") return client.Post(path, h, body, "application/json");
  if (method == "PUT") return client.Put(path, h, body, "application/json");
  if (method == "PATCH") return client.Patch(path, h, body, "application/json");
  return client.Delete(path, h, body, "application/json");
}

TEST(GpufleetdRolesTest, EveryRouteAnswersEveryRoleAsItsAccessSays) {
  const std::string dir = FreshDir("gpufleetd_roles");
  Result<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {.args = {"--demo-gpus", "256", "--store", dir + "/gpufleet.db", "--port", "0",
                "--no-scheduler", "--admin-token-file", dir + "/admin-token"},
       .stderr_path = dir + "/stderr",
       .tmpdir = dir});
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  httplib::Client client("127.0.0.1", (*daemon)->port());
  const std::string admin = (*daemon)->admin_token();
  const httplib::Result nodes =
      client.Get("/v1/nodes?limit=1", {{"Authorization", "Bearer " + admin}});
  ASSERT_TRUE(nodes && nodes->status == 200);
  const std::string node = nlohmann::json::parse(nodes->body)["nodes"][0]["name"];

  std::map<store::Role, std::string> tokens = {{store::Role::kAdmin, admin}};
  for (const nlohmann::json& body :
       {nlohmann::json{{"role", "tenant"}, {"tenant", "llm-training"}},
        nlohmann::json{{"role", "inventory"}}, nlohmann::json{{"role", "node"}, {"node", node}},
        nlohmann::json{{"role", "viewer"}}}) {
    const httplib::Result r = Send(client, "POST", "/v1/tokens", admin, body.dump());
    ASSERT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    const nlohmann::json created = nlohmann::json::parse(r->body);
    tokens[*store::ParseRole(created["role"].get<std::string>())] = created["token"];
  }
  ASSERT_EQ(tokens.size(), std::size(store::kAllRoles));

  int checked = 0;
  for (const service::ApiV1Route& route : service::ApiV1Routes()) {
    if (route.access.is_public()) continue;
    for (const auto& [role, token] : tokens) {
      SCOPED_TRACE(std::string(route.method) + " " + std::string(route.pattern) + " as " +
                   std::string(store::RoleName(role)));
      const httplib::Result r = Send(client, route.method, FillRoute(route.pattern, "none"), token,
                                     R"({"unknown_field": 1})");
      ASSERT_TRUE(r);
      if (route.access.Allows(role)) {
        EXPECT_NE(r->status, 401) << r->body;
        EXPECT_NE(r->status, 403) << r->body;
        EXPECT_LT(r->status, 500) << r->body;
      } else {
        EXPECT_EQ(r->status, 403) << r->body;
        const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
        EXPECT_EQ(body.size(), 1u) << r->body;
        EXPECT_EQ(body["error"]["code"], "permission_denied");
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5 * (static_cast<int>(service::ApiV1Routes().size()) - 1));
  EXPECT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
}

}  // namespace
}  // namespace gpufleet::testing
