#include "cli/history_proofs.h"

#include "gpufleet/inventory/change.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/checkpoint.h"
#include "gpufleet/ledger/key_file.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/wire.h"

namespace gpufleet::cli {

Status VerifyHistory(ApiClient& client, const std::string& verifier_key, nlohmann::json& history) {
  Result<std::vector<ledger::NoteVerifier>> keys = ledger::ReadVerifierKeys(verifier_key);
  if (!keys.ok()) return keys.status();
  Result<std::string> note = client.GetText("/v1/ledger/checkpoint");
  if (!note.ok()) return note.status();
  Result<ledger::OpenedCheckpoint> opened = ledger::OpenCheckpoint(*note, *keys);
  if (!opened.ok()) {
    return Status::Corruption("the ledger's checkpoint does not verify: " +
                              opened.status().message());
  }
  const ledger::Checkpoint& cp = opened->checkpoint;
  for (nlohmann::json& e : history["entries"]) {
    const uint64_t index = e["index"].get<uint64_t>();
    const std::optional<std::string> bytes = ledger::Base64Decode(e["data"].get<std::string>());
    if (!bytes) return Status::Corruption("entry " + std::to_string(index) + ": bad base64");
    Result<inventory::Change> change = inventory::Decode(*bytes);
    if (!change.ok()) {
      return Status::Corruption("entry " + std::to_string(index) + ": " +
                                change.status().message());
    }
    e["change"] = inventory::ChangeToJson(*change);
    if (index >= cp.size) {
      e["proof"] = "after the latest checkpoint (" + std::to_string(cp.size) + " entries)";
      continue;
    }
    Result<std::string> text =
        client.GetText("/v1/ledger/proof/inclusion?index=" + std::to_string(index) +
                       "&tree_size=" + std::to_string(cp.size));
    if (!text.ok()) return text.status();
    Result<ledger::InclusionProofMessage> proof = ledger::DecodeInclusionProof(*text);
    if (!proof.ok()) return proof.status();
    if (Status s = ledger::VerifyInclusion(index, cp.size, ledger::LeafHash(*bytes), proof->hashes,
                                           cp.root);
        !s.ok()) {
      return Status::Corruption("entry " + std::to_string(index) +
                                " is not in the signed log: " + s.message());
    }
    e["proof"] = "verified in checkpoint of " + std::to_string(cp.size);
  }
  return Status::Ok();
}

}  // namespace gpufleet::cli
