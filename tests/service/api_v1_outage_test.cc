// The store going away: every route that needs it answers 503 with Retry-After (never 500, and
// never 401 for a token it could not check), and the API works again as soon as the store
// does, with nothing to restart.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpufleet/api/errors.h"
#include "service/api_v1_fixture.h"

namespace gpufleet::service::testing {
namespace {

class ApiV1Outage : public ApiV1Test {
 protected:
  // A fresh token each time, so the authenticator must ask the store (a remembered token would
  // skip it and exercise only the handler).
  std::string FreshAlphaToken() {
    const Reply token = Call("POST", "/v1/tenants/alpha/tokens", admin_token_);
    EXPECT_EQ(token.status, 201) << token.raw;
    return token.body.is_object() ? token.body.value("token", "") : "";
  }
};

TEST_F(ApiV1Outage, StoreOutageIs503WithRetryAfterAndRecoversByItself) {
  const uint64_t job = SubmitOk(alpha_token_, {{"name", "before"}, {"gpus", 1}});
  ASSERT_NE(job, 0u);
  const std::string unchecked = FreshAlphaToken();

  served_->SetDown(true);
  struct Probe {
    std::string method, path, token, body;
  };
  const std::vector<Probe> probes = {
      {"GET", "/v1/jobs", alpha_token_, ""},
      {"GET", "/v1/jobs/" + std::to_string(job), alpha_token_, ""},
      {"POST", "/v1/jobs", alpha_token_, R"({"name": "during", "gpus": 1})"},
      {"GET", "/v1/tenants", admin_token_, ""},
      {"PUT", "/v1/tenants/alpha", admin_token_, R"({"priority": 3})"},
      {"GET", "/v1/events", alpha_token_, ""},
      {"GET", "/v1/placements", alpha_token_, ""},
      {"GET", "/v1/jobs", unchecked, ""},
  };
  for (const Probe& p : probes) {
    SCOPED_TRACE(p.method + " " + p.path);
    httplib::Client client("127.0.0.1", server_->port());
    const httplib::Headers headers = {{"Authorization", "Bearer " + p.token}};
    const httplib::Result res = p.method == "GET" ? client.Get(p.path, headers)
                                : p.method == "POST"
                                    ? client.Post(p.path, headers, p.body, "application/json")
                                    : client.Put(p.path, headers, p.body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503) << res->body;
    EXPECT_EQ(res->get_header_value("Retry-After"), std::to_string(api::kRetryAfterSeconds));
    EXPECT_EQ(res->body.find("test outage"), std::string::npos) << "internals leak: " << res->body;
  }

  served_->SetDown(false);
  const Reply listed = Call("GET", "/v1/jobs", unchecked);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body["jobs"].size(), 1u) << "nothing was written during the outage";
  EXPECT_EQ(listed.body["jobs"][0]["name"], "before");
  EXPECT_EQ(Submit(alpha_token_, {{"name", "after"}, {"gpus", 1}}).status, 201);
  EXPECT_EQ(Call("GET", "/v1/tenants/alpha", admin_token_).body["priority"], 0);
}

}  // namespace
}  // namespace gpufleet::service::testing
