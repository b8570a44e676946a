#include "cli/http_log_source.h"

#include <algorithm>
#include <string>

#include "gpufleet/ledger/wire.h"

namespace gpufleet::cli {
namespace {

constexpr uint64_t kPage = 1000;  // the server's limit per request

}  // namespace

Result<std::string> HttpLogSource::ReadCheckpoint() {
  return client_.GetText("/v1/ledger/checkpoint");
}

Status HttpLogSource::ReadEntries(uint64_t begin, uint64_t end, const ledger::EntryVisitor& visit) {
  for (uint64_t from = begin; from < end;) {
    const uint64_t to = std::min(end, from + kPage);
    Result<std::string> text = client_.GetText("/v1/ledger/entries?start=" + std::to_string(from) +
                                               "&end=" + std::to_string(to));
    if (!text.ok()) return text.status();
    Result<std::vector<ledger::LogEntry>> entries = ledger::DecodeEntries(*text);
    if (!entries.ok()) return entries.status();
    for (const ledger::LogEntry& e : *entries) {
      if (e.index != from) {
        return Status::Corruption("ledger entries: the server sent entry " +
                                  std::to_string(e.index) + " where " + std::to_string(from) +
                                  " belongs");
      }
      GPUFLEET_RETURN_IF_ERROR(visit(e.index, e.data));
      ++from;
    }
    if (entries->empty()) {
      return Status::NotFound("ledger entries: the server holds none from " + std::to_string(from));
    }
  }
  return Status::Ok();
}

}  // namespace gpufleet::cli
