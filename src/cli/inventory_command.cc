// `gpufleet inventory import FLEET.yaml`: an existing inventory (the examples/fleet.yaml format)
// added to gpufleetd's living inventory as entries: its organisations and sites (ones already
// recorded exactly so are left alone), then one register per asset, sent in batches of up to
// 1,000 (each one transaction and one compliance pass on the server).

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/api_client.h"
#include "cli/client_commands.h"
#include "cli/json_table.h"
#include "gpufleet/catalog/catalog.h"
#include "gpufleet/inventory/change.h"
#include "gpufleet/inventory/live_inventory.h"

namespace gpufleet::cli {
namespace {

constexpr size_t kBatch = 1000;  // the server's limit per request
constexpr size_t kRefusalsShown = 20;

struct ImportFlags {
  std::string file;
  std::string catalog;
};

struct Tally {
  int64_t accepted = 0, unchanged = 0, refused = 0;
};

// A change as a request carries it: the encoding less what the server fills in.
nlohmann::json RequestJson(const inventory::Change& c) {
  nlohmann::json j = inventory::ChangeToJson(c);
  for (const char* key : {"v", "recorded_ms", "actor", "verdict", "rules"}) j.erase(key);
  return j;
}

Status SendBatch(ApiClient& client, const nlohmann::json& changes, Tally& tally) {
  Result<nlohmann::json> r =
      client.Post("/v1/inventory/changes", {{"changes", changes}, {"atomic", false}});
  if (!r.ok()) return r.status();
  for (const nlohmann::json& o : (*r)["results"]) {
    if (o["status"] == "accepted") {
      ++tally.accepted;
      continue;
    }
    const nlohmann::json& c = o["change"];
    // Recorded exactly so already (an import run twice): nothing to add.
    const std::string message = o["error"]["message"].get<std::string>();
    if (o["error"]["code"] == "already_exists" && message.ends_with(" so")) {
      ++tally.unchanged;
      continue;
    }
    if (++tally.refused <= static_cast<int64_t>(kRefusalsShown)) {
      std::cerr << "refused: " << CellText(c["kind"]) << " "
                << CellText(c.contains("serial") ? c["serial"] : nlohmann::json("")) << ": "
                << message << '\n';
    }
  }
  return Status::Ok();
}

}  // namespace

void AddInventoryCommand(CLI::App& app, int& exit_code) {
  CLI::App* inv = app.add_subcommand("inventory", "Bulk work on gpufleetd's living inventory");
  inv->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();
  auto f = std::make_shared<ImportFlags>();
  CLI::App* import = inv->add_subcommand(
      "import", "Add a fleet file's organisations, sites and assets as ledger entries");
  AddClientOptions(*import, *flags);
  import->add_option("file", f->file, "fleet.yaml (the examples/fleet.yaml format)")->required();
  import->add_option("--catalog", f->catalog, "accelerator catalog (default: the shipped one)");
  import->callback(ClientCallback("inventory import", *flags, exit_code, [flags, f](ApiClient& c) {
    const std::string path = f->catalog.empty() ? catalog::DefaultCatalogPath() : f->catalog;
  Result<catalog::Catalog> cat = catalog::Catalog::Load(path);
  if (!cat.ok()) return cat.status();
  Result<inventory::Inventory> fleet = inventory::Inventory::Load(f->file, *cat);
  if (!fleet.ok()) return fleet.status();
  // Places take effect when the server records them; a register at the acquisition date
  // (back-dated, with the import as its reason), or, for an asset on order, when recorded.
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::vector<inventory::Change> changes = inventory::PlaceChanges(*fleet, now, "");
  for (inventory::Change& ch :
       inventory::RegisterChanges(*fleet, now, "", "imported from " + f->file)) {
    changes.push_back(std::move(ch));
  }
  Tally tally;
  nlohmann::json batch = nlohmann::json::array();
  for (size_t i = 0; i < changes.size(); ++i) {
    nlohmann::json j = RequestJson(changes[i]);
    if (changes[i].effective_ms == now) j.erase("effective_ms");  // the server's now
    batch.push_back(std::move(j));
    if (batch.size() == kBatch || i + 1 == changes.size()) {
      GPUFLEET_RETURN_IF_ERROR(SendBatch(c, batch, tally));
      batch = nlohmann::json::array();
    }
  }
  const nlohmann::json summary = {{"file", f->file},
                                  {"accepted", tally.accepted},
                                  {"unchanged", tally.unchanged},
                                  {"refused", tally.refused}};
  PrintReply(summary, *flags, [&](const nlohmann::json&) {
    std::cout << "imported " << f->file << ": " << tally.accepted << " entries recorded, "
              << tally.unchanged << " already recorded so, " << tally.refused << " refused\n";
  });
  if (tally.refused > 0) {
    return Status::FailedPrecondition(std::to_string(tally.refused) +
                                      " changes refused (listed above)");
  }
  return Status::Ok();
}));
}  // namespace gpufleet::cli

}  // namespace gpufleet::cli
