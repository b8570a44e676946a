#pragma once
// The HTTP limits probes (docs/service.md, "HTTP limits and their flags") against a running
// gpufleetd process, shared by gpufleetd_http_limits_test.cc (1 s timeouts) and
// gpufleetd_http_limits_slow_test.cc (the default 10 s, a byte every 5 s).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_runner.h"
#include "support/daemon_process.h"
#include "support/raw_http.h"

namespace gpufleet::testing::http_probes {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr size_t kMiB = size_t{1} << 20;

// gpufleetd on a small demo fleet with its own SQLite store; the scheduler is off, so nothing
// but the probes changes its metrics.
inline std::unique_ptr<DaemonProcess> StartDaemon(const std::string& name,
                                                  const std::vector<std::string>& extra_args) {
  const std::string dir = FreshDir(name);
  std::vector<std::string> args = {"--demo-gpus", "64", "--store",       dir + "/gpufleet.db",
                                   "--port",      "0",  "--no-scheduler"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  Result<std::unique_ptr<DaemonProcess>> daemon =
      DaemonProcess::Start({.args = args, .stderr_path = dir + "/stderr", .tmpdir = dir});
  EXPECT_TRUE(daemon.ok()) << daemon.status().ToString();
  return daemon.ok() ? std::move(daemon).value() : nullptr;
}

inline std::string Metrics(uint16_t port) {
  httplib::Client client("127.0.0.1", port);
  const httplib::Result res = client.Get("/metrics");
  return res && res->status == 200 ? res->body : "";
}

inline std::string ErrorCode(const RawResponse& r) {
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
}

// A 100 MB chunked submission is refused with 413 once about the limit (1 MiB) has arrived;
// the client reads while it writes, and stops when answered.
inline void ProbeChunkedBody(const DaemonProcess& d) {
  Result<std::unique_ptr<RawConnection>> opened = RawConnection::Open(d.port(), 64 << 10);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  RawConnection& c = **opened;
  std::atomic<size_t> sent{0};
  std::atomic<bool> answered{false};
  std::thread writer([&] {
    if (!c.Send(RequestHead("POST", "/v1/jobs",
                            {"Authorization: Bearer " + d.admin_token(),
                             "Transfer-Encoding: chunked", "Content-Type: application/json"}))) {
      return;
    }
    const std::string chunk = "10000\r\n" + std::string(64 << 10, 'x') + "\r\n";
    while (!answered.load() && sent.load() < 100'000'000) {
      if (!c.Send(chunk)) return;
      sent += 64 << 10;
    }
  });
  const std::optional<RawResponse> r = c.ReadResponse(Clock::now() + std::chrono::seconds(60));
  const size_t sent_when_answered = sent.load();
  answered = true;
  ::shutdown(c.fd(), SHUT_RDWR);
  writer.join();
  ASSERT_TRUE(r.has_value()) << "no answer; " << sent.load() << " bytes sent";
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorCode(*r), "resource_exhausted");
  EXPECT_LT(r->body.size(), 1000u);
  // Answered long before the 100 MB body was sent. Not a tight bound: once refused, the server
  // discards what still comes (up to 64 MiB, http_server.cc's linger), so the writer runs on at
  // loopback speed until the reader thread is scheduled to read the answer — 25 MB under a
  // loaded CI machine, a few MiB on an idle one.
  EXPECT_LT(sent_when_answered, 80 * kMiB);
}

inline void ProbeContentLength(const DaemonProcess& d) {
  Result<std::unique_ptr<RawConnection>> c = RawConnection::Open(d.port());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->Send(
      RequestHead("POST", "/v1/jobs",
                  {"Authorization: Bearer " + d.admin_token(), "Content-Length: 100000000"})));
  const std::optional<RawResponse> r = (*c)->ReadResponse(Clock::now() + std::chrono::seconds(3));
  ASSERT_TRUE(r.has_value()) << "no answer within 3 s without sending the body";
  EXPECT_EQ(r->status, 413);
}

inline void ProbeHeaders(const DaemonProcess& d) {
  for (const int count : {100, 10'000}) {
    SCOPED_TRACE(std::to_string(count) + " extra header fields");
    std::vector<std::string> fields;
    for (int i = 0; i < count; ++i) fields.push_back("X-F" + std::to_string(i) + ": v");
    Result<std::unique_ptr<RawConnection>> c = RawConnection::Open(d.port());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE((*c)->Send(RequestHead("GET", "/v1/sites", fields)));
    const std::optional<RawResponse> r =
        (*c)->ReadResponse(Clock::now() + std::chrono::seconds(10));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 431);
    EXPECT_EQ(ErrorCode(*r), "resource_exhausted");
  }
}

// 200 invented methods without a token: each 501, and /metrics has no new series after them.
inline void ProbeInventedMethods(const DaemonProcess& d) {
  const auto invent = [&](const std::string& method, const std::string& path) {
    Result<std::unique_ptr<RawConnection>> c = RawConnection::Open(d.port());
    if (!c.ok()) return 0;
    if (!(*c)->Send(RequestHead(method, path))) return 0;
    const std::optional<RawResponse> r =
        (*c)->ReadResponse(Clock::now() + std::chrono::seconds(10));
    return r ? r->status : 0;
  };
  EXPECT_EQ(invent("WARMUP", "/v1/jobs"), 501);
  Metrics(d.port());  // GET /metrics's own series exist from here on
  const std::set<std::string> before = MetricSeries(Metrics(d.port()));
  ASSERT_FALSE(before.empty());
  const char* const paths[] = {"/v1/jobs", "/v1/sites", "/metrics", "/nowhere/at/all"};
  for (int i = 0; i < 200; ++i) {
    std::string method = "Q" + std::to_string(i) + "X";
    if (i == 0) method = "PROPFIND";
    if (i == 1) method = "FOO";
    ASSERT_EQ(invent(method, paths[i % 4]), 501) << method;
  }
  EXPECT_EQ(MetricSeries(Metrics(d.port())), before);
}

// `connections` slow clients each send one header byte every `drip`; each must be closed
// within `read_timeout` (plus slack) of its first byte, and a normal client reading
// GET /v1/sites meanwhile must keep p99 under 100 ms.
inline void ProbeSlowClients(const DaemonProcess& d, int connections, milliseconds drip,
                             milliseconds read_timeout) {
  httplib::Client client("127.0.0.1", d.port());
  client.set_read_timeout(std::chrono::seconds(5));
  const httplib::Headers auth = {{"Authorization", "Bearer " + d.admin_token()}};
  const DripProbeResult r = RunDripProbe(d.port(),
                                         DripProbe{.connections = connections,
                                                   .drip_interval = drip,
                                                   .give_up_after = read_timeout * 3,
                                                   .target = "/v1/sites"},
                                         [&] {
                                           const httplib::Result res =
                                               client.Get("/v1/sites", auth);
                                           return res && res->status == 200;
                                         });
  EXPECT_EQ(r.connect_failures, 0);
  const double timeout_s = std::chrono::duration<double>(read_timeout).count();
  for (size_t i = 0; i < r.closed_after_s.size(); ++i) {
    SCOPED_TRACE("slow connection " + std::to_string(i));
    ASSERT_TRUE(r.closed_after_s[i].has_value()) << "still open";
    EXPECT_GE(*r.closed_after_s[i], timeout_s - 0.1);
    EXPECT_LE(*r.closed_after_s[i], timeout_s + 1.5);
  }
  EXPECT_EQ(r.answered_408, connections);
  EXPECT_EQ(r.normal_failures, 0);
  ASSERT_GE(r.latencies_ms.size(), 50u);
  EXPECT_LT(Percentile(r.latencies_ms, 99), 100.0)
      << r.latencies_ms.size() << " requests, p50 " << Percentile(r.latencies_ms, 50) << " ms";
}

// An idle keep-alive connection is closed after the idle timeout.
inline void ProbeIdle(const DaemonProcess& d, milliseconds idle_timeout) {
  Result<std::unique_ptr<RawConnection>> c = RawConnection::Open(d.port());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->Send(RequestHead("GET", "/metrics")));
  const Clock::time_point answered_by = Clock::now() + std::chrono::seconds(10);
  const std::optional<RawResponse> r = (*c)->ReadResponse(answered_by);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  const Clock::time_point idle_from = Clock::now();
  EXPECT_TRUE((*c)->WaitClosed(idle_from + idle_timeout + std::chrono::milliseconds(1500)));
  EXPECT_GE(Clock::now() - idle_from, idle_timeout - milliseconds(100));
}

}  // namespace gpufleet::testing::http_probes
