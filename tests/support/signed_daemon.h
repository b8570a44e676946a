#pragma once
// A gpufleetd that signs its inventory ledger, for the tests that check the ledger end to end:
// a fresh key made with `gpufleet ledger keygen`, and the daemon started on its own SQLite store
// with --ledger-key, --no-scheduler, an admin token file and any port.

#include <memory>
#include <string>
#include <vector>

#include "gpufleet/status.h"
#include "support/daemon_process.h"

namespace gpufleet::testing {

// Makes a ledger key named `origin` at `path` (mode 0600) and returns its verifier key.
Result<std::string> MakeLedgerKey(const std::string& path, const std::string& origin);

struct SignedDaemon {
  std::unique_ptr<DaemonProcess> daemon;
  std::string store;     // the SQLite file
  std::string key_file;  // the ledger's private key
  // " --url http://127.0.0.1:PORT --token ADMIN": what a `gpufleet` command needs to reach it.
  std::string client_flags;
};

// Starts gpufleetd on `dir`/`name`.db signing with the key at `key_file`, with `inputs` (the
// fleet: {"--fleet", FILE} or {"--demo-gpus", "N"}; nothing for a store that has one).
Result<SignedDaemon> StartSignedDaemon(const std::string& dir, const std::string& name,
                                       const std::string& key_file,
                                       const std::vector<std::string>& inputs);

// The example fleet's path, as gpufleetd's --fleet takes it.
std::string ExampleFleet();

}  // namespace gpufleet::testing
