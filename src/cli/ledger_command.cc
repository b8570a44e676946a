#include "cli/ledger_command.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/http_log_source.h"
#include "cli/store_log_source.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/export_file.h"
#include "gpufleet/ledger/key_file.h"
#include "gpufleet/ledger/small_file.h"
#include "gpufleet/ledger/verify_log.h"
#include "gpufleet/ledger/wire.h"
#include "gpufleet/ledger/witness.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

constexpr int kExitError = 1;    // usage, unreadable input, I/O
constexpr int kExitRefused = 3;  // the log did not verify, or the witness refused

struct KeygenFlags {
  std::string out;
  std::string name;
};

struct VerifyFlags {
  std::string export_path;
  ClientFlags client;  // --url/--token: a running gpufleetd instead of an export
  std::string store;   // --store: gpufleetd's database, offline
  std::string key;
  std::string saved_checkpoint;
  std::vector<std::string> witness_keys;
  std::string save_checkpoint;
  bool json = false;
};

struct WitnessFlags {
  std::string state;
  std::string key;
  std::string log_key;
  std::string checkpoint;
  std::string proof;
  ClientFlags client;  // --url/--token: fetch the checkpoint and the proof from gpufleetd
};

int Fail(std::string_view verb, const Status& s, int code = kExitError) {
  std::cerr << "gpufleet ledger " << verb << ": " << s.ToString() << '\n';
  return code;
}

// Corruption and refusals are findings about the log; anything else is ours or the input's.
bool IsRefusal(const Status& s) {
  return s.code() == Status::Code::kCorruption || s.code() == Status::Code::kFailedPrecondition;
}

int Keygen(const KeygenFlags& f) {
  Result<ledger::NoteKeyPair> pair = ledger::GenerateNoteKey(f.name);
  if (!pair.ok()) return Fail("keygen", pair.status());
  if (Status s = ledger::WriteSignerKeyFile(f.out, pair->signer_key); !s.ok()) {
    return Fail("keygen", s);
  }
  std::cout << pair->verifier_key << '\n';
  std::cerr << "private key written to " << f.out
            << " (mode 0600); give the verifier key above to auditors and witnesses\n";
  return 0;
}

Result<std::vector<ledger::NoteVerifier>> AllKeys(const std::vector<std::string>& args) {
  std::vector<ledger::NoteVerifier> out;
  for (const std::string& a : args) {
    Result<std::vector<ledger::NoteVerifier>> keys = ledger::ReadVerifierKeys(a);
    if (!keys.ok()) return keys.status();
    out.insert(out.end(), keys->begin(), keys->end());
  }
  return out;
}

std::string Base64Hash(const ledger::Hash& h) {
  return ledger::Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

int Verify(const VerifyFlags& f) {
  Result<std::vector<ledger::NoteVerifier>> keys = ledger::ReadVerifierKeys(f.key);
  if (!keys.ok()) return Fail("verify", keys.status());
  ledger::VerifyOptions options;
  Result<std::vector<ledger::NoteVerifier>> witnesses = AllKeys(f.witness_keys);
  if (!witnesses.ok()) return Fail("verify", witnesses.status());
  options.witnesses = std::move(*witnesses);
  if (!f.saved_checkpoint.empty()) {
    Result<std::string> saved = ledger::ReadSmallFile(f.saved_checkpoint);
    if (!saved.ok()) return Fail("verify", saved.status());
    options.saved_checkpoint = std::move(*saved);
  }
  std::unique_ptr<ledger::LogSource> source;
  ApiClient client(f.client);
  if (!f.export_path.empty()) {
    Result<std::unique_ptr<ledger::FileLogSource>> file =
        ledger::FileLogSource::Open(f.export_path);
    if (!file.ok()) return Fail("verify", file.status());
    source = std::move(*file);
  } else if (!f.store.empty()) {
    Result<std::unique_ptr<store::Store>> opened = store::OpenExistingStore(f.store);
    if (!opened.ok()) return Fail("verify", opened.status());
    source = std::make_unique<StoreLogSource>(std::move(*opened));
  } else {
    source = std::make_unique<HttpLogSource>(client);
  }
  Result<ledger::LogVerification> v = ledger::VerifyLog(*source, *keys, options);
  if (!v.ok()) {
    const int code = IsRefusal(v.status()) ? kExitRefused : kExitError;
    if (f.json && code == kExitRefused) {
      nlohmann::ordered_json j = {{"verified", false}, {"error", v.status().message()}};
      std::cout << report::DumpJson(j, 1) << '\n';
    }
    return Fail("verify",
                code == kExitRefused
                    ? Status::Corruption("verification failed: " + v.status().message())
                    : v.status(),
                code);
  }
  if (!f.save_checkpoint.empty()) {
    // The note exactly as verified, witnesses' lines included: the next run opens it again.
    Result<std::string> note = source->ReadCheckpoint();
    if (!note.ok()) return Fail("verify", note.status());
    if (Status s = ledger::ReplaceFileDurably(f.save_checkpoint, *note); !s.ok()) {
      return Fail("verify", s);
    }
  }
  const ledger::Checkpoint& c = v->checkpoint;
  if (f.json) {
    nlohmann::ordered_json j = {
        {"verified", true}, {"origin", c.origin}, {"size", c.size}, {"root", Base64Hash(c.root)}};
    if (v->saved) j["saved_size"] = v->saved->size;
    j["witnessed_by"] = v->witnessed_by;
    std::cout << report::DumpJson(j, 1) << '\n';
  } else {
    std::cout << "verified: log '" << c.origin << "', " << c.size << " entries, head "
              << Base64Hash(c.root) << '\n';
    if (v->saved) {
      std::cout << "extends the saved checkpoint of " << v->saved->size << " entries\n";
    }
    for (const std::string& w : v->witnessed_by) std::cout << "cosigned by witness " << w << '\n';
  }
  return 0;
}

// gpufleet ledger export --out FILE: a running gpufleetd's log as an export file, for auditors
// and for tools that read exports (the Go cross-check).
int Export(const ClientFlags& client_flags, const std::string& out) {
  ApiClient client(client_flags);
  HttpLogSource source(client);
  if (Status s = ledger::WriteExport(source, out); !s.ok()) return Fail("export", s);
  std::cerr << "exported to " << out << '\n';
  return 0;
}

int WitnessCosign(const WitnessFlags& f) {
  Result<ledger::NoteSigner> key = ledger::ReadSignerKeyFile(f.key);
  if (!key.ok()) return Fail("witness", key.status());
  Result<std::vector<ledger::NoteVerifier>> log_keys = ledger::ReadVerifierKeys(f.log_key);
  if (!log_keys.ok()) return Fail("witness", log_keys.status());
  if (log_keys->size() != 1) {
    return Fail("witness",
                Status::InvalidArgument("--log-key names " + std::to_string(log_keys->size()) +
                                        " keys; a witness follows one log key"));
  }
  ledger::Witness witness(f.state, std::move(*key), std::move(log_keys->front()));
  std::optional<ledger::ConsistencyProofMessage> proof;
  Result<std::string> checkpoint = Status::Ok();
  if (f.checkpoint.empty()) {
    // From the service: its latest checkpoint, and the proof from the size last cosigned.
    ApiClient client(f.client);
    checkpoint = client.GetText("/v1/ledger/checkpoint");
    if (!checkpoint.ok()) return Fail("witness", checkpoint.status());
    Result<ledger::Checkpoint> latest = ledger::UnverifiedCheckpoint(*checkpoint);
    if (!latest.ok()) return Fail("witness", latest.status(), kExitRefused);
    Result<std::optional<ledger::Checkpoint>> last = witness.Last();
    if (!last.ok()) return Fail("witness", last.status());
    if (last->has_value() && (*last)->size < latest->size) {
      Result<std::string> text =
          client.GetText("/v1/ledger/proof/consistency?old_size=" + std::to_string((*last)->size) +
                         "&new_size=" + std::to_string(latest->size));
      if (!text.ok()) return Fail("witness", text.status());
      Result<ledger::ConsistencyProofMessage> parsed = ledger::DecodeConsistencyProof(*text);
      if (!parsed.ok()) return Fail("witness", parsed.status(), kExitRefused);
      proof = std::move(*parsed);
    }
  } else {
    checkpoint = ledger::ReadSmallFile(f.checkpoint);
    if (!checkpoint.ok()) return Fail("witness", checkpoint.status());
  }
  if (!f.proof.empty()) {
    Result<std::string> text = ledger::ReadSmallFile(f.proof);
    if (!text.ok()) return Fail("witness", text.status());
    Result<ledger::ConsistencyProofMessage> parsed = ledger::DecodeConsistencyProof(*text);
    if (!parsed.ok()) return Fail("witness", parsed.status());
    proof = std::move(*parsed);
  }
  Result<std::string> cosigned = witness.Cosign(*checkpoint, proof);
  if (!cosigned.ok()) {
    const bool refused = IsRefusal(cosigned.status());
    return Fail(
        "witness",
        refused ? Status::Corruption("refused: " + cosigned.status().message()) : cosigned.status(),
        refused ? kExitRefused : kExitError);
  }
  std::cout << *cosigned;
  return 0;
}

}  // namespace

void AddLedgerCommand(CLI::App& app, int& exit_code) {
  CLI::App* ledger = app.add_subcommand(
      "ledger", "The tamper-evident inventory ledger: keys, verifying exports, witnessing");
  ledger->require_subcommand(1);

  auto k = std::make_shared<KeygenFlags>();
  CLI::App* keygen = ledger->add_subcommand(
      "keygen", "Make an Ed25519 key: private key to --out (mode 0600), verifier key on stdout");
  keygen->add_option("--out", k->out, "Private key file to create (never overwritten)")->required();
  keygen->add_option("--name", k->name, "Key name: the log's origin, or the witness's name")
      ->required();
  keygen->callback([k, &exit_code] { exit_code = Keygen(*k); });

  auto v = std::make_shared<VerifyFlags>();
  CLI::App* verify = ledger->add_subcommand(
      "verify",
      "Verify an export from scratch: signature, every entry, the tree head (exit 0 verified, "
      "3 verification failed, 1 usage or I/O error)");
  auto* from_file = verify->add_option("--export", v->export_path, "Export file (docs/ledger.md)");
  auto* from_store = verify->add_option(
      "--store", v->store, "Or verify gpufleetd's store itself, offline (SQLite file or URI)");
  from_store->excludes(from_file);
  verify->add_option("--url", v->client.url, "Or verify a running gpufleetd's ledger")
      ->envname("GPUFLEET_URL")
      ->excludes(from_file)
      ->excludes(from_store);
  verify->add_option("--token", v->client.token, "API token for --url (admin, inventory, viewer)")
      ->envname("GPUFLEET_TOKEN");
  verify->add_option("--key", v->key, "The log's verifier key, or a file of verifier keys")
      ->required();
  verify->add_option("--saved-checkpoint", v->saved_checkpoint,
                     "A signed checkpoint saved earlier: the log must extend it");
  verify->add_option("--witness-key", v->witness_keys,
                     "A witness that must have cosigned the checkpoint (key or file; repeatable)");
  verify->add_option("--save-checkpoint", v->save_checkpoint,
                     "After verifying, write the checkpoint here for the next --saved-checkpoint");
  verify->add_flag("--json", v->json, "JSON instead of text");
  verify->callback([v, &exit_code] { exit_code = Verify(*v); });

  auto e = std::make_shared<std::pair<ClientFlags, std::string>>();
  CLI::App* exporter = ledger->add_subcommand(
      "export", "Write a running gpufleetd's ledger (latest checkpoint and its entries) to a file");
  exporter->add_option("--out", e->second, "Export file to write")->required();
  exporter->add_option("--url", e->first.url, "gpufleetd's address")
      ->envname("GPUFLEET_URL")
      ->capture_default_str();
  exporter->add_option("--token", e->first.token, "API token (admin, inventory, viewer)")
      ->envname("GPUFLEET_TOKEN");
  exporter->callback([e, &exit_code] { exit_code = Export(e->first, e->second); });

  auto w = std::make_shared<WitnessFlags>();
  CLI::App* witness = ledger->add_subcommand(
      "witness",
      "Cosign a checkpoint that extends the last one this witness cosigned; prints the "
      "cosigned note (exit 3 refused: rollback, fork, rewrite or bad signature)");
  witness->add_option("--state", w->state, "The witness's state file (created on first use)")
      ->required();
  witness->add_option("--key", w->key, "The witness's private key file (mode 0600)")->required();
  witness->add_option("--log-key", w->log_key, "The log's verifier key, or a file holding it")
      ->required();
  auto* checkpoint_file =
      witness->add_option("--checkpoint", w->checkpoint, "The log's signed checkpoint (a file)");
  witness
      ->add_option("--url", w->client.url,
                   "Or fetch the checkpoint, and the consistency proof from the last size "
                   "cosigned, from a running gpufleetd")
      ->envname("GPUFLEET_URL")
      ->excludes(checkpoint_file);
  witness->add_option("--token", w->client.token, "API token for --url (admin, inventory, viewer)")
      ->envname("GPUFLEET_TOKEN");
  witness->add_option("--proof", w->proof,
                      "Consistency proof JSON from the last cosigned size to the new one "
                      "(not needed the first time or for the same size)");
  witness->callback([w, &exit_code] { exit_code = WitnessCosign(*w); });
}

}  // namespace gpufleet::cli
