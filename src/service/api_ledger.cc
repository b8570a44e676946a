// The ledger's routes (docs/ledger.md, "Over REST"): the latest signed checkpoint, entries by
// index range, and inclusion and consistency proofs in RFC 6962 order, in the wire format of
// ledger/wire.h, so that `gpufleet ledger verify --url` and any C2SP-aware client can check the
// log against a verifier key. Open to admin, inventory and viewer (auditor) tokens: entries
// name every asset, owner and site, which a tenant does not see.

#include <string>

#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/wire.h"
#include "service/api_v1_routes.h"

namespace gpufleet::service::v1 {
namespace {

constexpr int64_t kMaxEntriesPerRead = 1000;

// The query parameter `name` as a non-negative integer; `fallback` when absent (nullopt: the
// parameter is required).
Result<int64_t> Count(const api::Request& request, std::string_view name,
                      std::optional<int64_t> fallback = std::nullopt) {
  const std::optional<std::string_view> text = request.Query(name);
  if (!text) {
    if (fallback) return *fallback;
    return Status::InvalidArgument("query parameter '" + std::string(name) + "' is required");
  }
  int64_t v = 0;
  const bool digits = !text->empty() && text->size() <= 18 &&
                      text->find_first_not_of("0123456789") == std::string_view::npos;
  if (digits) {
    for (const char c : *text) v = v * 10 + (c - '0');
  }
  if (!digits) {
    return Status::InvalidArgument("query parameter '" + std::string(name) +
                                   "': expected a non-negative integer");
  }
  return v;
}

Status BeyondLog(std::string_view what, int64_t value, int64_t size) {
  return Status::InvalidArgument(std::string(what) + " " + std::to_string(value) +
                                 " is beyond the log's " + std::to_string(size) + " entries");
}

api::Response JsonText(const std::string& body) {
  return api::Response::Text(200, body, "application/json");
}

api::Response Checkpoint(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {}); !s.ok()) return api::ErrorResponse(s);
  const Result<std::optional<store::CheckpointRecord>> latest = state.store().LatestCheckpoint();
  if (!latest.ok()) return api::ErrorResponse(latest.status());
  if (!latest->has_value()) {
    return api::ErrorResponse(Status::NotFound(
        "no signed checkpoint yet: gpufleetd signs them when started with --ledger-key"));
  }
  return api::Response::Text(200, (*latest)->note, std::string(ledger::kCheckpointContentType));
}

// GET /v1/ledger/entries?start=S[&end=E]: entries [S, E), at most 1000 (default up to that).
api::Response Entries(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"start", "end"}); !s.ok()) return api::ErrorResponse(s);
  const int64_t size = state.context.inventory->size();
  const Result<int64_t> start = Count(request, "start");
  if (!start.ok()) return api::ErrorResponse(start.status());
  const Result<int64_t> end = Count(request, "end", std::min(size, *start + kMaxEntriesPerRead));
  if (!end.ok()) return api::ErrorResponse(end.status());
  if (*end > size) return api::ErrorResponse(BeyondLog("end", *end, size));
  if (*start > *end || *end - *start > kMaxEntriesPerRead) {
    return api::ErrorResponse(Status::InvalidArgument(
        "entries [start, end): start must not exceed end, and at most 1000 at once"));
  }
  std::vector<ledger::LogEntry> out;
  for (int64_t from = *start; from < *end;) {
    const Result<std::vector<store::InventoryEntry>> page =
        state.store().ReadInventory(from, static_cast<int32_t>(*end - from));
    if (!page.ok()) return api::ErrorResponse(page.status());
    if (page->empty()) break;
    for (const store::InventoryEntry& e : *page) {
      out.push_back({.index = static_cast<uint64_t>(e.index), .data = e.body});
    }
    from = page->back().index + 1;
  }
  return JsonText(ledger::EncodeEntries(out));
}

api::Response InclusionProof(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"index", "tree_size"}); !s.ok()) {
    return api::ErrorResponse(s);
  }
  const int64_t size = state.context.inventory->size();
  const Result<int64_t> index = Count(request, "index");
  if (!index.ok()) return api::ErrorResponse(index.status());
  const Result<int64_t> tree_size = Count(request, "tree_size", size);
  if (!tree_size.ok()) return api::ErrorResponse(tree_size.status());
  if (*tree_size > size) return api::ErrorResponse(BeyondLog("tree_size", *tree_size, size));
  if (*index >= *tree_size) {
    return api::ErrorResponse(Status::InvalidArgument("index " + std::to_string(*index) +
                                                      " is not below tree_size " +
                                                      std::to_string(*tree_size)));
  }
  Result<std::vector<ledger::Hash>> proof = state.context.inventory->ProveInclusion(
      static_cast<uint64_t>(*index), static_cast<uint64_t>(*tree_size));
  if (!proof.ok()) return api::ErrorResponse(proof.status());
  return JsonText(ledger::EncodeInclusionProof({.index = static_cast<uint64_t>(*index),
                                                .tree_size = static_cast<uint64_t>(*tree_size),
                                                .hashes = std::move(*proof)}));
}

api::Response ConsistencyProof(const ApiState& state, const api::Request& request) {
  if (Status s = CheckQueryKeys(request, {"old_size", "new_size"}); !s.ok()) {
    return api::ErrorResponse(s);
  }
  const int64_t size = state.context.inventory->size();
  const Result<int64_t> old_size = Count(request, "old_size");
  if (!old_size.ok()) return api::ErrorResponse(old_size.status());
  const Result<int64_t> new_size = Count(request, "new_size", size);
  if (!new_size.ok()) return api::ErrorResponse(new_size.status());
  if (*new_size > size) return api::ErrorResponse(BeyondLog("new_size", *new_size, size));
  if (*old_size > *new_size) {
    return api::ErrorResponse(Status::InvalidArgument("old_size must not exceed new_size"));
  }
  Result<std::vector<ledger::Hash>> proof = state.context.inventory->ProveConsistency(
      static_cast<uint64_t>(*old_size), static_cast<uint64_t>(*new_size));
  if (!proof.ok()) return api::ErrorResponse(proof.status());
  return JsonText(ledger::EncodeConsistencyProof({.old_size = static_cast<uint64_t>(*old_size),
                                                  .new_size = static_cast<uint64_t>(*new_size),
                                                  .hashes = std::move(*proof)}));
}

}  // namespace

std::vector<RouteDef> LedgerRoutes() {
  return {
      {{"GET", "/v1/ledger/checkpoint", kLedgerReaders}, &Checkpoint},
      {{"GET", "/v1/ledger/entries", kLedgerReaders}, &Entries},
      {{"GET", "/v1/ledger/proof/inclusion", kLedgerReaders}, &InclusionProof},
      {{"GET", "/v1/ledger/proof/consistency", kLedgerReaders}, &ConsistencyProof},
  };
}

}  // namespace gpufleet::service::v1
