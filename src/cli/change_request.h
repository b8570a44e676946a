#pragma once
// What every inventory change command shares (`gpufleet asset ...`, `gpufleet inventory
// import`): when it took effect, why, under which licence; sending changes to
// POST /v1/inventory/changes and printing each outcome, a refusal with the rules behind it.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/api_client.h"
#include "gpufleet/status.h"

namespace gpufleet::cli {

struct ChangeTiming {
  std::optional<std::string> at;  // "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]Z"; default now
  std::optional<std::string> reason;
  std::optional<std::string> licence;
};

// --at, --reason, --licence.
void AddChangeTimingOptions(CLI::App& cmd, ChangeTiming& timing);
// Sets effective_ms, reason and licence of `change` from the flags; InvalidArgument for an
// --at that is not a UTC date or time.
Status ApplyChangeTiming(const ChangeTiming& timing, nlohmann::json& change);
// Milliseconds since the epoch of "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS]Z".
Result<int64_t> ParseUtcTime(std::string_view text);

// POST /v1/inventory/changes with `changes`, each judged and recorded on its own (not atomic,
// so that a refusal comes back with its verdict): the reply, whose `results` hold the outcomes.
Result<nlohmann::json> PostChanges(ApiClient& client, const nlohmann::json& changes);

// Whether a refused outcome only says the record is already there exactly so: an import run
// twice, a `put` repeated. Nothing to do, and nothing wrong.
bool AlreadyRecordedSo(const nlohmann::json& outcome);

// Sends `changes`, each judged and recorded on its own (not atomic), and prints each outcome
// (--json: the server's reply). A refused change is an error naming it, after its verdict,
// rules and explanation are printed; one already recorded exactly so is not an error.
Status SendChanges(ApiClient& client, const ClientFlags& flags, const nlohmann::json& changes);

// An asset's history entries as table rows: index, kind, effective, recorded, what (the
// change's own fields in words), verdict, licence, actor, proof ("unverified" without --key).
nlohmann::json HistoryRows(const nlohmann::json& entries);

}  // namespace gpufleet::cli
