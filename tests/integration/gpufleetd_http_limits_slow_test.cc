// gpufleetd's HTTP limits at their defaults, the full-size probe of issue 15: 64 connections
// each send one header byte every 5 s against the default 10 s read timeout. Every one must
// be closed within the timeout of its first byte (plus 1.5 s of slack), while a normal client
// keeps p99 under 100 ms; an idle keep-alive connection is closed after 10 s.

#include <gtest/gtest.h>

#include "integration/http_limits_probes.h"

namespace gpufleet::testing::http_probes {
namespace {

TEST(GpufleetdHttpLimitsSlow, DefaultTimeoutsCutOffDripFeedingClients) {
  std::unique_ptr<DaemonProcess> daemon = StartDaemon("gpufleetd_http_limits_slow", {});
  ASSERT_NE(daemon, nullptr);
  ProbeSlowClients(*daemon, 64, milliseconds(5000), milliseconds(10000));
  ProbeIdle(*daemon, milliseconds(10000));
  ProbeChunkedBody(*daemon);
  ProbeHeaders(*daemon);
  ProbeInventedMethods(*daemon);
  const Result<int> stopped = daemon->Stop(std::chrono::seconds(30));
  EXPECT_TRUE(stopped.ok()) << stopped.status().ToString();
}

}  // namespace
}  // namespace gpufleet::testing::http_probes
