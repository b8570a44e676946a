#pragma once
// The client side of gpufleetd (docs/service.md): `gpufleet job submit|get|list|cancel|complete`,
// `gpufleet tenant list|get|put|quotas|quota|token`, `gpufleet fleet models|sites|nodes|events`,
// `gpufleet token ...`.
// Tables by default, the server's JSON with --json. Exit status 0 on success, 2 when the server
// refused the request (4xx: bad input, unknown id, no permission), 1 when it could not be
// reached or failed.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddJobCommand(CLI::App& app, int& exit_code);
void AddTenantCommand(CLI::App& app, int& exit_code);
// `gpufleet fleet findings|finding get|acknowledge|resolve|release|reconcile` under `fleet`
// (docs/findings.md).
void AddFindingCommands(CLI::App& fleet, int& exit_code);
void AddFleetCommand(CLI::App& app, int& exit_code);
// `gpufleet token create|list|get|revoke|whoami` (docs/service.md, "Token lifecycle").
void AddTokenCommand(CLI::App& app, int& exit_code);
// `gpufleet admin rotate-token --store LOCATION`: works on the store itself, not through the
// API, so that a lost or revoked admin token can be replaced.
void AddAdminCommand(CLI::App& app, int& exit_code);
// `gpufleet asset list|get|history|register|move|transfer|lease-start|lease-end|retire|lost|
// correct` and `gpufleet org list|get|put` (docs/service.md, "Inventory").
void AddAssetCommand(CLI::App& app, int& exit_code);
void AddOrgCommand(CLI::App& app, int& exit_code);
// `gpufleet site list|get|put`; `org put` defines an organisation the same way.
void AddSiteCommand(CLI::App& app, int& exit_code);
// `gpufleet inventory import FLEET.yaml`.
void AddInventoryCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
