// gpufleetd's HTTP limits with short timeouts (--read-timeout-s 1 --idle-timeout-s 1): the
// same probes as the slow suite at the default 10 s, run in seconds.

#include <gtest/gtest.h>

#include "integration/http_limits_probes.h"

namespace gpufleet::testing::http_probes {
namespace {

class GpufleetdHttpLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ =
        StartDaemon("gpufleetd_http_limits", {"--read-timeout-s", "1", "--idle-timeout-s", "1"});
    ASSERT_NE(daemon_, nullptr);
  }
  void TearDown() override {
    if (daemon_ != nullptr) {
      const Result<int> stopped = daemon_->Stop(std::chrono::seconds(30));
      EXPECT_TRUE(stopped.ok()) << stopped.status().ToString();
      if (stopped.ok()) {
        EXPECT_EQ(*stopped, 0);
      }
    }
  }
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(GpufleetdHttpLimits, OversizedBodiesAre413) {
  ProbeChunkedBody(*daemon_);
  ProbeContentLength(*daemon_);
}

TEST_F(GpufleetdHttpLimits, TooManyHeaderFieldsAre431) { ProbeHeaders(*daemon_); }

TEST_F(GpufleetdHttpLimits, InventedMethodsAre501WithoutNewSeries) {
  ProbeInventedMethods(*daemon_);
}

TEST_F(GpufleetdHttpLimits, SlowClientsAreCutOffAndOthersStayFast) {
  ProbeSlowClients(*daemon_, 64, milliseconds(250), milliseconds(1000));
  ProbeIdle(*daemon_, milliseconds(1000));
}

TEST_F(GpufleetdHttpLimits, OutOfRangeNumberIs400) {
  httplib::Client client("127.0.0.1", daemon_->port());
  const httplib::Result res =
      client.Post("/v1/jobs", {{"Authorization", "Bearer " + daemon_->admin_token()}},
                  R"({"tenant": "llm-training", "name": "x", "gpus": 1e999})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_THAT(res->body, ::testing::HasSubstr("field 'gpus': number 1e999 is out of range"));
}

TEST(GpufleetdHttpFlags, TimeoutFlagsAreValidated) {
  const CliResult zero = RunGpufleetd("--demo-gpus 64 --no-scheduler --read-timeout-s 0");
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_THAT(zero.err, ::testing::HasSubstr("--read-timeout-s"));
  const CliResult help = RunGpufleetd("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, ::testing::HasSubstr("--read-timeout-s"));
  EXPECT_THAT(help.out, ::testing::HasSubstr("--idle-timeout-s"));
}

}  // namespace
}  // namespace gpufleet::testing::http_probes
