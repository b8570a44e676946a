#pragma once
// gpufleet-agent's main loop (docs/agent.md, "What the agent sends and when"): observe the
// node's devices, send them, wait, again, until told to stop.
//
// Every interval the loop observes the devices and sends the report. A report equal to the
// last one accepted is a heartbeat (the service then only notes the time; no store write); one
// that differs, or the first, is a change. A failure (the provider or the service) is retried
// after an exponential backoff with jitter, bounded by `backoff_max`, so a fleet of agents that
// lost the service does not come back in step. The loop keeps one report (the last accepted)
// whatever happens: its memory does not grow with time or failures.
//
// Time is a Waiter: the real one waits on a condition variable that Stop() (SIGINT/SIGTERM)
// wakes at once; a test's records the waits and decides when to stop, so no test sleeps.
//
// Thread safety: Run on one thread; StopSignal::Stop from any thread (or a signal thread).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "gpufleet/agent/device_provider.h"
#include "gpufleet/agent/report_sender.h"
#include "gpufleet/status.h"

namespace gpufleet::agent {

// How the loop waits between rounds.
class Waiter {
 public:
  virtual ~Waiter() = default;
  // Waits `duration`; false when the agent must stop (then at once, without waiting it out).
  virtual bool WaitFor(std::chrono::milliseconds duration) = 0;
};

// The real waiter: a condition variable that Stop() signals.
class StopSignal final : public Waiter {
 public:
  bool WaitFor(std::chrono::milliseconds duration) override;
  void Stop();
  bool stopped() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
};

struct AgentLoopOptions {
  std::string node;           // REQUIRES: not empty; the report's node
  std::string agent_version;  // what reports carry as agent_version
  std::string echo_key{};     // what reports carry as echo_key; "" when the agent serves no echo
  // Between two reports when all is well. Default 30 s (docs/agent.md: 125,000 nodes at one
  // report per 30 s is about 4,200 reports/s on the service).
  std::chrono::milliseconds interval{30'000};
  // The first retry waits about backoff_initial, each next one twice as long, never more than
  // backoff_max; the wait drawn is uniform in [half, all] of that (jitter).
  std::chrono::milliseconds backoff_initial{1'000};
  std::chrono::milliseconds backoff_max{300'000};
  // Seeds the jitter (the agent seeds it from the clock and the node's name).
  uint64_t jitter_seed = 1;
  // Attach each device's attestation report (DeviceProvider::Attest) over a fresh nonce from
  // the service, on the first report and whenever the devices change; heartbeats repeat the
  // evidence, so they stay heartbeats (docs/agent.md, "Attestation").
  bool attest = false;
};

// What the loop has done, for logs and tests.
struct AgentLoopCounts {
  int64_t changes_sent = 0;     // reports accepted that differed from the previous one
  int64_t heartbeats_sent = 0;  // reports accepted equal to the previous one
  int64_t failures = 0;         // rounds that ended in a provider or sender error
};

class AgentLoop {
 public:
  // Not owned: REQUIRES provider, sender and waiter outlive the loop.
  AgentLoop(DeviceProvider& provider, ReportSender& sender, Waiter& waiter,
            AgentLoopOptions options);
  AgentLoop(const AgentLoop&) = delete;
  AgentLoop& operator=(const AgentLoop&) = delete;

  // Runs rounds until the waiter says stop. Returns OK then; the errors of rounds are logged
  // and retried, never returned, except a refused token (Unauthenticated, PermissionDenied),
  // which no retry mends: Run returns it so that the agent exits with its code.
  Status Run();

  // One round: observe, send. The wait that should follow (the interval, or a backoff).
  std::chrono::milliseconds RunOnce(Status* outcome = nullptr);

  const AgentLoopCounts& counts() const { return counts_; }
  // The backoff before retry number `failures` (1-based), before jitter.
  std::chrono::milliseconds BackoffCeiling(int64_t failures) const;

 private:
  std::chrono::milliseconds Backoff();
  // With options_.attest: the evidence the last accepted report carried when the devices are
  // the same, else fresh evidence over a new nonce (none if the service gives no nonce).
  void AttachEvidence(std::vector<ObservedDevice>& devices);

  DeviceProvider& provider_;
  ReportSender& sender_;
  Waiter& waiter_;
  const AgentLoopOptions options_;
  std::optional<NodeReport> last_accepted_;
  int64_t consecutive_failures_ = 0;
  uint64_t jitter_state_;
  AgentLoopCounts counts_;
};

}  // namespace gpufleet::agent
