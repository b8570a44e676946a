#pragma once
// `gpufleet ledger ...`: offline tools for the tamper-evident ledger (docs/ledger.md).
//   keygen   --out FILE --name ORIGIN     a log's (or a witness's) Ed25519 key: the private
//                                         key to FILE (mode 0600, never overwritten), the
//                                         verifier key on stdout
//   verify   --export FILE --key VKEY_OR_FILE [--saved-checkpoint FILE] [--witness-key K]...
//            [--save-checkpoint FILE] [--json]
//                                         an export file from scratch; exit 0 verified,
//                                         3 verification failed, 1 usage or I/O error
//   witness  --state FILE --key PRIVFILE --log-key VKEY_OR_FILE --checkpoint FILE
//            [--proof FILE]               cosign a checkpoint that extends the last one
//                                         cosigned; prints the cosigned note; exit 3 refused
// None of them talks to gpufleetd: they read files, so an auditor can run them anywhere.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddLedgerCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
