// The agent's observe-send-wait loop (agent/agent_loop.h).

#include "gpufleet/agent/agent_loop.h"

#include <algorithm>
#include <tuple>

#include "gpufleet/log/log.h"

namespace gpufleet::agent {

bool StopSignal::WaitFor(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, duration, [this] { return stopped_; });
}

void StopSignal::Stop() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool StopSignal::stopped() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

AgentLoop::AgentLoop(DeviceProvider& provider, ReportSender& sender, Waiter& waiter,
                     AgentLoopOptions options)
    : provider_(provider),
      sender_(sender),
      waiter_(waiter),
      options_(std::move(options)),
      jitter_state_(options_.jitter_seed | 1) {}

std::chrono::milliseconds AgentLoop::BackoffCeiling(int64_t failures) const {
  // Doubling stops once past the ceiling: no overflow however long the service is away.
  std::chrono::milliseconds wait = options_.backoff_initial;
  for (int64_t i = 1; i < failures && wait < options_.backoff_max; ++i) wait *= 2;
  return std::min(wait, options_.backoff_max);
}

std::chrono::milliseconds AgentLoop::Backoff() {
  // xorshift64: enough to spread retries; nothing here needs unpredictability.
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  const int64_t ceiling = BackoffCeiling(consecutive_failures_).count();
  const int64_t half = ceiling / 2;
  const int64_t spread = ceiling - half + 1;
  return std::chrono::milliseconds(half + static_cast<int64_t>(jitter_state_ % spread));
}

namespace {

// Every field but the evidence: the board is the same one, seen the same way.
bool SameBoard(const ObservedDevice& a, const ObservedDevice& b) {
  return std::tie(a.vendor, a.model, a.serial, a.uuid, a.pci_bus_id, a.board_part_number,
                  a.memory_bytes, a.driver_version, a.firmware_version) ==
         std::tie(b.vendor, b.model, b.serial, b.uuid, b.pci_bus_id, b.board_part_number,
                  b.memory_bytes, b.driver_version, b.firmware_version);
}

}  // namespace

void AgentLoop::AttachEvidence(std::vector<ObservedDevice>& devices) {
  if (last_accepted_ && last_accepted_->devices.size() == devices.size()) {
    bool same = true;
    for (size_t i = 0; same && i < devices.size(); ++i) {
      same = SameBoard(last_accepted_->devices[i], devices[i]);
    }
    if (same) {
      for (size_t i = 0; i < devices.size(); ++i) {
        devices[i].attestation = last_accepted_->devices[i].attestation;
      }
      return;
    }
  }
  Result<std::string> nonce = sender_.Nonce(options_.node);
  if (!nonce.ok()) {
    log::Write(log::Level::kWarn, "agent.no_nonce", {{"error", nonce.status().message()}});
    return;
  }
  provider_.Attest(devices, *nonce);
}

std::chrono::milliseconds AgentLoop::RunOnce(Status* outcome) {
  Status status = Status::Ok();
  Result<std::vector<ObservedDevice>> devices = provider_.Observe();
  if (!devices.ok()) {
    status = devices.status();
  } else {
    if (options_.attest) AttachEvidence(*devices);
    NodeReport report{.node = options_.node,
                      .agent_version = options_.agent_version,
                      .provider = std::string(provider_.name()),
                      .devices = std::move(*devices),
                      .echo_key = options_.echo_key};
    const bool changed = !last_accepted_ || *last_accepted_ != report;
    status = sender_.Send(report);
    if (status.ok()) {
      if (changed) {
        ++counts_.changes_sent;
        log::Write(log::Level::kInfo, "agent.report",
                   {{"node", report.node}, {"devices", report.devices.size()}});
        last_accepted_ = std::move(report);
      } else {
        ++counts_.heartbeats_sent;
      }
    }
  }
  if (outcome != nullptr) *outcome = status;
  if (status.ok()) {
    consecutive_failures_ = 0;
    return options_.interval;
  }
  ++counts_.failures;
  ++consecutive_failures_;
  const std::chrono::milliseconds wait = Backoff();
  log::Write(log::Level::kWarn, "agent.round_failed",
             {{"error", status.message()},
              {"attempt", consecutive_failures_},
              {"retry_in_ms", wait.count()}});
  return wait;
}

Status AgentLoop::Run() {
  while (true) {
    Status outcome;
    const std::chrono::milliseconds wait = RunOnce(&outcome);
    if (outcome.code() == Status::Code::kUnauthenticated ||
        outcome.code() == Status::Code::kPermissionDenied) {
      return outcome;
    }
    if (!waiter_.WaitFor(wait)) return Status::Ok();
  }
}

}  // namespace gpufleet::agent
