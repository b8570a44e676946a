// gpufleet: the command-line front end. Thin: each subcommand lives in its own file.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/check_command.h"
#include "cli/check_transfer_command.h"
#include "cli/client_commands.h"
#include "cli/impact_command.h"
#include "cli/landmark_command.h"
#include "cli/ledger_command.h"
#include "cli/licence_command.h"
#include "cli/place_command.h"
#include "cli/plan_command.h"
#include "cli/rules_command.h"
#include "cli/simulate_command.h"
#include "gpufleet/cmdline/usage_error.h"

int main(int argc, char** argv) {
  // Named here, not after argv[0], so messages say "gpufleet check", not the path run.
  CLI::App app{
      "gpufleet: compliance-aware placement and simulation for accelerator fleets, and the "
      "client of gpufleetd",
      "gpufleet"};
  app.require_subcommand(1);
  int exit_code = 0;
  gpufleet::cli::AddSimulateCommand(app, exit_code);
  gpufleet::cli::AddCheckCommand(app, exit_code);
  gpufleet::cli::AddCheckTransferCommand(app, exit_code);
  gpufleet::cli::AddImpactCommand(app, exit_code);
  gpufleet::cli::AddRulesCommand(app, exit_code);
  gpufleet::cli::AddLicenceCommand(app, exit_code);
  gpufleet::cli::AddPlaceCommand(app, exit_code);
  gpufleet::cli::AddPlanCommand(app, exit_code);
  gpufleet::cli::AddJobCommand(app, exit_code);
  gpufleet::cli::AddTenantCommand(app, exit_code);
  gpufleet::cli::AddFleetCommand(app, exit_code);
  gpufleet::cli::AddTokenCommand(app, exit_code);
  gpufleet::cli::AddAdminCommand(app, exit_code);
  gpufleet::cli::AddAssetCommand(app, exit_code);
  gpufleet::cli::AddOrgCommand(app, exit_code);
  gpufleet::cli::AddSiteCommand(app, exit_code);
  gpufleet::cli::AddInventoryCommand(app, exit_code);
  gpufleet::cli::AddLedgerCommand(app, exit_code);
  gpufleet::cli::AddLandmarkCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return gpufleet::cmdline::ExitForParseError(app, e, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpufleet: internal error: %s\n", e.what());
    return 70;
  }
  return exit_code;
}
