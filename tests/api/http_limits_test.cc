// What HttpServer refuses to let a client do (docs/service.md, "HTTP limits and their flags"):
// send a body over the limit, chunked or not; send too many or too large header fields; hold
// a connection by sending slowly or not at all; invent methods that would each become a
// metrics series. Each probe talks raw HTTP to a real server on loopback.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gpufleet/api/errors.h"
#include "gpufleet/api/http_server.h"
#include "support/raw_http.h"

namespace gpufleet::api {
namespace {

using ::gpufleet::testing::DripProbe;
using ::gpufleet::testing::DripProbeResult;
using ::gpufleet::testing::MetricSeries;
using ::gpufleet::testing::MetricValue;
using ::gpufleet::testing::Percentile;
using ::gpufleet::testing::RawConnection;
using ::gpufleet::testing::RawResponse;
using ::gpufleet::testing::RequestHead;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMiB = size_t{1} << 20;

class HttpLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(StartServer(HttpServerOptions{}).ok()); }

  Status StartServer(HttpServerOptions options) {
    if (server_) server_->Stop();
    options.authenticator = [this](std::string_view hash) -> Result<std::optional<Principal>> {
      ++authentications_;
      if (hash != HashToken(token_)) return std::optional<Principal>();
      return std::optional<Principal>(
          Principal{.role = Role::kAdmin, .tenant_id = "", .node_id = "", .token_id = "tok_a"});
    };
    server_ = std::make_unique<HttpServer>(std::move(options));
    GPUFLEET_RETURN_IF_ERROR(
        server_->AddRoute("GET", "/v1/echo", Access::Public(), [](const Request&) {
          return Response::Json(200, {{"ok", true}});
        }));
    GPUFLEET_RETURN_IF_ERROR(server_->AddRoute(
        "POST", "/v1/jobs", Access::Of({Role::kAdmin, Role::kTenant}), [this](const Request& r) {
          ++handled_;
          return Response::Json(201, {{"bytes", r.body.size()}});
        }));
    return server_->Start();
  }

  std::unique_ptr<RawConnection> Open(int send_buffer_bytes = 0) {
    Result<std::unique_ptr<RawConnection>> c =
        RawConnection::Open(server_->port(), send_buffer_bytes);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Sends `head` on a fresh connection and reads the answer.
  std::optional<RawResponse> Exchange(const std::string& head) {
    std::unique_ptr<RawConnection> c = Open();
    if (c == nullptr || !c->Send(head)) return std::nullopt;
    return c->ReadResponse(Clock::now() + std::chrono::seconds(10));
  }

  static nlohmann::json ErrorOf(const RawResponse& r) {
    EXPECT_EQ(r.Header("content-type"), "application/json");
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    return body.is_object() && body.contains("error") ? body["error"] : nlohmann::json();
  }

  // What GET /metrics would render, without counting a request to it.
  std::string Metrics() const { return server_->metrics().Render(); }

  // Sends a chunked POST of `total` bytes in 64 KiB chunks on one thread while reading the
  // answer on another, as a full-duplex client would; returns the answer and how many body
  // bytes had been sent when it arrived. Stops sending once answered.
  struct ChunkedOutcome {
    std::optional<RawResponse> response;
    size_t sent_when_answered = 0;
  };
  ChunkedOutcome PostChunked(size_t total, const std::vector<std::string>& fields) {
    // A small send buffer, so that the count of bytes sent is close to what the server read.
    std::unique_ptr<RawConnection> c = Open(/*send_buffer_bytes=*/64 << 10);
    ChunkedOutcome outcome;
    if (c == nullptr) return outcome;
    std::vector<std::string> all = fields;
    all.push_back("Transfer-Encoding: chunked");
    all.push_back("Content-Type: application/json");
    std::atomic<size_t> sent{0};
    std::atomic<bool> answered{false};
    std::thread writer([&] {
      if (!c->Send(RequestHead("POST", "/v1/jobs", all))) return;
      const std::string chunk = "10000\r\n" + std::string(64 << 10, 'x') + "\r\n";
      while (!answered.load() && sent.load() < total) {
        // Stop as soon as the answer is there to read: the server goes on discarding what
        // arrives after it answers (lingering), so counting until this thread is told would
        // measure the machine's scheduling, not when the server answered.
        pollfd readable{c->fd(), POLLIN, 0};
        if (::poll(&readable, 1, 0) > 0) break;
        if (!c->Send(chunk)) return;
        sent += 64 << 10;
      }
      if (!answered.load()) c->Send("0\r\n\r\n");
    });
    outcome.response = c->ReadResponse(Clock::now() + std::chrono::seconds(60));
    answered = true;
    ::shutdown(c->fd(), SHUT_RDWR);  // unblocks a writer stuck on a full buffer
    writer.join();
    outcome.sent_when_answered = sent.load();
    return outcome;
  }

  const std::string token_ = NewToken();
  std::atomic<int> authentications_{0};
  std::atomic<int> handled_{0};
  std::unique_ptr<HttpServer> server_;
};

// A chunked body carries no length up front; the limit must still stop it as it arrives,
// before anything is authenticated or handled, and the refusal must not echo it.
TEST_F(HttpLimitsTest, ChunkedBodyOverTheLimitIs413AfterAtMostTheLimit) {
  const ChunkedOutcome out = PostChunked(100'000'000, {"Authorization: Bearer " + token_});
  ASSERT_TRUE(out.response.has_value());
  EXPECT_EQ(out.response->status, 413);
  EXPECT_EQ(ErrorOf(*out.response)["code"], "resource_exhausted");
  EXPECT_THAT(ErrorOf(*out.response)["message"].get<std::string>(), HasSubstr("1048576 bytes"));
  EXPECT_LT(out.response->body.size(), 1000u) << "the body must not be echoed";
  EXPECT_EQ(out.response->body.find("xxxx"), std::string::npos);
  // What the client could send before the answer: the limit plus what the kernel buffers on
  // loopback (the server's receive window, our 64 KiB send buffer), far from the 100 MB.
  EXPECT_LT(out.sent_when_answered, 1 * kMiB + 16 * kMiB);
  EXPECT_EQ(authentications_, 0) << "an oversized body is refused before authentication";
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpLimitsTest, OversizedBodyIsRefusedBeforeAuthentication) {
  // Without a token, the answer is 413, not 401: the body is judged first, while it arrives.
  const ChunkedOutcome out = PostChunked(20'000'000, {});
  ASSERT_TRUE(out.response.has_value());
  EXPECT_EQ(out.response->status, 413);
  EXPECT_EQ(authentications_, 0);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpLimitsTest, ContentLengthOverTheLimitIs413BeforeTheBodyIsSent) {
  std::unique_ptr<RawConnection> c = Open();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(RequestHead("POST", "/v1/jobs",
                                  {"Authorization: Bearer " + token_, "Content-Length: 100000000",
                                   "Content-Type: application/json"})));
  // No body byte is sent: the answer comes from the header alone, at once.
  const std::optional<RawResponse> r = c->ReadResponse(Clock::now() + std::chrono::seconds(3));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorOf(*r)["code"], "resource_exhausted");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitClosed(Clock::now() + std::chrono::seconds(5)));
  EXPECT_EQ(authentications_, 0);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpLimitsTest, BodyAtTheLimitIsAcceptedChunkedOrNot) {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  ASSERT_TRUE(StartServer(options).ok());
  const std::string auth = "Authorization: Bearer " + token_;
  const std::optional<RawResponse> plain = Exchange(
      RequestHead("POST", "/v1/jobs", {auth, "Content-Length: 1000"}) + std::string(1000, 'x'));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->status, 201);
  const std::string chunked_body =
      "1f4\r\n" + std::string(500, 'x') + "\r\n1f4\r\n" + std::string(500, 'x') + "\r\n0\r\n\r\n";
  const std::optional<RawResponse> chunked = Exchange(
      RequestHead("POST", "/v1/jobs", {auth, "Transfer-Encoding: chunked"}) + chunked_body);
  ASSERT_TRUE(chunked.has_value());
  EXPECT_EQ(chunked->status, 201);
  EXPECT_EQ(nlohmann::json::parse(chunked->body)["bytes"], 1000);
  const std::optional<RawResponse> over =
      Exchange(RequestHead("POST", "/v1/jobs", {auth, "Transfer-Encoding: chunked"}) + "3e9\r\n" +
               std::string(1001, 'x') + "\r\n0\r\n\r\n");
  ASSERT_TRUE(over.has_value());
  EXPECT_EQ(over->status, 413);
  EXPECT_EQ(handled_, 2);
}

TEST_F(HttpLimitsTest, TooManyOrTooLargeHeaderFieldsAre431) {
  const auto fields = [](int n, size_t value_size) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
      out.push_back("X-F" + std::to_string(i) + ": " + std::string(value_size, 'v'));
    return out;
  };
  struct Case {
    std::string name;
    std::vector<std::string> fields;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      // Host plus 99 more is the default limit of 100.
      {"100 fields", fields(99, 1), 200, ""},
      {"101 fields", fields(100, 1), 431, "more than 100 header fields"},
      {"10,000 fields", fields(10'000, 1), 431, "header"},
      {"one field of 20 KiB", {"X-Big: " + std::string(20 << 10, 'b')}, 431, "16384 bytes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::optional<RawResponse> r = Exchange(RequestHead("GET", "/v1/echo", c.fields));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, c.status);
    if (c.status == 431) {
      EXPECT_EQ(ErrorOf(*r)["code"], "resource_exhausted");
      EXPECT_THAT(ErrorOf(*r)["message"].get<std::string>(), HasSubstr(c.message));
      EXPECT_FALSE(r->Header("x-request-id").empty());
    }
  }
  EXPECT_THAT(Metrics(), HasSubstr("gpufleet_http_requests_total{method=\"GET\",route=\"/v1/"
                                   "echo\",code=\"431\"} 3\n"));
}

// Each invented method is answered 501 and counted under the one label "other", so that a
// client cannot grow /metrics by a series per name.
TEST_F(HttpLimitsTest, InventedMethodsAre501AndCreateNoSeries) {
  const std::optional<RawResponse> first = Exchange(RequestHead("FOO", "/v1/echo"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 501);
  EXPECT_EQ(ErrorOf(*first)["code"], "not_implemented");
  const std::string before = Metrics();
  const std::string series =
      "gpufleet_http_requests_total{method=\"other\",route=\"unmatched\","
      "code=\"501\"}";
  ASSERT_EQ(MetricValue(before, series), 1);

  const char* const paths[] = {"/v1/echo", "/v1/jobs", "/nowhere", "/metrics"};
  for (int i = 0; i < 200; ++i) {
    // Method names are tokens: letters, digits and a few symbols.
    std::string method = "X";
    for (int n = i + 1; n > 0; n /= 26) method += static_cast<char>('A' + n % 26);
    if (i == 0) method = "PROPFIND";  // a real WebDAV method this server does not implement
    std::unique_ptr<RawConnection> c = Open();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->Send(RequestHead(method, paths[i % 4], {"Content-Length: 2"}) + "{}"));
    const std::optional<RawResponse> r = c->ReadResponse(Clock::now() + std::chrono::seconds(10));
    ASSERT_TRUE(r.has_value()) << method;
    EXPECT_EQ(r->status, 501) << method;
  }
  const std::string after = Metrics();
  EXPECT_EQ(MetricSeries(after), MetricSeries(before));
  EXPECT_EQ(MetricValue(after, series), 201);
  EXPECT_EQ(authentications_, 0);

  // A method the server knows but the path does not allow stays 405, with Allow.
  const std::optional<RawResponse> options = Exchange(RequestHead("OPTIONS", "/v1/echo"));
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->status, 405);
  EXPECT_EQ(options->Header("allow"), "GET");
}

TEST_F(HttpLimitsTest, HeadAnswersLikeGetWithoutTheBody) {
  httplib::Client client("127.0.0.1", server_->port());
  const httplib::Result get = client.Get("/v1/echo");
  ASSERT_TRUE(get);
  const httplib::Result head = client.Head("/v1/echo");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(get->body.size()));
  EXPECT_FALSE(head->get_header_value("X-Request-Id").empty());
  // The connection is still in step: the next answer is the next request's.
  const httplib::Result again = client.Get("/v1/echo");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, get->body);
}

// Read and idle timeouts, 1 s here (gpufleetd's default is 10 s, probed by the slow suite):
// 64 connections sending one header byte every 250 ms are each cut off about 1 s after their
// first byte, while a normal client keeps being answered fast. With a thread per connection
// (the server before Beast) the 64 would hold every worker and the normal client would wait.
TEST_F(HttpLimitsTest, SlowClientsAreCutOffAtTheReadTimeoutWithoutSlowingOthers) {
  HttpServerOptions options;
  options.read_timeout = milliseconds(1000);
  options.idle_timeout = milliseconds(1000);
  ASSERT_TRUE(StartServer(options).ok());
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(std::chrono::seconds(5));
  const DripProbeResult r = RunDripProbe(server_->port(),
                                         DripProbe{.connections = 64,
                                                   .drip_interval = milliseconds(250),
                                                   .give_up_after = milliseconds(8000),
                                                   .target = "/v1/echo"},
                                         [&client] {
                                           const httplib::Result res = client.Get("/v1/echo");
                                           return res && res->status == 200;
                                         });
  EXPECT_EQ(r.connect_failures, 0);
  for (size_t i = 0; i < r.closed_after_s.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(r.closed_after_s[i].has_value()) << "still open after 8 s";
    EXPECT_GE(*r.closed_after_s[i], 0.9);
    // Slack for a loaded CI machine; without the timeout they would stay open for 25 s.
    EXPECT_LE(*r.closed_after_s[i], 2.5);
  }
  EXPECT_EQ(r.answered_408, 64);
  EXPECT_EQ(r.normal_failures, 0);
  ASSERT_GE(r.latencies_ms.size(), 50u);
  EXPECT_LT(Percentile(r.latencies_ms, 99), 100.0) << r.latencies_ms.size() << " requests";
}

TEST_F(HttpLimitsTest, IdleAndHalfSentRequestsAreClosed) {
  HttpServerOptions options;
  options.read_timeout = milliseconds(1000);
  options.idle_timeout = milliseconds(500);
  ASSERT_TRUE(StartServer(options).ok());
  // A connection that never sends a byte, one idle after a request, one whose body stalls.
  std::unique_ptr<RawConnection> silent = Open();
  std::unique_ptr<RawConnection> kept = Open();
  std::unique_ptr<RawConnection> stalled = Open();
  ASSERT_TRUE(silent && kept && stalled);
  const Clock::time_point start = Clock::now();
  ASSERT_TRUE(kept->Send(RequestHead("GET", "/v1/echo")));
  const std::optional<RawResponse> answered = kept->ReadResponse(start + std::chrono::seconds(5));
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status, 200);
  ASSERT_TRUE(stalled->Send(RequestHead("POST", "/v1/jobs", {"Content-Length: 100"}) + "{"));
  EXPECT_TRUE(silent->WaitClosed(start + std::chrono::seconds(3)));
  EXPECT_TRUE(kept->WaitClosed(start + std::chrono::seconds(3)));
  const std::optional<RawResponse> timed_out =
      stalled->ReadResponse(start + std::chrono::seconds(3));
  ASSERT_TRUE(timed_out.has_value());
  EXPECT_EQ(timed_out->status, 408);
  EXPECT_EQ(ErrorOf(*timed_out)["code"], "deadline_exceeded");
  EXPECT_TRUE(stalled->WaitClosed(start + std::chrono::seconds(4)));
  EXPECT_GE(Clock::now() - start, milliseconds(900)) << "the stalled body had 1 s";
  EXPECT_EQ(handled_, 0);
}

}  // namespace
}  // namespace gpufleet::api
