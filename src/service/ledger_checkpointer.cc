#include "gpufleet/service/ledger_checkpointer.h"

#include <utility>

#include "gpufleet/ledger/checkpoint.h"
#include "gpufleet/log/log.h"

namespace gpufleet::service {

LedgerCheckpointer::LedgerCheckpointer(store::Store& store, const InventoryService& inventory,
                                       ledger::NoteSigner signer,
                                       std::chrono::milliseconds interval)
    : store_(store), inventory_(inventory), signer_(std::move(signer)), interval_(interval) {}

LedgerCheckpointer::~LedgerCheckpointer() { Stop(); }

Result<int64_t> LedgerCheckpointer::CheckpointNow() {
  const std::lock_guard sign_lock(sign_mu_);
  if (!read_store_) {
    Result<std::optional<store::CheckpointRecord>> latest = store_.LatestCheckpoint();
    if (!latest.ok()) return latest.status();
    if (latest->has_value()) signed_size_ = (*latest)->size;
    read_store_ = true;
  }
  // The head the service holds is what the store committed: the service advances it only
  // after the append's transaction.
  const auto [size, root] = inventory_.Head();
  if (signed_size_ && size <= *signed_size_) return *signed_size_;
  const ledger::Checkpoint checkpoint{.origin = signer_.name(),
                                      .size = static_cast<uint64_t>(size),
                                      .root = root,
                                      .extensions = {}};
  Result<std::string> note = ledger::SignCheckpoint(checkpoint, signer_);
  if (!note.ok()) return note.status();
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  GPUFLEET_RETURN_IF_ERROR(
      store_.PutCheckpoint({.size = size, .note = std::move(*note), .created_ms = now}));
  signed_size_ = size;
  return size;
}

void LedgerCheckpointer::Start() {
  const std::lock_guard lock(mu_);
  stop_ = false;
  pending_ = true;  // a first checkpoint of what the store holds at start
  thread_ = std::thread([this] { Run(); });
}

void LedgerCheckpointer::Stop() {
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LedgerCheckpointer::Notify() {
  {
    const std::lock_guard lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

void LedgerCheckpointer::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || pending_; });
    if (stop_) break;
    pending_ = false;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    const Result<int64_t> done = CheckpointNow();
    if (!done.ok()) log::Error("ledger.checkpoint_failed", {{"error", done.status().ToString()}});
    lock.lock();
    if (!done.ok()) pending_ = true;  // retried after the interval
    // At most one checkpoint per interval: appends meanwhile wait for the next one.
    cv_.wait_until(lock, started + interval_, [this] { return stop_; });
  }
}

}  // namespace gpufleet::service
