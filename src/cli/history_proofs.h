#pragma once
// `gpufleet asset history SERIAL --key VKEY`: each entry of an asset's chain of custody checked
// against the ledger's latest signed checkpoint: the checkpoint's signature by the log's key,
// and an inclusion proof for each entry's bytes (RFC 9162), so the history shown is what the
// signed log holds, whatever the server says besides. The change shown is decoded from the
// verified bytes.

#include <nlohmann/json.hpp>
#include <string>

#include "cli/api_client.h"
#include "gpufleet/status.h"

namespace gpufleet::cli {

// Adds to each entry of `history` (GET /v1/assets/{serial}/history) a "proof" field:
// "verified in checkpoint of N" or "after the latest checkpoint (N entries)", and replaces its
// "change" with the one its verified bytes encode. Corruption when the checkpoint's signature,
// an entry's bytes or a proof does not verify; the key's and the server's errors otherwise.
Status VerifyHistory(ApiClient& client, const std::string& verifier_key, nlohmann::json& history);

}  // namespace gpufleet::cli
