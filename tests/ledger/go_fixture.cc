// The C++ half of the cross-check against Go (go_cross_check.sh, docs/ledger.md "Checked
// against Go"). Two modes:
//
//   go_fixture generate DIR
//     makes a log of 1,000 seeded entries with the C++ ledger and writes what its endpoints
//     and tools would hand out: log.vkey, witness.vkey, log.export (its checkpoint cosigned by
//     a Witness), cp-N.note at several sizes, incl-I-N.json and cons-M-N.json proofs, and
//     files.txt listing the ledger-verify-go flags for all of them.
//
//   go_fixture check-go-note PREFIX TEXT
//     reads PREFIX.skey, PREFIX.vkey and PREFIX.note written by Go's note package (notesign)
//     for the text in TEXT, and checks that the C++ ledger parses both keys, opens Go's note,
//     and signs TEXT into exactly Go's bytes.
//
// Exit 0 on success, 1 with a message otherwise.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "gpufleet/ledger/export_file.h"
#include "gpufleet/ledger/memory_log.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/ledger/note.h"
#include "gpufleet/ledger/small_file.h"
#include "gpufleet/ledger/wire.h"
#include "gpufleet/ledger/witness.h"
#include "gpufleet/model/rng.h"

namespace gpufleet::ledger {
namespace {

constexpr uint64_t kEntries = 1000;
constexpr uint64_t kSeed = 16;
// Sizes around powers of two, where the proofs change shape.
const std::vector<uint64_t> kSizes = {1, 2, 3, 7, 8, 9, 300, 512, 513, 999, 1000};

int Fail(const std::string& what) {
  std::cerr << "go_fixture: " << what << '\n';
  return 1;
}

bool Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

Result<NoteSigner> NewKey(const std::string& name, std::string& verifier_key) {
  Result<NoteKeyPair> pair = GenerateNoteKey(name);
  if (!pair.ok()) return pair.status();
  verifier_key = pair->verifier_key;
  return NoteSigner::Parse(pair->signer_key);
}

int Generate(const std::string& dir) {
  std::string log_vkey, witness_vkey;
  Result<NoteSigner> log_key = NewKey("fleet.example/ledger", log_vkey);
  Result<NoteSigner> witness_key = NewKey("witness.example", witness_vkey);
  if (!log_key.ok() || !witness_key.ok()) return Fail("key generation failed");
  MemoryLog log(std::move(*log_key));
  Rng rng(kSeed);
  for (uint64_t i = 0; i < kEntries; ++i) {
    // Canonical-JSON-like entries of varying length, some empty, some with bytes >= 0x80.
    std::string e = i % 97 == 0 ? "" : "{\"i\":" + std::to_string(i) + ",\"x\":\"";
    for (uint64_t n = rng.Uniform(40); n > 0; --n) e += static_cast<char>(32 + rng.Uniform(224));
    log.Append(std::move(e));
  }
  if (!Write(dir + "/log.vkey", log_vkey + "\n") ||
      !Write(dir + "/witness.vkey", witness_vkey + "\n")) {
    return Fail("cannot write keys to " + dir);
  }
  std::string flags = "-key " + dir + "/log.vkey";

  // The export's checkpoint goes through a Witness, as a witnessed log's would.
  Witness witness(dir + "/witness.state", std::move(*witness_key), log.verifier());
  Result<std::string> first = witness.Cosign(log.SignedCheckpoint(300).value(), std::nullopt);
  Result<std::vector<Hash>> proof = ConsistencyProof(300, kEntries, log.hashes());
  if (!first.ok() || !proof.ok()) return Fail("witness setup failed");
  Result<std::string> cosigned = witness.Cosign(log.SignedCheckpoint(kEntries).value(),
                                                ConsistencyProofMessage{300, kEntries, *proof});
  if (!cosigned.ok()) return Fail("witness refused: " + cosigned.status().ToString());
  Result<std::unique_ptr<ExportWriter>> writer =
      ExportWriter::Create(dir + "/log.export", *cosigned);
  if (!writer.ok()) return Fail(writer.status().ToString());
  for (const std::string& e : log.entries()) {
    if (!(*writer)->Append(e).ok()) return Fail("export write failed");
  }
  if (!(*writer)->Finish().ok()) return Fail("export write failed");
  flags += " -export " + dir + "/log.export";

  for (const uint64_t size : kSizes) {
    const std::string path = dir + "/cp-" + std::to_string(size) + ".note";
    Result<std::string> note = log.SignedCheckpoint(size);
    if (!note.ok() || !Write(path, *note)) return Fail("cannot write " + path);
    flags += " -checkpoint " + path;
  }
  for (const uint64_t size : kSizes) {
    for (const uint64_t index : {uint64_t{0}, size / 2, size - 1}) {
      const std::string path =
          dir + "/incl-" + std::to_string(index) + "-" + std::to_string(size) + ".json";
      Result<std::vector<Hash>> path_hashes = InclusionProof(index, size, log.hashes());
      if (!path_hashes.ok() ||
          !Write(path, EncodeInclusionProof({index, size, std::move(*path_hashes)}))) {
        return Fail("cannot write " + path);
      }
      flags += " -inclusion " + path;
    }
  }
  for (size_t a = 0; a < kSizes.size(); ++a) {
    for (size_t b = a; b < kSizes.size(); ++b) {
      const uint64_t old_size = kSizes[a], new_size = kSizes[b];
      const std::string path =
          dir + "/cons-" + std::to_string(old_size) + "-" + std::to_string(new_size) + ".json";
      Result<std::vector<Hash>> hashes = ConsistencyProof(old_size, new_size, log.hashes());
      if (!hashes.ok() ||
          !Write(path, EncodeConsistencyProof({old_size, new_size, std::move(*hashes)}))) {
        return Fail("cannot write " + path);
      }
      flags += " -consistency " + path;
    }
  }
  if (!Write(dir + "/files.txt", flags + "\n")) return Fail("cannot write files.txt");
  return 0;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

int CheckGoNote(const std::string& prefix, const std::string& text_path) {
  Result<std::string> skey = ReadSmallFile(prefix + ".skey");
  Result<std::string> vkey = ReadSmallFile(prefix + ".vkey");
  Result<std::string> go_note = ReadSmallFile(prefix + ".note");
  Result<std::string> text = ReadSmallFile(text_path);
  if (!skey.ok() || !vkey.ok() || !go_note.ok() || !text.ok()) return Fail("cannot read inputs");
  Result<NoteSigner> signer = NoteSigner::Parse(FirstLine(*skey));
  if (!signer.ok()) return Fail("Go's signer key: " + signer.status().ToString());
  Result<NoteVerifier> verifier = NoteVerifier::Parse(FirstLine(*vkey));
  if (!verifier.ok()) return Fail("Go's verifier key: " + verifier.status().ToString());
  if (signer->verifier().ToString() != verifier->ToString()) {
    return Fail("the public key derived from Go's private key is not Go's verifier key");
  }
  Result<Note> opened = OpenNote(*go_note, std::span<const NoteVerifier>(&*verifier, 1));
  if (!opened.ok()) return Fail("Go's note does not open: " + opened.status().ToString());
  if (opened->text != *text) return Fail("Go's note holds another text");
  Result<std::string> mine = SignNote(*text, *signer);
  if (!mine.ok()) return Fail("signing failed: " + mine.status().ToString());
  if (*mine != *go_note) {
    return Fail("C++ signed the text into other bytes than Go:\n" + *mine + "---\n" + *go_note);
  }
  std::cout << "ok: Go's keys parse, Go's note opens, and C++ signs the same bytes\n";
  return 0;
}

}  // namespace
}  // namespace gpufleet::ledger

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "generate") return gpufleet::ledger::Generate(args[1]);
  if (args.size() == 3 && args[0] == "check-go-note") {
    return gpufleet::ledger::CheckGoNote(args[1], args[2]);
  }
  std::cerr << "usage: go_fixture generate DIR | go_fixture check-go-note PREFIX TEXT\n";
  return 2;
}
