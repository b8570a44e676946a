#include "cli/store_log_source.h"

#include <algorithm>
#include <string>
#include <vector>

namespace gpufleet::cli {
namespace {

constexpr int64_t kPage = 10'000;

}  // namespace

Result<std::string> StoreLogSource::ReadCheckpoint() {
  Result<std::optional<store::CheckpointRecord>> latest = store_->LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return Status::NotFound("the store records no signed checkpoint");
  return (*latest)->note;
}

Status StoreLogSource::ReadEntries(uint64_t begin, uint64_t end,
                                   const ledger::EntryVisitor& visit) {
  for (uint64_t from = begin; from < end;) {
    const int64_t want = static_cast<int64_t>(std::min<uint64_t>(end - from, kPage));
    Result<std::vector<store::InventoryEntry>> page =
        store_->ReadInventory(static_cast<int64_t>(from), static_cast<int32_t>(want));
    if (!page.ok()) return page.status();
    if (page->empty()) {
      return Status::Corruption("ledger: entry " + std::to_string(from) +
                                " is missing: the log holds fewer entries than its checkpoint");
    }
    for (const store::InventoryEntry& e : *page) {
      if (e.index != static_cast<int64_t>(from)) {
        return Status::Corruption("ledger: entry " + std::to_string(from) +
                                  " is missing (the next row is " + std::to_string(e.index) + ")");
      }
      GPUFLEET_RETURN_IF_ERROR(visit(from, e.body));
      ++from;
    }
  }
  return Status::Ok();
}

}  // namespace gpufleet::cli
