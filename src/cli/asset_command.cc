// `gpufleet asset ...` and `gpufleet org ...`: the living inventory on gpufleetd (docs/service.md,
// "Inventory"). Each change is one request to POST /v1/inventory/changes; a refusal prints the
// server's reason and, when the rules refused it, the verdict, the deciding rules and the
// explanation.

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/api_client.h"
#include "cli/change_request.h"
#include "cli/client_commands.h"
#include "cli/history_proofs.h"
#include "cli/json_table.h"

namespace gpufleet::cli {
namespace {

struct AssetFlags {
  std::string serial;
  ChangeTiming timing;
  // list
  std::optional<std::string> list_site, status, after;
  int limit = 100;
  // register / correct
  std::string model, site, node, owner, operator_org, holding = "owned", acquired, arrival,
                                                      from_country;
  std::optional<double> memory_gb, tpp, dram_bw_gbs;
  int64_t entry = -1;
  // move / transfer / lease / lost
  std::string how = "lost";
  // history
  std::string verifier_key;
};

const std::vector<std::string> kAssetColumns = {"serial", "model",    "site",    "node",
                                                "owner",  "operator", "holding", "status"};

// The asset record of a register, from the flags.
nlohmann::json RecordFrom(const AssetFlags& f) {
  nlohmann::json a = {
      {"serial", f.serial},   {"model", f.model},
      {"site", f.site},       {"node", f.node},
      {"owner", f.owner},     {"operator", f.operator_org.empty() ? f.owner : f.operator_org},
      {"holding", f.holding}, {"acquired", f.acquired},
      {"arrival", f.arrival}, {"from_country", f.from_country}};
  if (f.memory_gb) a["declared_memory_gb"] = *f.memory_gb;
  if (f.tpp) a["declared_tpp"] = *f.tpp;
  if (f.dram_bw_gbs) a["declared_dram_bw_gbs"] = *f.dram_bw_gbs;
  return a;
}

// One subcommand that sends one change built by `build` from the flags.
template <typename Build>
void AddChange(CLI::App& asset, const std::string& name, const std::string& help,
               std::shared_ptr<ClientFlags> flags, std::shared_ptr<AssetFlags> f, int& exit_code,
               Build build, const std::function<void(CLI::App&)>& options = {}) {
  CLI::App* cmd = asset.add_subcommand(name, help);
  AddClientOptions(*cmd, *flags);
  AddChangeTimingOptions(*cmd, f->timing);
  cmd->add_option("serial", f->serial, "the asset's serial")->required();
  if (options) options(*cmd);
  cmd->callback(ClientCallback("asset " + name, *flags, exit_code, [flags, f, build](ApiClient& c) {
    Result<nlohmann::json> change = build(c, *f);
    if (!change.ok()) return change.status();
    (*change)["serial"] = f->serial;
    Status timed = ApplyChangeTiming(f->timing, *change);
    if (!timed.ok()) return timed;
    return SendChanges(c, *flags, nlohmann::json::array({*change}));
  }));
}

}  // namespace

void AddAssetCommand(CLI::App& app, int& exit_code) {
  CLI::App* asset = app.add_subcommand(
      "asset", "The living inventory's accelerators: list, show, history and every change");
  asset->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();
  auto f = std::make_shared<AssetFlags>();

  CLI::App* list = asset->add_subcommand("list", "List assets by serial (a tenant: its own)");
  AddClientOptions(*list, *flags);
  list->add_option("--site", f->list_site, "only at this site");
  list->add_option("--status", f->status, "active, retired or lost");
  list->add_option("--after", f->after, "serials after this one (paging)");
  list->add_option("--limit", f->limit, "at most this many (1..1000)")->capture_default_str();
  list->callback(ClientCallback("asset list", *flags, exit_code, [flags, f](ApiClient& c) {
    std::vector<std::pair<std::string, std::string>> query = {{"limit", std::to_string(f->limit)}};
    if (f->list_site) query.emplace_back("site", *f->list_site);
    if (f->status) query.emplace_back("status", *f->status);
    if (f->after) query.emplace_back("after", *f->after);
    Result<nlohmann::json> r = c.Get("/v1/assets", query);
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(j["assets"], kAssetColumns, std::cout);
      if (!j["next_after"].is_null()) {
        std::cout << "more: --after " << CellText(j["next_after"]) << '\n';
      }
    });
    return Status::Ok();
  }));

  CLI::App* get = asset->add_subcommand("get", "Show one asset");
  AddClientOptions(*get, *flags);
  get->add_option("serial", f->serial, "the asset's serial")->required();
  get->callback(ClientCallback("asset get", *flags, exit_code, [flags, f](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/assets/" + PathEscape(f->serial));
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));

  CLI::App* history = asset->add_subcommand("history", "An asset's chain of custody");
  AddClientOptions(*history, *flags);
  history->add_option("serial", f->serial, "the asset's serial")->required();
  history->add_option("--key", f->verifier_key,
                      "the ledger's verifier key (or a file of keys): check every entry's "
                      "inclusion proof against the latest signed checkpoint");
  history->callback(ClientCallback("asset history", *flags, exit_code, [flags, f](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/assets/" + PathEscape(f->serial) + "/history");
    if (!r.ok()) return r.status();
    if (!f->verifier_key.empty()) GPUFLEET_RETURN_IF_ERROR(VerifyHistory(c, f->verifier_key, *r));
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(HistoryRows(j["entries"]),
                     {"index", "kind", "effective", "what", "verdict", "licence", "actor", "proof"},
                     std::cout);
    });
    return Status::Ok();
  }));

  AddChange(
      *asset, "register", "Record an arrival: the board, its papers and its route", flags, f,
      exit_code,
      [](ApiClient&, const AssetFlags& a) -> Result<nlohmann::json> {
        return nlohmann::json{{"kind", "register"}, {"asset", RecordFrom(a)}};
      },
      [f](CLI::App& cmd) {
        cmd.add_option("--model", f->model, "catalog id or alias (H20, ...)")->required();
        cmd.add_option("--site", f->site, "where it is")->required();
        cmd.add_option("--owner", f->owner, "the legal owner (organisation id)")->required();
        cmd.add_option("--operator", f->operator_org, "who runs it (default: the owner)");
        cmd.add_option("--holding", f->holding, "owned, leased or rented_remote")
            ->capture_default_str();
        cmd.add_option("--acquired", f->acquired, "acquisition date, YYYY-MM-DD")->required();
        cmd.add_option("--arrival", f->arrival, "export, reexport or in_country_transfer")
            ->required();
        cmd.add_option("--from", f->from_country, "country it was shipped from (ISO alpha-2)");
        cmd.add_option("--node", f->node, "host or rack slot");
        cmd.add_option("--declared-memory-gb", f->memory_gb, "memory on the papers");
        cmd.add_option("--declared-tpp", f->tpp, "TPP on the papers");
        cmd.add_option("--declared-dram-bw-gbs", f->dram_bw_gbs, "memory bandwidth on the papers");
      });
  AddChange(
      *asset, "move", "Move it to another site", flags, f, exit_code,
      [](ApiClient&, const AssetFlags& a) -> Result<nlohmann::json> {
        nlohmann::json c = {{"kind", "move"}, {"site", a.site}};
        if (!a.node.empty()) c["node"] = a.node;
        return c;
      },
      [f](CLI::App& cmd) {
        cmd.add_option("--site", f->site, "the new site")->required();
        cmd.add_option("--node", f->node, "the new host or rack slot");
      });
  AddChange(
      *asset, "transfer", "Sell or hand it to another organisation", flags, f, exit_code,
      [](ApiClient&, const AssetFlags& a) -> Result<nlohmann::json> {
        nlohmann::json c = {{"kind", "transfer"}, {"owner", a.owner}};
        if (!a.operator_org.empty()) c["operator"] = a.operator_org;
        return c;
      },
      [f](CLI::App& cmd) {
        cmd.add_option("--owner", f->owner, "the new owner")->required();
        cmd.add_option("--operator", f->operator_org, "who runs it (default: the new owner)");
      });
  AddChange(
      *asset, "lease-start", "Lease it out, or start renting it remotely", flags, f, exit_code,
      [](ApiClient&, const AssetFlags& a) -> Result<nlohmann::json> {
        return nlohmann::json{
            {"kind", "lease_start"}, {"operator", a.operator_org}, {"holding", a.holding}};
      },
      [f](CLI::App& cmd) {
        cmd.add_option("--operator", f->operator_org, "who runs it now")->required();
        cmd.add_option("--holding", f->holding, "leased or rented_remote")->required();
      });
  AddChange(*asset, "lease-end", "End its lease: back to its owner", flags, f, exit_code,
            [](ApiClient&, const AssetFlags&) -> Result<nlohmann::json> {
              return nlohmann::json{{"kind", "lease_end"}};
            });
  AddChange(*asset, "retire", "Take it out of service for good", flags, f, exit_code,
            [](ApiClient&, const AssetFlags&) -> Result<nlohmann::json> {
              return nlohmann::json{{"kind", "retire"}};
            });
  AddChange(
      *asset, "lost", "Report it lost or stolen", flags, f, exit_code,
      [](ApiClient&, const AssetFlags& a) -> Result<nlohmann::json> {
        return nlohmann::json{{"kind", "lost"}, {"how", a.how}};
      },
      [f](CLI::App& cmd) {
        cmd.add_option("--how", f->how, "lost or stolen")->capture_default_str();
      });
  AddChange(
      *asset, "correct",
      "Correct what an entry recorded wrongly (model, node, acquisition, route, papers): a new "
      "entry naming the one it corrects",
      flags, f, exit_code,
      [](ApiClient& c, const AssetFlags& a) -> Result<nlohmann::json> {
        // The record as it should have been: the current one with the flags given.
        Result<nlohmann::json> now = c.Get("/v1/assets/" + PathEscape(a.serial));
        if (!now.ok()) return now.status();
        nlohmann::json record = *now;
        for (const char* key : {"status", "lost_how", "last_entry", "last_effective"}) {
          record.erase(key);
        }
        for (const auto& [key, value] :
             {std::pair{"model", &a.model}, std::pair{"node", &a.node},
              std::pair{"acquired", &a.acquired}, std::pair{"arrival", &a.arrival},
              std::pair{"from_country", &a.from_country}}) {
          if (!value->empty()) record[key] = *value;
        }
        if (a.memory_gb) record["declared_memory_gb"] = *a.memory_gb;
        if (a.tpp) record["declared_tpp"] = *a.tpp;
        if (a.dram_bw_gbs) record["declared_dram_bw_gbs"] = *a.dram_bw_gbs;
        return nlohmann::json{{"kind", "correct"}, {"corrects", a.entry}, {"asset", record}};
      },
      [f](CLI::App& cmd) {
        cmd.add_option("--entry", f->entry, "the ledger index of the entry corrected")->required();
        cmd.add_option("--model", f->model, "the model it really is");
        cmd.add_option("--node", f->node, "the host or rack slot it really has");
        cmd.add_option("--acquired", f->acquired, "the real acquisition date");
        cmd.add_option("--arrival", f->arrival, "the real route");
        cmd.add_option("--from", f->from_country, "the real country of shipment");
        cmd.add_option("--declared-memory-gb", f->memory_gb, "memory on the papers");
        cmd.add_option("--declared-tpp", f->tpp, "TPP on the papers");
        cmd.add_option("--declared-dram-bw-gbs", f->dram_bw_gbs, "memory bandwidth on the papers");
      });
}

namespace {

struct PlaceFlags {
  std::string id, name, kind, parent, hq_country;              // org
  std::string country, region, provider, ownership = "owned";  // site
  bool state_funded = false, public_hub = false;
  std::optional<double> completion, lat, lon;
  ChangeTiming timing;
};

// `put` for an organisation or a site: one change defining or replacing its record.
void AddPut(CLI::App& parent, const std::string& noun, std::shared_ptr<ClientFlags> flags,
            std::shared_ptr<PlaceFlags> p, int& exit_code) {
  CLI::App* put = parent.add_subcommand(
      "put", "Define the " + noun + ", or replace its record (a new ledger entry)");
  AddClientOptions(*put, *flags);
  AddChangeTimingOptions(*put, p->timing);
  put->add_option("id", p->id, "its id (lower-case letters, digits, '-')")->required();
  put->add_option("--name", p->name, "its name")->required();
  if (noun == "organisation") {
    put->add_option("--kind", p->kind, "company, subsidiary, external_customer or counterparty")
        ->required();
    put->add_option("--hq", p->hq_country, "headquarters country (ISO alpha-2)")->required();
    put->add_option("--parent", p->parent, "the organisation that controls it");
  } else {
    put->add_option("--country", p->country, "ISO alpha-2 (Hong Kong is HK)")->required();
    put->add_option("--ownership", p->ownership, "owned, leased or rented")->capture_default_str();
    put->add_option("--region", p->region, "province, state or city");
    put->add_option("--provider", p->provider, "who runs the facility (required when rented)");
    put->add_flag("--state-funded", p->state_funded, "a state-funded project");
    put->add_flag("--public-hub", p->public_hub, "a public computing hub");
    put->add_option("--completion", p->completion, "project completion, percent");
    put->add_option("--lat", p->lat, "latitude, degrees (with --lon)");
    put->add_option("--lon", p->lon, "longitude, degrees (with --lat)");
  }
  put->callback(ClientCallback(noun + " put", *flags, exit_code, [flags, p, noun](ApiClient& c) {
    nlohmann::json change;
    if (noun == "organisation") {
      change = {{"kind", "org"},
                {"organisation",
                 {{"id", p->id},
                  {"name", p->name},
                  {"kind", p->kind},
                  {"parent", p->parent},
                  {"hq_country", p->hq_country}}}};
    } else {
      nlohmann::json place = {{"id", p->id},
                              {"name", p->name},
                              {"country", p->country},
                              {"region", p->region},
                              {"provider", p->provider},
                              {"ownership", p->ownership},
                              {"state_funded", p->state_funded},
                              {"public_hub", p->public_hub}};
      if (p->completion) place["project_completion_pct"] = *p->completion;
      if (p->lat) place["lat"] = *p->lat;
      if (p->lon) place["lon"] = *p->lon;
      change = {{"kind", "site"}, {"place", place}};
    }
    GPUFLEET_RETURN_IF_ERROR(ApplyChangeTiming(p->timing, change));
    return SendChanges(c, *flags, nlohmann::json::array({change}));
  }));
}

}  // namespace

void AddSiteCommand(CLI::App& app, int& exit_code) {
  CLI::App* site = app.add_subcommand("site", "The sites of the living inventory");
  site->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();
  auto p = std::make_shared<PlaceFlags>();
  CLI::App* list = site->add_subcommand("list", "List sites with their GPUs and allocation");
  AddClientOptions(*list, *flags);
  list->callback(ClientCallback("site list", *flags, exit_code, [flags](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/sites");
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(j["sites"], {"id", "name", "country", "ownership", "gpus", "allocated"},
                     std::cout);
    });
    return Status::Ok();
  }));
  CLI::App* get = site->add_subcommand("get", "Show one site's record");
  AddClientOptions(*get, *flags);
  get->add_option("id", p->id, "site id")->required();
  get->callback(ClientCallback("site get", *flags, exit_code, [flags, p](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/sites/" + PathEscape(p->id));
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));
  AddPut(*site, "site", flags, p, exit_code);
}

void AddOrgCommand(CLI::App& app, int& exit_code) {
  CLI::App* org = app.add_subcommand("org", "The organisations of the living inventory");
  org->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();
  auto id = std::make_shared<std::string>();
  AddPut(*org, "organisation", flags, std::make_shared<PlaceFlags>(), exit_code);
  CLI::App* list = org->add_subcommand("list", "List organisations");
  AddClientOptions(*list, *flags);
  list->callback(ClientCallback("org list", *flags, exit_code, [flags](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/orgs");
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(j["organisations"], {"id", "name", "kind", "parent", "hq_country"}, std::cout);
    });
    return Status::Ok();
  }));
  CLI::App* get = org->add_subcommand("get", "Show one organisation");
  AddClientOptions(*get, *flags);
  get->add_option("id", *id, "organisation id")->required();
  get->callback(ClientCallback("org get", *flags, exit_code, [flags, id](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/orgs/" + PathEscape(*id));
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));
}

}  // namespace gpufleet::cli
