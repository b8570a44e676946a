#pragma once
// Logs for the ledger tests: a signer for a name, and a MemoryLog of seeded random entries
// (binary bytes, empty entries included) so every failure can be replayed from its seed.

#include <gtest/gtest.h>

#include <string>

#include "gpufleet/ledger/memory_log.h"
#include "gpufleet/ledger/note_key.h"
#include "gpufleet/model/rng.h"

namespace gpufleet::ledger::testing {

// A fresh key named `name`. Fails the test (and aborts it) if OpenSSL cannot make one.
inline NoteSigner NewSigner(const std::string& name) {
  Result<NoteKeyPair> pair = GenerateNoteKey(name);
  if (!pair.ok()) ADD_FAILURE() << pair.status().ToString();
  Result<NoteSigner> signer = NoteSigner::Parse(pair->signer_key);
  if (!signer.ok()) ADD_FAILURE() << signer.status().ToString();
  return std::move(*signer);
}

// Entry `i` of the seeded stream: its index first (so entries differ), then 0 to 60 random
// bytes, every eleventh entry empty.
inline std::string RandomEntry(Rng& rng, uint64_t i) {
  if (i % 11 == 10) return "";
  std::string e = "entry " + std::to_string(i) + ":";
  const uint64_t extra = rng.Uniform(61);
  for (uint64_t j = 0; j < extra; ++j) e += static_cast<char>(rng.Uniform(256));
  return e;
}

// A log of `n` entries from `seed`, signed by `key`.
inline MemoryLog RandomLog(NoteSigner key, uint64_t n, uint64_t seed) {
  MemoryLog log(std::move(key));
  Rng rng(seed);
  for (uint64_t i = 0; i < n; ++i) log.Append(RandomEntry(rng, i));
  return log;
}

}  // namespace gpufleet::ledger::testing
