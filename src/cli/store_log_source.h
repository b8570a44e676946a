#pragma once
// The ledger as gpufleetd's store holds it, as a ledger::LogSource: the latest recorded
// checkpoint and the inventory log's entries, read from the database itself. `gpufleet ledger
// verify --store` checks a store offline with it (a service that refuses to start, an edited
// database), trusting nothing in it but what the verifier key signed.

#include <memory>

#include "gpufleet/ledger/log_source.h"
#include "gpufleet/store/store.h"

namespace gpufleet::cli {

class StoreLogSource final : public ledger::LogSource {
 public:
  explicit StoreLogSource(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}
  // NotFound when no checkpoint is recorded.
  Result<std::string> ReadCheckpoint() override;
  // A gap, a duplicate or an entry out of place is Corruption naming the index: the rows are
  // the log, and a missing one is an edit.
  Status ReadEntries(uint64_t begin, uint64_t end, const ledger::EntryVisitor& visit) override;

 private:
  std::unique_ptr<store::Store> store_;
};

}  // namespace gpufleet::cli
