#pragma once
// Signs the ledger's checkpoints (docs/ledger.md, "Checkpoints"): the C2SP checkpoint of the
// inventory log as the store has committed it, signed with the log's Ed25519 key (whose name
// is the checkpoint's origin) and recorded in the store. Only a committed head is ever signed,
// so no signed checkpoint covers an entry that is not durable.
//
// While entries arrive, a checkpoint at least every `interval` (default one second): each
// append notifies the background thread, which signs the latest head once the interval since
// the last checkpoint has passed, so a burst of appends costs one signature and one write.
//
// Thread safety: CheckpointNow and Notify may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "gpufleet/ledger/note_key.h"
#include "gpufleet/service/inventory_service.h"
#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

class LedgerCheckpointer {
 public:
  // REQUIRES: `store` and `inventory` outlive the checkpointer.
  LedgerCheckpointer(store::Store& store, const InventoryService& inventory,
                     ledger::NoteSigner signer,
                     std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~LedgerCheckpointer();  // Stop()

  // Signs and records a checkpoint of the current head when it is larger than the latest
  // recorded one (or none is); returns the size covered.
  Result<int64_t> CheckpointNow();

  void Start();
  void Stop();
  // An append happened: a checkpoint within the interval.
  void Notify();

  const ledger::NoteVerifier& verifier() const { return signer_.verifier(); }

 private:
  void Run();

  store::Store& store_;
  const InventoryService& inventory_;
  const ledger::NoteSigner signer_;
  const std::chrono::milliseconds interval_;

  std::mutex sign_mu_;                  // one signing at a time
  bool read_store_ = false;             // guarded by sign_mu_
  std::optional<int64_t> signed_size_;  // guarded by sign_mu_: the latest size recorded

  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;  // guarded by mu_
  bool stop_ = false;     // guarded by mu_
  std::thread thread_;
};

}  // namespace gpufleet::service
