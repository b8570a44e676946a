// Every v1 route against every role: a role the route is not open to gets 403 with nothing but
// the error (no object data, nothing changed); a role it is open to gets past authorisation;
// scoped roles see only their own tenant or node. The roles table in docs/service.md is read
// and compared with what the binary enforces, so the documentation cannot drift.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "service/api_v1_fixture.h"
#include "support/route_path.h"

namespace gpufleet::service::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ApiV1Roles : public ApiV1Test {
 protected:
  void SetUp() override {
    ApiV1Test::SetUp();
    node_ = NodeOf(SomeModel(), 1);
    tokens_[store::Role::kAdmin] = admin_token_;
    tokens_[store::Role::kTenant] = alpha_token_;
    tokens_[store::Role::kInventory] = Create(R"({"role": "inventory"})");
    tokens_[store::Role::kNode] = Create(nlohmann::json{{"role", "node"}, {"node", node_}}.dump());
    tokens_[store::Role::kViewer] = Create(R"({"role": "viewer", "name": "dashboard"})");
    alpha_job_ = SubmitOk(alpha_token_, {{"name", "a"}, {"gpus", 1}});
    beta_job_ = SubmitOk(beta_token_, {{"name", "b"}, {"gpus", 1}});
  }

  std::string Create(const std::string& body) {
    const Reply r = Call("POST", "/v1/tokens", admin_token_, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.is_object() ? r.body.value("token", "") : "";
  }

  std::string node_;
  std::map<store::Role, std::string> tokens_;
  uint64_t alpha_job_ = 0;
  uint64_t beta_job_ = 0;
};

TEST_F(ApiV1Roles, EveryRouteAnswersEveryRoleAsItsAccessSays) {
  const Snapshot before = Take();
  int denied = 0;
  int allowed = 0;
  for (const ApiV1Route& r : ApiV1Routes()) {
    if (r.access.is_public()) continue;
    for (const auto& [role, token] : tokens_) {
      SCOPED_TRACE(std::string(r.method) + " " + std::string(r.pattern) + " as " +
                   std::string(store::RoleName(role)));
      // Ids of nothing, and a body no write accepts: an allowed call is refused by the handler
      // (400/404), so the store must be unchanged at the end whatever the role.
      const Reply reply =
          Call(std::string(r.method), gpufleet::testing::FillRoute(r.pattern, "none"), token,
               R"({"unknown_field": 1})");
      if (r.access.Allows(role)) {
        ++allowed;
        EXPECT_NE(reply.status, 401) << reply.raw;
        EXPECT_NE(reply.status, 403) << reply.raw;
        EXPECT_LT(reply.status, 500) << reply.raw;
      } else {
        ++denied;
        EXPECT_EQ(reply.status, 403) << reply.raw;
        ASSERT_TRUE(reply.body.is_object()) << reply.raw;
        EXPECT_EQ(reply.body.size(), 1u) << "only the error: " << reply.raw;
        EXPECT_EQ(reply.body["error"]["code"], "permission_denied");
        EXPECT_THAT(reply.raw, Not(HasSubstr("alpha")));
        EXPECT_THAT(reply.raw, Not(HasSubstr("beta")));
      }
    }
  }
  EXPECT_GT(denied, 40);
  EXPECT_GT(allowed, 40);
  Snapshot after = Take();
  EXPECT_EQ(after, before);
}

TEST_F(ApiV1Roles, ViewerReadsEveryTenantAndChangesNothing) {
  const std::string& viewer = tokens_[store::Role::kViewer];
  const Reply jobs = Call("GET", "/v1/jobs?limit=1000", viewer);
  ASSERT_EQ(jobs.status, 200) << jobs.raw;
  std::set<std::string> tenants;
  for (const nlohmann::json& j : jobs.body["jobs"]) tenants.insert(j["tenant"]);
  EXPECT_EQ(tenants, (std::set<std::string>{"alpha", "beta"}));
  EXPECT_EQ(Call("GET", "/v1/jobs/" + std::to_string(beta_job_), viewer).status, 200);
  EXPECT_EQ(Call("GET", "/v1/tenants/beta/quotas", viewer).status, 200);
  const Reply list = Call("GET", "/v1/tenants", viewer);
  EXPECT_EQ(list.body["tenants"].size(), 2u) << list.raw;

  const Snapshot before = Take();
  EXPECT_EQ(Call("POST", "/v1/jobs/" + std::to_string(beta_job_) + "/cancel", viewer).status, 403);
  EXPECT_EQ(Submit(viewer, {{"name", "v"}, {"gpus", 1}, {"tenant", "beta"}}).status, 403);
  EXPECT_EQ(Call("PUT", "/v1/tenants/beta", viewer, R"({"priority": 9})").status, 403);
  EXPECT_EQ(Take(), before);
}

TEST_F(ApiV1Roles, NodeTokenSeesItsOwnNodeOnlyAndAnyOtherLooksMissing) {
  const std::string& node = tokens_[store::Role::kNode];
  const Reply own = Call("GET", "/v1/nodes/" + PathSegment(node_), node);
  ASSERT_EQ(own.status, 200) << own.raw;
  EXPECT_EQ(own.body["name"], node_);
  std::string other;
  for (const NodeSpec& n : fleet().fleet.fleet.nodes()) {
    if (n.name != node_) other = n.name;
  }
  const Reply theirs = Call("GET", "/v1/nodes/" + PathSegment(other), node);
  const Reply missing = Call("GET", "/v1/nodes/no-such-node", node);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(theirs.body["error"]["message"], "node '" + other + "' not found");
  EXPECT_EQ(Call("GET", "/v1/nodes", node).status, 403);
  const Reply me = Call("GET", "/v1/whoami", node);
  EXPECT_EQ(me.body["role"], "node");
  EXPECT_EQ(me.body["node"], node_);
  // Any other token reads any node.
  EXPECT_EQ(Call("GET", "/v1/nodes/" + PathSegment(other), alpha_token_).status, 200);
}

TEST_F(ApiV1Roles, InventoryTokenReadsTheFleetButNoTenantsObjects) {
  const std::string& inventory = tokens_[store::Role::kInventory];
  EXPECT_EQ(Call("GET", "/v1/nodes?limit=5", inventory).status, 200);
  EXPECT_EQ(Call("GET", "/v1/sites", inventory).status, 200);
  EXPECT_EQ(Call("GET", "/v1/jobs", inventory).status, 403);
  EXPECT_EQ(Call("GET", "/v1/tenants", inventory).status, 403);
  EXPECT_EQ(Call("GET", "/v1/events", inventory).status, 403);
}

// The roles table of docs/service.md: "| `GET /v1/jobs` | yes | own | — | — | yes | ... |".
std::map<std::string, std::set<std::string>> DocumentedRoles() {
  std::ifstream in(std::string(GPUFLEET_SOURCE_DIR) + "/docs/service.md");
  std::map<std::string, std::set<std::string>> out;
  const std::vector<std::string> columns = {"admin", "tenant", "inventory", "node", "viewer"};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("| `") || line.find("/v1/") == std::string::npos) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) {
      const size_t b = cell.find_first_not_of(' ');
      const size_t e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    if (cells.size() < 1 + columns.size()) continue;
    const std::string route = cells[0].substr(1, cells[0].size() - 2);  // without backquotes
    std::set<std::string>& roles = out[route];
    for (size_t i = 0; i < columns.size(); ++i) {
      if (cells[1 + i] != "—") roles.insert(columns[i]);
    }
  }
  return out;
}

TEST_F(ApiV1Roles, TheDocumentedRolesTableIsWhatTheServerEnforces) {
  const std::map<std::string, std::set<std::string>> documented = DocumentedRoles();
  ASSERT_FALSE(documented.empty()) << "no roles table found in docs/service.md";
  std::set<std::string> registered;
  for (const ApiV1Route& r : ApiV1Routes()) {
    const std::string route = std::string(r.method) + " " + std::string(r.pattern);
    registered.insert(route);
    SCOPED_TRACE(route);
    const auto it = documented.find(route);
    ASSERT_NE(it, documented.end()) << "docs/service.md's roles table misses " << route;
    std::set<std::string> enforced;
    for (const store::Role role : store::kAllRoles) {
      if (r.access.Allows(role)) enforced.emplace(store::RoleName(role));
    }
    EXPECT_EQ(it->second, enforced);
  }
  for (const auto& [route, roles] : documented) {
    EXPECT_TRUE(registered.contains(route))
        << "docs/service.md documents " << route << ", which the server does not have";
  }
}

}  // namespace
}  // namespace gpufleet::service::testing
