#include "gpufleet/api/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/api/errors.h"

namespace gpufleet::api {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Tokens known to the fake authenticator, as the store would hold them: by hash.
class TokenTable {
 public:
  TokenTable() {
    by_hash_[HashToken(admin_token)] =
        Principal{.role = Role::kAdmin, .tenant_id = "", .node_id = "", .token_id = "tok_a"};
    by_hash_[HashToken(tenant_token)] =
        Principal{.role = Role::kTenant, .tenant_id = "t1", .node_id = "", .token_id = "tok_t"};
  }
  Authenticator authenticator() const {
    return [this](std::string_view hash) -> Result<std::optional<Principal>> {
      const auto it = by_hash_.find(std::string(hash));
      if (it == by_hash_.end()) return std::optional<Principal>();
      return std::optional<Principal>(it->second);
    };
  }
  const std::string admin_token = NewToken();
  const std::string tenant_token = NewToken();

 private:
  std::map<std::string, Principal> by_hash_;
};

// A job-submission endpoint written the way real endpoints will be: strict body validation.
Response SubmitJob(const Request& request) {
  const Result<nlohmann::json> body = ParseJsonBody(request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  const Result<JsonObject> fields = JsonObject::Make(*body, {"name", "gpus"});
  if (!fields.ok()) return ErrorResponse(fields.status());
  const Result<std::string> name = fields->String("name");
  if (!name.ok()) return ErrorResponse(name.status());
  const Result<int64_t> gpus = fields->Int("gpus");
  if (!gpus.ok()) return ErrorResponse(gpus.status());
  return Response::Json(201, {{"name", *name}, {"gpus", *gpus}});
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(StartServer(HttpServerOptions{}).ok()); }

  Status StartServer(HttpServerOptions options) {
    if (server_) server_->Stop();
    options.authenticator = tokens_.authenticator();
    server_ = std::make_unique<HttpServer>(std::move(options));
    GPUFLEET_RETURN_IF_ERROR(
        server_->AddRoute("GET", "/v1/echo", Access::Public(), [](const Request&) {
          return Response::Json(200, {{"ok", true}});
        }));
    GPUFLEET_RETURN_IF_ERROR(
        server_->AddRoute("GET", "/v1/jobs/{id}", Access::Public(), [](const Request& r) {
          return Response::Json(
              200, {{"id", *r.PathParam("id")}, {"x", std::string(r.Query("x").value_or("-"))}});
        }));
    GPUFLEET_RETURN_IF_ERROR(
        server_->AddRoute("GET", "/v1/jobs/search", Access::Public(), [](const Request&) {
          return Response::Json(200, {{"search", true}});
        }));
    GPUFLEET_RETURN_IF_ERROR(
        server_->AddRoute("POST", "/v1/jobs", Access::Public(), [this](const Request& r) {
          ++handled_posts_;
          return SubmitJob(r);
        }));
    GPUFLEET_RETURN_IF_ERROR(
        server_->AddRoute("GET", "/v1/admin", Access::Of({Role::kAdmin}), [](const Request&) {
          return Response::Json(200, {{"admin", true}});
        }));
    GPUFLEET_RETURN_IF_ERROR(server_->AddRoute(
        "GET", "/v1/me", Access::Of({Role::kAdmin, Role::kTenant}), [](const Request& r) {
          return Response::Json(200, {{"tenant", r.principal->tenant_id},
                                      {"admin", r.principal->role == Role::kAdmin}});
        }));
    GPUFLEET_RETURN_IF_ERROR(
        server_->AddRoute("GET", "/v1/boom", Access::Public(), [](const Request&) -> Response {
          throw std::runtime_error("secret connection string postgres://u:pw@db");
        }));
    return server_->Start();
  }

  httplib::Client Client() const { return httplib::Client("127.0.0.1", server_->port()); }

  static nlohmann::json ErrorOf(const httplib::Result& res) {
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    return nlohmann::json::parse(res->body)["error"];
  }

  TokenTable tokens_;
  std::atomic<int> handled_posts_{0};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, DefaultsBindLoopbackWithOneMebibyteBodyLimit) {
  const HttpServerOptions defaults;
  EXPECT_EQ(defaults.bind_address, "127.0.0.1");
  EXPECT_EQ(defaults.port, 0);
  EXPECT_EQ(defaults.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(defaults.metrics_access, Access::Public());
  EXPECT_EQ(server_->options().bind_address, "127.0.0.1");
  EXPECT_TRUE(server_->running());
  EXPECT_GT(server_->port(), 0);
}

TEST_F(HttpServerTest, UnknownPathIs404Json) {
  const httplib::Result res = Client().Get("/v1/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(ErrorOf(res)["code"], "not_found");
  EXPECT_EQ(ErrorOf(res)["message"], "no route for path '/v1/nope'");
  EXPECT_FALSE(res->get_header_value("X-Request-Id").empty());
}

TEST_F(HttpServerTest, WrongMethodOnKnownPathIs405WithAllow) {
  httplib::Client client = Client();
  const httplib::Result res = client.Delete("/v1/echo");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(ErrorOf(res)["code"], "method_not_allowed");
  EXPECT_EQ(res->get_header_value("Allow"), "GET");
  const httplib::Result put = client.Put("/v1/jobs", "{}", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(put->get_header_value("Allow"), "POST");
}

TEST_F(HttpServerTest, PathParametersQueryAndLiteralPrecedence) {
  httplib::Client client = Client();
  const httplib::Result job = client.Get("/v1/jobs/j%2042?x=7");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, 200);
  EXPECT_EQ(nlohmann::json::parse(job->body), (nlohmann::json{{"id", "j 42"}, {"x", "7"}}));
  const httplib::Result search = client.Get("/v1/jobs/search");
  ASSERT_TRUE(search);
  EXPECT_EQ(nlohmann::json::parse(search->body), (nlohmann::json{{"search", true}}));
  const httplib::Result empty_id = client.Get("/v1/jobs/");
  ASSERT_TRUE(empty_id);
  EXPECT_EQ(empty_id->status, 404);
}

TEST_F(HttpServerTest, OversizedBodyIs413AndNeverReachesTheHandler) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  ASSERT_TRUE(StartServer(options).ok());
  httplib::Client client = Client();
  const std::string big = R"({"name": ")" + std::string(2048, 'x') + R"(", "gpus": 1})";
  const httplib::Result res = client.Post("/v1/jobs", big, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(ErrorOf(res)["code"], "resource_exhausted");
  EXPECT_THAT(ErrorOf(res)["message"].get<std::string>(), HasSubstr("1024 bytes"));
  EXPECT_EQ(handled_posts_, 0);

  const httplib::Result small =
      client.Post("/v1/jobs", R"({"name": "x", "gpus": 1})", "application/json");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 201);
  EXPECT_EQ(handled_posts_, 1);
}

TEST_F(HttpServerTest, BodiesAreValidatedStrictly) {
  struct Case {
    std::string body;
    int status;
    std::string message_prefix;
  };
  const Case cases[] = {
      {"{\n  \"name\": ,\n}", 400, "malformed JSON at line 2, column 11: "},
      {R"({"name": "x", "gpus": 1, "gpu": 2})", 400, "unknown field 'gpu'"},
      {R"({"name": "x", "gpus": "eight"})", 400, "field 'gpus': expected an integer"},
      {R"({"name": "x", "gpus": 1.5})", 400, "field 'gpus': expected an integer"},
      {R"({"gpus": 1})", 400, "missing required field 'name'"},
      {R"([1])", 400, "body: expected a JSON object"},
  };
  httplib::Client client = Client();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const httplib::Result res = client.Post("/v1/jobs", c.body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status);
    EXPECT_EQ(ErrorOf(res)["code"], "invalid_argument");
    EXPECT_THAT(ErrorOf(res)["message"].get<std::string>(), StartsWith(c.message_prefix));
  }
  const httplib::Result ok =
      client.Post("/v1/jobs", R"({"name": "x", "gpus": 8})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201);
  EXPECT_EQ(nlohmann::json::parse(ok->body), (nlohmann::json{{"name", "x"}, {"gpus", 8}}));
}

TEST_F(HttpServerTest, MissingOrInvalidTokenIs401WithChallenge) {
  httplib::Client client = Client();
  const httplib::Result none = client.Get("/v1/admin");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(ErrorOf(none)["code"], "unauthenticated");
  EXPECT_THAT(none->get_header_value("WWW-Authenticate"), StartsWith("Bearer"));

  const httplib::Result bad = client.Get("/v1/admin", {{"Authorization", "Bearer " + NewToken()}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_THAT(bad->get_header_value("WWW-Authenticate"), HasSubstr("error=\"invalid_token\""));

  const httplib::Result basic = client.Get("/v1/me", {{"Authorization", "Basic dTpw"}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
  EXPECT_THAT(basic->get_header_value("WWW-Authenticate"), StartsWith("Bearer"));
}

TEST_F(HttpServerTest, RolesAreEnforcedPerRoute) {
  httplib::Client client = Client();
  const httplib::Headers tenant = {{"Authorization", "Bearer " + tokens_.tenant_token}};
  const httplib::Headers admin = {{"Authorization", "Bearer " + tokens_.admin_token}};

  const httplib::Result forbidden = client.Get("/v1/admin", tenant);
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(ErrorOf(forbidden)["code"], "permission_denied");

  const httplib::Result allowed = client.Get("/v1/admin", admin);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);

  const httplib::Result me = client.Get("/v1/me", tenant);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(nlohmann::json::parse(me->body), (nlohmann::json{{"tenant", "t1"}, {"admin", false}}));
}

TEST_F(HttpServerTest, NoAuthenticatorMeansEveryProtectedRouteIs401) {
  HttpServer server(HttpServerOptions{});
  ASSERT_TRUE(server
                  .AddRoute("GET", "/v1/admin", Access::Of({Role::kAdmin}),
                            [](const Request&) { return Response::Json(200, {}); })
                  .ok());
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  const httplib::Result res =
      client.Get("/v1/admin", {{"Authorization", "Bearer " + tokens_.admin_token}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

// A token that cannot be checked is not an invalid one: 401 would make a client drop a good
// token, 503 tells it to retry.
TEST_F(HttpServerTest, AuthenticatorThatCannotReadIs503WithRetryAfter) {
  HttpServerOptions options;
  options.authenticator = [](std::string_view) -> Result<std::optional<Principal>> {
    return Status::IOError("store: connection refused");
  };
  HttpServer server(std::move(options));
  ASSERT_TRUE(server
                  .AddRoute("GET", "/v1/admin", Access::Of({Role::kAdmin}),
                            [](const Request&) { return Response::Json(200, {}); })
                  .ok());
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  const httplib::Result res =
      client.Get("/v1/admin", {{"Authorization", "Bearer " + tokens_.admin_token}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), std::to_string(kRetryAfterSeconds));
  EXPECT_EQ(ErrorOf(res)["code"], "unavailable");
  EXPECT_EQ(res->body.find("connection refused"), std::string::npos) << res->body;
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithoutInternals) {
  const httplib::Result res = Client().Get("/v1/boom");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(ErrorOf(res)["code"], "internal");
  EXPECT_EQ(res->body.find("postgres"), std::string::npos) << res->body;
  EXPECT_THAT(ErrorOf(res)["message"].get<std::string>(),
              HasSubstr(res->get_header_value("X-Request-Id")));
}

TEST_F(HttpServerTest, MetricsAreServedAndCountRequests) {
  httplib::Client client = Client();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.Get("/v1/echo"));
  ASSERT_TRUE(client.Get("/v1/nope"));
  ASSERT_TRUE(client.Get("/v1/jobs/7"));
  const httplib::Result res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_THAT(res->body, HasSubstr("# TYPE gpufleet_http_requests_total counter\n"));
  EXPECT_THAT(res->body, HasSubstr("gpufleet_http_requests_total{method=\"GET\",route=\"/v1/"
                                   "echo\",code=\"200\"} 3\n"));
  EXPECT_THAT(res->body, HasSubstr("gpufleet_http_requests_total{method=\"GET\",route=\"/v1/jobs/"
                                   "{id}\",code=\"200\"} 1\n"));
  EXPECT_THAT(res->body, HasSubstr("gpufleet_http_requests_total{method=\"GET\",route=\""
                                   "unmatched\",code=\"404\"} 1\n"));
  EXPECT_THAT(res->body, HasSubstr("gpufleet_http_request_duration_seconds_count{route=\"/v1/"
                                   "echo\"} 3\n"));
  EXPECT_THAT(res->body, HasSubstr("gpufleet_http_request_duration_seconds_bucket{route=\"/v1/"
                                   "echo\",le=\"+Inf\"} 3\n"));
}

TEST_F(HttpServerTest, OversizedBodiesAreCountedToo) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  ASSERT_TRUE(StartServer(options).ok());
  httplib::Client client = Client();
  ASSERT_TRUE(client.Post("/v1/jobs", std::string(64, ' '), "application/json"));
  EXPECT_THAT(server_->metrics().Render(),
              HasSubstr("gpufleet_http_requests_total{method=\"POST\",route=\"/v1/jobs\","
                        "code=\"413\"} 1\n"));
}

TEST_F(HttpServerTest, MetricsCanRequireAnAdminToken) {
  HttpServerOptions options;
  options.metrics_access = Access::Of({Role::kAdmin});
  ASSERT_TRUE(StartServer(options).ok());
  httplib::Client client = Client();
  const httplib::Result anonymous = client.Get("/metrics");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const httplib::Result admin =
      client.Get("/metrics", {{"Authorization", "Bearer " + tokens_.admin_token}});
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200);
}

TEST_F(HttpServerTest, SharedRegistryReceivesRequestMetrics) {
  MetricsRegistry registry;
  HttpServerOptions options;
  options.metrics = &registry;
  ASSERT_TRUE(StartServer(options).ok());
  EXPECT_EQ(&server_->metrics(), &registry);
  ASSERT_TRUE(Client().Get("/v1/echo"));
  EXPECT_THAT(registry.Render(), HasSubstr("route=\"/v1/echo\",code=\"200\"} 1\n"));
  server_.reset();  // the server must not outlive the registry
}

TEST_F(HttpServerTest, ConcurrentClientsAreAllAnswered) {
  constexpr int kThreads = 8;
  constexpr int kRequestsPerThread = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client = Client();
      for (int i = 0; i < kRequestsPerThread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        const httplib::Result res = client.Get("/v1/jobs/" + id);
        if (res && res->status == 200 && nlohmann::json::parse(res->body)["id"] == id) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok, kThreads * kRequestsPerThread);
  EXPECT_THAT(server_->metrics().Render(),
              HasSubstr("route=\"/v1/jobs/{id}\",code=\"200\"} " +
                        std::to_string(kThreads * kRequestsPerThread) + "\n"));
}

TEST_F(HttpServerTest, StartsAndStopsRepeatedly) {
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE(i);
    server_->Stop();
    EXPECT_FALSE(server_->running());
    server_->Stop();  // idempotent
    ASSERT_TRUE(server_->Start().ok());
    const httplib::Result res = Client().Get("/v1/echo");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(server_->Start().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(server_->AddRoute("GET", "/v1/late", Access::Public(), {}).code(),
            Status::Code::kFailedPrecondition);
}

TEST_F(HttpServerTest, BindingATakenPortFails) {
  HttpServerOptions options;
  options.port = server_->port();
  HttpServer second(options);
  EXPECT_EQ(second.Start().code(), Status::Code::kIOError);
  EXPECT_FALSE(second.running());
}

TEST(HttpServerRoutesTest, MalformedAndDuplicateRoutesAreRejected) {
  HttpServer server(HttpServerOptions{});
  const Handler handler = [](const Request&) { return Response::Json(200, {}); };
  EXPECT_EQ(server.AddRoute("FETCH", "/x", Access::Public(), handler).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(server.AddRoute("GET", "x", Access::Public(), handler).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(server.AddRoute("GET", "/x/{id", Access::Public(), handler).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(server.AddRoute("GET", "/x/{}", Access::Public(), handler).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(server.AddRoute("GET", "/x/{id}", Access::Public(), handler).ok());
  EXPECT_EQ(server.AddRoute("GET", "/x/{name}", Access::Public(), handler).code(),
            Status::Code::kAlreadyExists);
  EXPECT_EQ(server.AddRoute("GET", "/metrics", Access::Public(), handler).code(),
            Status::Code::kAlreadyExists);
  EXPECT_TRUE(server.AddRoute("POST", "/x/{id}", Access::Public(), handler).ok());
}

}  // namespace
}  // namespace gpufleet::api
