// A running gpufleetd whose PostgreSQL becomes unreachable (a TCP proxy between them drops every
// connection): the API answers 503 with Retry-After, never 500, while it is gone, and serves
// again by itself once it is back. Needs GPUFLEET_TEST_POSTGRES (CI sets it); skips otherwise.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "store/store_backends.h"
#include "support/cli_runner.h"
#include "support/daemon_process.h"
#include "support/tcp_proxy.h"

namespace gpufleet::testing {
namespace {

using Clock = std::chrono::steady_clock;

// `location` with its host:port replaced by 127.0.0.1:`port`; "" when it has no host:port.
std::string ThroughPort(const std::string& location, uint16_t port, std::string* host,
                        uint16_t* original_port) {
  const size_t at = location.find('@');
  const size_t start = at == std::string::npos ? location.find("://") + 3 : at + 1;
  const size_t end = location.find_first_of("/?", start);
  const std::string authority = location.substr(start, end - start);
  const size_t colon = authority.rfind(':');
  if (colon == std::string::npos) return "";
  *host = authority.substr(0, colon);
  *original_port = static_cast<uint16_t>(std::stoi(authority.substr(colon + 1)));
  return location.substr(0, start) + "127.0.0.1:" + std::to_string(port) + location.substr(end);
}

struct Answer {
  int status = 0;
  std::string retry_after;
  std::string body;
};

Answer Send(uint16_t port, const std::string& token, const std::string& method,
            const std::string& path, const std::string& body = "") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30);
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  const httplib::Result r = method == "GET" ? client.Get(path, headers)
                                            : client.Post(path, headers, body, "application/json");
  if (!r) return {};
  return {r->status, r->get_header_value("Retry-After"), r->body};
}

TEST(ServiceOutageTest, UnreachableDatabaseIs503WithRetryAfterAndServiceRecovers) {
  std::unique_ptr<store::Backend> backend = store::MakeBackend("postgres");
  if (const char* why = backend->Unavailable(); why != nullptr) GTEST_SKIP() << why;
  std::string host;
  uint16_t pg_port = 0;
  const std::string direct = backend->Location();
  if (ThroughPort(direct, 1, &host, &pg_port).empty()) {
    GTEST_SKIP() << "GPUFLEET_TEST_POSTGRES names no host:port to put a proxy in front of";
  }
  Result<std::unique_ptr<TcpProxy>> proxy =
      TcpProxy::Start(host == "localhost" ? "127.0.0.1" : host, pg_port);
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  const std::string location = ThroughPort(direct, (*proxy)->port(), &host, &pg_port);

  const std::string dir = FreshDir("service_outage");
  Result<std::unique_ptr<DaemonProcess>> daemon =
      DaemonProcess::Start({.args = {"--demo-gpus", "256", "--store", location, "--port", "0",
                                     "--admin-token-file", dir + "/admin-token"},
                            .stderr_path = dir + "/stderr",
                            .tmpdir = dir});
  ASSERT_TRUE(daemon.ok()) << daemon.status().ToString();
  const uint16_t port = (*daemon)->port();
  const std::string admin = (*daemon)->admin_token();
  const std::string job = R"({"tenant": "llm-training", "name": "j", "gpus": 1})";
  ASSERT_EQ(Send(port, admin, "GET", "/v1/jobs").status, 200);
  ASSERT_EQ(Send(port, admin, "POST", "/v1/jobs", job).status, 201);

  (*proxy)->SetDown(true);
  // Until the outage shows (the token may be remembered for a second), and then a while
  // longer: every answer is 200 or 503, and a 503 says when to retry.
  int unavailable = 0;
  const Clock::time_point down_at = Clock::now();
  while (Clock::now() - down_at < std::chrono::seconds(20) && unavailable < 20) {
    for (const Answer& a :
         {Send(port, admin, "GET", "/v1/jobs"), Send(port, admin, "POST", "/v1/jobs", job),
          Send(port, admin, "GET", "/v1/tenants")}) {
      ASSERT_TRUE(a.status == 200 || a.status == 201 || a.status == 503)
          << a.status << " " << a.body;
      if (a.status == 503) {
        ++unavailable;
        EXPECT_FALSE(a.retry_after.empty()) << a.body;
        EXPECT_EQ(nlohmann::json::parse(a.body, nullptr, false)["error"]["code"], "unavailable");
      }
    }
  }
  ASSERT_GE(unavailable, 20) << "the outage never showed as 503";

  (*proxy)->SetDown(false);
  const Clock::time_point up_at = Clock::now();
  Answer after;
  while ((after = Send(port, admin, "POST", "/v1/jobs", job)).status != 201) {
    ASSERT_TRUE(after.status == 503) << after.status << " " << after.body;
    ASSERT_LT(Clock::now() - up_at, std::chrono::seconds(30)) << "no recovery: " << after.body;
  }
  EXPECT_EQ(Send(port, admin, "GET", "/v1/jobs").status, 200);
  EXPECT_TRUE((*daemon)->Stop(std::chrono::seconds(30)).ok());
}

}  // namespace
}  // namespace gpufleet::testing
