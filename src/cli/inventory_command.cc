// `gpufleet inventory import FLEET.yaml`: an existing inventory (the examples/fleet.yaml format)
// added to gpufleetd's living inventory as entries: its organisations and sites (ones already
// recorded exactly so are left alone), then one register per asset, sent in batches of up to
// 1,000 (each one transaction and one compliance pass on the server), two in flight.
// `gpufleet inventory export OUT.yaml`: the living inventory written back in that format,
// rebuilt by replaying the ledger's entries (after verifying the log with --key).

#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <set>
#include <string>

#include "cli/api_client.h"
#include "cli/change_request.h"
#include "cli/client_commands.h"
#include "cli/http_log_source.h"
#include "cli/json_table.h"
#include "gpufleet/catalog/catalog.h"
#include "gpufleet/inventory/change.h"
#include "gpufleet/inventory/live_inventory.h"
#include "gpufleet/ledger/key_file.h"
#include "gpufleet/ledger/verify_log.h"
#include "gpufleet/ledger/wire.h"

namespace gpufleet::cli {
namespace {

constexpr size_t kBatch = 1000;  // the server's limit per request
constexpr size_t kRefusalsShown = 20;

struct ImportFlags {
  std::string file;
  std::string catalog;
  std::string verifier_key;  // export: verify the log first
};

// The active inventory the ledger's entries leave, replayed from a running gpufleetd.
Result<inventory::Inventory> Replay(ApiClient& client, const catalog::Catalog& catalog) {
  inventory::LiveInventory live;
  // Every entry there is, not only those a checkpoint covers: the pages end where the log does.
  for (uint64_t from = 0;; from += 1000) {
    Result<std::string> page = client.GetText("/v1/ledger/entries?start=" + std::to_string(from));
    if (!page.ok()) {
      if (page.status().code() == Status::Code::kInvalidArgument) break;  // past the end
      return page.status();
    }
    Result<std::vector<ledger::LogEntry>> entries = ledger::DecodeEntries(*page);
    if (!entries.ok()) return entries.status();
    for (const ledger::LogEntry& e : *entries) {
      Result<inventory::Change> c = inventory::Decode(e.data);
      if (!c.ok()) return c.status();
      if (Status s = live.Apply(*c); !s.ok()) {
        return Status::Corruption("entry " + std::to_string(e.index) + ": " + s.message());
      }
    }
    if (entries->size() < 1000) break;
  }
  std::vector<inventory::Organisation> orgs;
  std::vector<inventory::Site> sites;
  std::vector<inventory::Asset> assets;
  for (const auto& [id, o] : live.organisations()) orgs.push_back(o);
  for (const auto& [id, s] : live.sites()) sites.push_back(s);
  std::vector<inventory::Node> nodes;
  for (const auto& [key, n] : live.nodes()) nodes.push_back(n);
  for (const auto& [serial, a] : live.assets()) {
    if (a.status == inventory::AssetStatus::kActive) assets.push_back(a.record);
  }
  return inventory::Inventory::FromRecords(std::move(orgs), std::move(sites), std::move(nodes),
                                           std::move(assets), catalog);
}

struct Tally {
  int64_t accepted = 0, unchanged = 0, refused = 0;
};

// A change as a request carries it: the encoding less what the server fills in.
nlohmann::json RequestJson(const inventory::Change& c) {
  nlohmann::json j = inventory::ChangeToJson(c);
  for (const char* key : {"v", "recorded_ms", "actor", "verdict", "rules"}) j.erase(key);
  return j;
}

// Counts a batch's outcomes, printing the first refusals.
void CountOutcomes(const nlohmann::json& reply, Tally& tally) {
  for (const nlohmann::json& o : reply["results"]) {
    if (o["status"] == "accepted") {
      ++tally.accepted;
      continue;
    }
    const nlohmann::json& c = o["change"];
    const std::string message = o["error"]["message"].get<std::string>();
    if (AlreadyRecordedSo(o)) {
      ++tally.unchanged;
      continue;
    }
    if (++tally.refused <= static_cast<int64_t>(kRefusalsShown)) {
      std::cerr << "refused: " << CellText(c["kind"]) << " "
                << CellText(c.contains("serial") ? c["serial"] : nlohmann::json("")) << ": "
                << message << '\n';
    }
  }
}

// Batches sent on two connections, two in flight, so that the server reads one while it
// records the other; their replies are counted in the order sent. A batch that must be judged
// after everything before it (the organisations and sites the registers name, a serial the
// file lists twice, whose first record must win) waits until nothing is in flight.
class BatchSender {
 public:
  explicit BatchSender(const ClientFlags& flags) : clients_{ApiClient(flags), ApiClient(flags)} {}

  Status Send(nlohmann::json batch, bool after_all_before) {
    if (after_all_before) GPUFLEET_RETURN_IF_ERROR(Drain(0));
    GPUFLEET_RETURN_IF_ERROR(Drain(1));
    ApiClient& client = clients_[next_++ % 2];
    in_flight_.push_back(std::async(
        std::launch::async, [&client, b = std::move(batch)] { return PostChanges(client, b); }));
    return Status::Ok();
  }
  // Waits for every batch in flight.
  Status Finish() { return Drain(0); }
  const Tally& tally() const { return tally_; }

 private:
  // Until at most `left` batches are in flight.
  Status Drain(size_t left) {
    while (in_flight_.size() > left) {
      Result<nlohmann::json> reply = in_flight_.front().get();
      in_flight_.pop_front();
      if (!reply.ok()) return reply.status();  // the rest are waited for as they go
      CountOutcomes(*reply, tally_);
    }
    return Status::Ok();
  }

  ApiClient clients_[2];
  size_t next_ = 0;
  std::deque<std::future<Result<nlohmann::json>>> in_flight_;
  Tally tally_;
};

Status Import(ApiClient&, const ClientFlags& client_flags, const ImportFlags& flags) {
  const std::string path = flags.catalog.empty() ? catalog::DefaultCatalogPath() : flags.catalog;
  Result<catalog::Catalog> cat = catalog::Catalog::Load(path);
  if (!cat.ok()) return cat.status();
  Result<inventory::Inventory> fleet = inventory::Inventory::Load(flags.file, *cat);
  if (!fleet.ok()) return fleet.status();
  // Places take effect when the server records them; a register at the acquisition date
  // (back-dated, with the import as its reason), or, for an asset on order, when recorded.
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::vector<inventory::Change> changes = inventory::PlaceChanges(*fleet, now, "");
  const size_t places = changes.size();  // each judged after the ones before it
  for (inventory::Change& ch :
       inventory::RegisterChanges(*fleet, now, "", "imported from " + flags.file)) {
    changes.push_back(std::move(ch));
  }
  std::set<std::string_view> seen, twice;
  for (const inventory::Change& ch : changes) {
    if (!ch.serial.empty() && !seen.insert(ch.serial).second) twice.insert(ch.serial);
  }
  BatchSender sender(client_flags);
  nlohmann::json batch = nlohmann::json::array();
  bool after_all_before = false;
  for (size_t i = 0; i < changes.size(); ++i) {
    nlohmann::json j = RequestJson(changes[i]);
    if (changes[i].effective_ms == now) j.erase("effective_ms");  // the server's now
    batch.push_back(std::move(j));
    after_all_before = after_all_before || i <= places || twice.contains(changes[i].serial);
    if (batch.size() == kBatch || i + 1 == changes.size() || i + 1 == places) {
      GPUFLEET_RETURN_IF_ERROR(sender.Send(std::move(batch), after_all_before));
      batch = nlohmann::json::array();
      after_all_before = false;
    }
  }
  GPUFLEET_RETURN_IF_ERROR(sender.Finish());
  const Tally& tally = sender.tally();
  const nlohmann::json summary = {{"file", flags.file},
                                  {"accepted", tally.accepted},
                                  {"unchanged", tally.unchanged},
                                  {"refused", tally.refused}};
  PrintReply(summary, client_flags, [&](const nlohmann::json&) {
    std::cout << "imported " << flags.file << ": " << tally.accepted << " entries recorded, "
              << tally.unchanged << " already recorded so, " << tally.refused << " refused\n";
  });
  if (tally.refused > 0) {
    return Status::FailedPrecondition(std::to_string(tally.refused) +
                                      " changes refused (listed above)");
  }
  return Status::Ok();
}

Status Export(ApiClient& c, const ClientFlags& client_flags, const ImportFlags& flags) {
  const std::string path = flags.catalog.empty() ? catalog::DefaultCatalogPath() : flags.catalog;
  Result<catalog::Catalog> cat = catalog::Catalog::Load(path);
  if (!cat.ok()) return cat.status();
  if (!flags.verifier_key.empty()) {
    Result<std::vector<ledger::NoteVerifier>> keys = ledger::ReadVerifierKeys(flags.verifier_key);
    if (!keys.ok()) return keys.status();
    HttpLogSource source(c);
    Result<ledger::LogVerification> v = ledger::VerifyLog(source, *keys);
    if (!v.ok()) return Status::Corruption("the ledger does not verify: " + v.status().message());
  }
  Result<inventory::Inventory> fleet = Replay(c, *cat);
  if (!fleet.ok()) return fleet.status();
  const std::filesystem::path parent = std::filesystem::path(flags.file).parent_path();
  std::error_code ignored;  // WriteYaml says what it cannot write
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  GPUFLEET_RETURN_IF_ERROR(fleet->WriteYaml(flags.file));
  const nlohmann::json summary = {{"file", flags.file},
                                  {"organisations", fleet->organisations().size()},
                                  {"sites", fleet->sites().size()},
                                  {"assets", fleet->assets().size()}};
  PrintReply(summary, client_flags, [&](const nlohmann::json&) {
    std::cout << "exported " << fleet->organisations().size() << " organisations, "
              << fleet->sites().size() << " sites and " << fleet->assets().size()
              << " active assets to " << flags.file << '\n';
  });
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
  import->callback(ClientCallback("inventory import", *flags, exit_code,
                                  [flags, f](ApiClient& c) { return Import(c, *flags, *f);
}));

CLI::App* exporter = inv->add_subcommand(
    "export",
    "Write the living inventory (its active assets) as fleet.yaml and the assets CSV beside "
    "it, rebuilt by replaying the ledger");
AddClientOptions(*exporter, *flags);
exporter->add_option("file", f->file, "fleet.yaml to write")->required();
exporter->add_option("--catalog", f->catalog, "accelerator catalog (default: the shipped one)");
exporter->add_option("--key", f->verifier_key,
                     "the ledger's verifier key: verify the log before trusting it");
exporter->callback(ClientCallback("inventory export", *flags, exit_code,
                                  [flags, f](ApiClient& c) { return Export(c, *flags, *f); }));
}  // namespace gpufleet::cli

}  // namespace gpufleet::cli
