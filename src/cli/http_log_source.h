#pragma once
// The ledger of a running gpufleetd as a ledger::LogSource: its latest signed checkpoint and its
// entries, read through GET /v1/ledger/checkpoint and /v1/ledger/entries (1,000 a request), so
// `gpufleet ledger verify --url` checks the live log exactly as it checks an export.

#include "cli/api_client.h"
#include "gpufleet/ledger/log_source.h"

namespace gpufleet::cli {

class HttpLogSource final : public ledger::LogSource {
 public:
  // REQUIRES: `client` outlives the source.
  explicit HttpLogSource(ApiClient& client) : client_(client) {}
  Result<std::string> ReadCheckpoint() override;
  Status ReadEntries(uint64_t begin, uint64_t end, const ledger::EntryVisitor& visit) override;

 private:
  ApiClient& client_;
};

}  // namespace gpufleet::cli
