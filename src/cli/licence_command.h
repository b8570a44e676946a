#pragma once
// `gpufleet licence record ID --holder ORG --model M ... | revoke ID [--on DATE] | list
// [--at DATE]`: licences on gpufleetd (docs/compliance.md, "Licences in the service"). Each
// record and revocation is a rule change and a ledger entry; the scheduler obeys it from its
// effective time. Exit 2 when the server refuses (an id already on file is 409).

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddLicenceCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
