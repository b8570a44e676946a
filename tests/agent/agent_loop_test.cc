// The agent's loop with a scripted provider, sender and clock (no server, no sleeps): the first
// report and every change are sent as changes, an unchanged node as heartbeats at the interval,
// failures retried after a doubling, bounded, jittered backoff, a refused token ends the loop,
// and a stop ends it at once.

#include "gpufleet/agent/agent_loop.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <future>
#include <thread>

namespace gpufleet::agent {
namespace {

using std::chrono::milliseconds;

class ScriptedProvider final : public DeviceProvider {
 public:
  std::string_view name() const override { return "file"; }
  Result<std::vector<ObservedDevice>> Observe() override {
    if (fail_next > 0) {
      --fail_next;
      return Status::IOError("nvmlDeviceGetCount_v2: GPU is lost");
    }
    return devices;
  }
  std::vector<ObservedDevice> devices = {{.vendor = "nvidia", .model = "H100", .serial = "S1"}};
  int fail_next = 0;
};

class RecordingSender final : public ReportSender {
 public:
  Status Send(const NodeReport& report) override {
    sent.push_back(report);
    if (!replies.empty()) {
      Status reply = replies.front();
      replies.pop_front();
      return reply;
    }
    return Status::Ok();
  }
  std::vector<NodeReport> sent;
  std::deque<Status> replies;  // the next replies; OK once empty
};

// Records every wait asked for; says stop after `rounds` waits.
class ScriptedWaiter final : public Waiter {
 public:
  explicit ScriptedWaiter(size_t rounds) : rounds_(rounds) {}
  bool WaitFor(milliseconds duration) override {
    waits.push_back(duration);
    if (on_wait) on_wait(waits.size());
    return waits.size() < rounds_;
  }
  std::vector<milliseconds> waits;
  std::function<void(size_t)> on_wait;

 private:
  size_t rounds_;
};

AgentLoopOptions Options() {
  return {.node = "sg-0/n0",
          .agent_version = "test",
          .interval = milliseconds(30'000),
          .backoff_initial = milliseconds(1'000),
          .backoff_max = milliseconds(8'000),
          .jitter_seed = 42};
}

TEST(AgentLoopTest, SendsTheFirstReportAndChangesAsChangesAndTheRestAsHeartbeats) {
  ScriptedProvider provider;
  RecordingSender sender;
  ScriptedWaiter waiter(4);
  // A board swapped between the second and third round.
  waiter.on_wait = [&](size_t n) {
    if (n == 2) provider.devices[0].serial = "S2";
  };
  AgentLoop loop(provider, sender, waiter, Options());
  ASSERT_TRUE(loop.Run().ok());
  ASSERT_EQ(sender.sent.size(), 4u);
  EXPECT_EQ(sender.sent[0].node, "sg-0/n0");
  EXPECT_EQ(sender.sent[0].provider, "file");
  EXPECT_EQ(sender.sent[0].agent_version, "test");
  EXPECT_EQ(sender.sent[1], sender.sent[0]);
  EXPECT_EQ(sender.sent[2].devices[0].serial, "S2");
  EXPECT_EQ(loop.counts().changes_sent, 2);
  EXPECT_EQ(loop.counts().heartbeats_sent, 2);
  EXPECT_EQ(loop.counts().failures, 0);
  EXPECT_EQ(waiter.waits, std::vector<milliseconds>(4, milliseconds(30'000)));
}

TEST(AgentLoopTest, FailuresBackOffDoublingWithinJitterBoundsAndReturnToTheInterval) {
  ScriptedProvider provider;
  RecordingSender sender;
  for (int i = 0; i < 6; ++i) sender.replies.push_back(Status::IOError("connection refused"));
  ScriptedWaiter waiter(8);
  AgentLoop loop(provider, sender, waiter, Options());
  ASSERT_TRUE(loop.Run().ok());
  ASSERT_EQ(waiter.waits.size(), 8u);
  // Ceilings 1, 2, 4, 8, then held at the bound of 8 s; each wait in [ceiling/2, ceiling].
  const int64_t ceilings[] = {1'000, 2'000, 4'000, 8'000, 8'000, 8'000};
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(loop.BackoffCeiling(static_cast<int64_t>(i) + 1).count(), ceilings[i]);
    EXPECT_GE(waiter.waits[i].count(), ceilings[i] / 2);
    EXPECT_LE(waiter.waits[i].count(), ceilings[i]);
  }
  // Jitter: the three waits at the same ceiling are not all equal (seeded, so this is fixed).
  EXPECT_FALSE(waiter.waits[3] == waiter.waits[4] && waiter.waits[4] == waiter.waits[5]);
  EXPECT_EQ(waiter.waits[6], milliseconds(30'000));
  EXPECT_EQ(loop.counts().failures, 6);
  // A report that failed to arrive is not "last accepted": the next success is a change.
  EXPECT_EQ(loop.counts().changes_sent, 1);
  EXPECT_EQ(loop.counts().heartbeats_sent, 1);
  // The ceiling never overflows, however long the service stays away.
  EXPECT_EQ(loop.BackoffCeiling(1'000'000).count(), 8'000);
}

TEST(AgentLoopTest, AProviderFailureIsRetriedLikeASendFailure) {
  ScriptedProvider provider;
  provider.fail_next = 1;
  RecordingSender sender;
  ScriptedWaiter waiter(2);
  AgentLoop loop(provider, sender, waiter, Options());
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(sender.sent.size(), 1u);  // nothing sent for the failed observation
  EXPECT_LE(waiter.waits[0].count(), 1'000);
  EXPECT_EQ(loop.counts().failures, 1);
  EXPECT_EQ(loop.counts().changes_sent, 1);
}

TEST(AgentLoopTest, ARefusedTokenEndsTheLoopWithItsStatus) {
  ScriptedProvider provider;
  RecordingSender sender;
  sender.replies.push_back(Status::PermissionDenied("HTTP 403"));
  ScriptedWaiter waiter(10);
  AgentLoop loop(provider, sender, waiter, Options());
  const Status result = loop.Run();
  EXPECT_EQ(result.code(), Status::Code::kPermissionDenied);
  EXPECT_TRUE(waiter.waits.empty());
}

// Sends like RecordingSender and fulfils `sent_once` after the first report.
class SignallingSender final : public ReportSender {
 public:
  Status Send(const NodeReport&) override {
    if (++sends == 1) sent_once.set_value();
    return Status::Ok();
  }
  int sends = 0;
  std::promise<void> sent_once;
};

TEST(AgentLoopTest, StopWakesAWaitAtOnce) {
  // A day-long wait, woken by Stop from another thread once the first report is out: Run
  // returning at all is the check (a wait that ignored Stop would time the test out).
  StopSignal stop;
  ScriptedProvider provider;
  SignallingSender sender;
  AgentLoopOptions options = Options();
  options.interval = std::chrono::hours(24);
  AgentLoop loop(provider, sender, stop, options);
  std::future<void> sent = sender.sent_once.get_future();
  std::thread stopper([&] {
    sent.wait();
    stop.Stop();
  });
  EXPECT_TRUE(loop.Run().ok());
  stopper.join();
  EXPECT_TRUE(stop.stopped());
  EXPECT_FALSE(stop.WaitFor(std::chrono::hours(24)));
  EXPECT_EQ(sender.sends, 1);
  EXPECT_EQ(loop.counts().changes_sent, 1);
}

// --attest: the first report asks a nonce and attaches the provider's evidence; an unchanged
// node repeats that evidence (so a heartbeat stays a heartbeat) without asking again; a swapped
// board asks a fresh nonce.
TEST(AgentLoopAttestTest, EvidenceIsFetchedOnChangeAndRepeatedInHeartbeats) {
  class AttestingProvider final : public DeviceProvider {
   public:
    std::string_view name() const override { return "nvml"; }
    Result<std::vector<ObservedDevice>> Observe() override { return devices; }
    void Attest(std::vector<ObservedDevice>& observed, const std::string& nonce) override {
      ++attested;
      for (ObservedDevice& d : observed) {
        d.attestation = AttestationEvidence{.nonce_hex = nonce, .report_base64 = "UkVQ"};
      }
    }
    std::vector<ObservedDevice> devices = {{.vendor = "nvidia", .model = "H100", .serial = "S1"}};
    int attested = 0;
  };
  class NonceSender final : public ReportSender {
   public:
    Status Send(const NodeReport& report) override {
      sent.push_back(report);
      return Status::Ok();
    }
    Result<std::string> Nonce(const std::string&) override {
      return std::string(64, static_cast<char>('a' + nonces++));
    }
    std::vector<NodeReport> sent;
    int nonces = 0;
  };
  AttestingProvider provider;
  NonceSender sender;
  ScriptedWaiter waiter(100);
  AgentLoopOptions options = Options();
  options.attest = true;
  AgentLoop loop(provider, sender, waiter, options);
  (void)loop.RunOnce();
  (void)loop.RunOnce();
  EXPECT_EQ(sender.nonces, 1);
  EXPECT_EQ(provider.attested, 1);
  ASSERT_EQ(sender.sent.size(), 2u);
  EXPECT_EQ(sender.sent[0], sender.sent[1]);
  ASSERT_TRUE(sender.sent[1].devices[0].attestation.has_value());
  EXPECT_EQ(loop.counts().heartbeats_sent, 1);
  provider.devices[0].serial = "S2";
  (void)loop.RunOnce();
  EXPECT_EQ(sender.nonces, 2);
  EXPECT_EQ(sender.sent[2].devices[0].attestation->nonce_hex, std::string(64, 'b'));
  EXPECT_EQ(loop.counts().changes_sent, 2);
}

}  // namespace
}  // namespace gpufleet::agent
