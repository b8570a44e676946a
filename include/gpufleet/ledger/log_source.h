#pragma once
// Where a verifier reads a log from: its latest signed checkpoint and its entries by index.
// An export file is one source (export_file.h); the service's HTTP endpoints are another, with
// the same shapes (wire.h), so VerifyLog (verify_log.h) checks either the same way.
// Thread safety: a source may keep a read position; use one per thread.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "gpufleet/status.h"

namespace gpufleet::ledger {

// Called once per entry, in index order. `entry` is valid only during the call. A non-OK
// status stops the read and is what ReadEntries returns.
using EntryVisitor = std::function<Status(uint64_t index, std::string_view entry)>;

class LogSource {
 public:
  virtual ~LogSource() = default;

  // The latest checkpoint as the log signed it: the signed note's bytes, unverified.
  [[nodiscard]] virtual Result<std::string> ReadCheckpoint() = 0;

  // Visits the entries [begin, end) in order. NotFound when the source does not hold all of
  // them (after visiting those it does); Corruption when one is unreadable (naming its index);
  // IOError when the source cannot be read at all.
  [[nodiscard]] virtual Status ReadEntries(uint64_t begin, uint64_t end,
                                           const EntryVisitor& visit) = 0;
};

}  // namespace gpufleet::ledger
