// `gpufleet admin rotate-token`: replaces the initial admin token on the store itself. Whoever
// can open the store can read every tenant's data anyway, so that access is what authorises a
// new admin token when the old one is lost, leaked or revoked.
// `gpufleet admin clock show|advance DURATION`: the service's time, and moving a paused simulated
// clock (gpufleetd --sim-speed 0) across effective dates in tests and demos (through the API,
// with an admin token).

#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/api_client.h"
#include "cli/client_commands.h"
#include "gpufleet/service/admin_token.h"
#include "gpufleet/service/clock.h"
#include "gpufleet/store/store.h"

namespace gpufleet::cli {
namespace {

struct RotateFlags {
  std::string store;
  std::string token_file;
};

int Rotate(const RotateFlags& flags) {
  const std::string name = store::RedactedLocation(flags.store);
  ::umask(077);  // the token file, and SQLite's -wal and -shm if this creates them
  // Opening a path that is not there would create an empty store with an admin token for a
  // service that never uses it: a typo must fail instead.
  Result<std::unique_ptr<store::Store>> opened = store::OpenExistingStore(flags.store);
  if (!opened.ok()) {
    std::cerr << "gpufleet admin rotate-token: store '" << name
              << "': " << opened.status().ToString() << '\n';
    return 1;
  }
  Result<std::string> token = service::RotateAdminToken(**opened, service::SystemClock().NowMs());
  if (!token.ok()) {
    std::cerr << "gpufleet admin rotate-token: " << token.status().ToString() << '\n';
    return 1;
  }
  if (flags.token_file.empty()) {
    std::cout << *token << '\n';
    return 0;
  }
  if (Status s = service::WriteSecretFile(flags.token_file, *token); !s.ok()) {
    // The new token is stored and the old one revoked: losing the new one here would lock the
    // admin out, so it is printed rather than lost.
    std::cerr << "gpufleet admin rotate-token: " << s.ToString() << "; the new token is:\n";
    std::cout << *token << '\n';
    return 1;
  }
  std::cout << "new admin token written to " << flags.token_file
            << " (mode 0600); the old one is refused within a second\n";
  return 0;
}

void PrintClock(const nlohmann::json& reply) {
  std::cout << "now " << reply["now"].get<std::string>() << " ("
            << reply["clock"].get<std::string>() << ")\n";
}

}  // namespace

void AddAdminCommand(CLI::App& app, int& exit_code) {
  CLI::App* admin = app.add_subcommand(
      "admin", "Operate gpufleetd: replace the admin token on its store, show or move its clock");
  admin->require_subcommand(1);
  auto flags = std::make_shared<RotateFlags>();
  CLI::App* rotate = admin->add_subcommand(
      "rotate-token",
      "Replace the admin token: the old one is revoked, a new one printed or written once");
  rotate
      ->add_option("--store", flags->store, "gpufleetd's --store: SQLite file or postgresql://...")
      ->required();
  rotate->add_option("--token-file", flags->token_file,
                     "write the new token here (mode 0600) instead of printing it");
  rotate->callback([flags, &exit_code] { exit_code = Rotate(*flags); });

  CLI::App* clock = admin->add_subcommand(
      "clock", "gpufleetd's time: show it, or move a paused one (gpufleetd --sim-speed 0)");
  clock->require_subcommand(1);
  auto client = std::make_shared<ClientFlags>();
  CLI::App* show = clock->add_subcommand("show", "What time gpufleetd thinks it is");
  AddClientOptions(*show, *client);
  show->callback(ClientCallback("admin clock show", *client, exit_code, [client](ApiClient& c) {
    Result<nlohmann::json> reply = c.Get("/v1/admin/clock");
    if (!reply.ok()) return reply.status();
    PrintReply(*reply, *client, PrintClock);
    return Status::Ok();
  }));
  auto by = std::make_shared<std::string>();
  CLI::App* advance = clock->add_subcommand(
      "advance",
      "Move the paused clock forward (\"90s\", \"36h\", \"2d\"); the scheduler then "
      "acts at the new time");
  AddClientOptions(*advance, *client);
  advance->add_option("duration", *by, "how far: a whole number and ms, s, m, h or d")->required();
  advance->callback(
      ClientCallback("admin clock advance", *client, exit_code, [client, by](ApiClient& c) {
        Result<nlohmann::json> reply = c.Post("/v1/admin/clock/advance", {{"by", *by}});
        if (!reply.ok()) return reply.status();
        PrintReply(*reply, *client, PrintClock);
        return Status::Ok();
      }));
}

}  // namespace gpufleet::cli
