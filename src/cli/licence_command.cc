#include "cli/licence_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/rules_command.h"

namespace gpufleet::cli {
namespace {

// The licence record's fields (docs/compliance.md, "Licences"); empty = not given.
struct LicenceFlags {
  ClientFlags client;
  std::string id;
  std::string jurisdiction;
  std::string holder;
  std::vector<std::string> models;
  std::vector<std::string> locations;
  std::vector<std::string> transfers;
  std::string valid_from;
  std::string valid_to;
  std::string status = "granted";
  std::optional<double> revenue_share_pct;
  std::string conditions;
  std::string effective_at;
  std::string on;  // revoke: the first day it no longer holds
  std::string at;  // list: the date
};

nlohmann::json RecordBody(const LicenceFlags& f) {
  nlohmann::json body = {
      {"id", f.id}, {"holder", f.holder}, {"models", f.models}, {"status", f.status}};
  const auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) body[key] = value;
  };
  put("jurisdiction", f.jurisdiction);
  put("valid_from", f.valid_from);
  put("valid_to", f.valid_to);
  put("conditions", f.conditions);
  put("effective_at", f.effective_at);
  if (!f.locations.empty()) body["locations"] = f.locations;
  if (!f.transfers.empty()) body["transfers"] = f.transfers;
  if (f.revenue_share_pct) body["revenue_share_pct"] = *f.revenue_share_pct;
  return body;
}

void PrintStep(const nlohmann::json& r) {
  std::cout << r["name"].get<std::string>() << ": rule change " << r["id"].get<std::string>()
            << ", " << r["state"].get<std::string>() << ", effective "
            << r["effective"].get<std::string>() << " (ledger entry " << r["entry"].get<int64_t>()
            << ")\n";
}

}  // namespace

void AddLicenceCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<LicenceFlags>();
  CLI::App* cmd = app.add_subcommand(
      "licence", "Licences on gpufleetd: record, revoke, list (each step a ledger entry)");
  cmd->require_subcommand(1);

  CLI::App* record = cmd->add_subcommand(
      "record", "Record a licence (granted, pending or denied) from now or --effective-at");
  AddClientOptions(*record, f->client);
  record->add_option("id", f->id, "the licence's id (unique: an id on file is refused)")
      ->required();
  record->add_option("--holder", f->holder, "organisation id holding it")->required();
  record->add_option("--model", f->models, "catalog id or alias (repeat)")->required();
  record->add_option("--location", f->locations, "destination country or group (repeat)");
  record->add_option("--transfer", f->transfers,
                     "route it covers: export, reexport, in_country_transfer, remote_access, "
                     "use (repeat; default all)");
  record->add_option("--jurisdiction", f->jurisdiction, "whose rules it answers (default any)");
  record->add_option("--valid-from", f->valid_from, "YYYY-MM-DD, inclusive");
  record->add_option("--valid-to", f->valid_to, "YYYY-MM-DD, inclusive");
  record->add_option("--status", f->status, "granted, pending or denied")->capture_default_str();
  record->add_option("--revenue-share", f->revenue_share_pct,
                     "percent of revenue remitted: a condition of the grant");
  record->add_option("--conditions", f->conditions, "other conditions, free text");
  record->add_option("--effective-at", f->effective_at,
                     "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ when the record takes effect; default "
                     "now");
  record->callback(ClientCallback("licence record", f->client, exit_code, [f](ApiClient& c) {
    Result<nlohmann::json> reply = c.Post("/v1/licences", RecordBody(*f));
    if (!reply.ok()) return reply.status();
    PrintReply(*reply, f->client, PrintStep);
    return Status::Ok();
  }));

  CLI::App* revoke =
      cmd->add_subcommand("revoke", "Revoke a licence: the record stays, dated revoked");
  AddClientOptions(*revoke, f->client);
  revoke->add_option("id", f->id, "the licence's id")->required();
  revoke->add_option("--on", f->on,
                     "YYYY-MM-DD: the first day it no longer holds (default "
                     "the service's today)");
  revoke->add_option("--effective-at", f->effective_at, "when the revocation takes effect");
  revoke->callback(ClientCallback("licence revoke", f->client, exit_code, [f](ApiClient& c) {
    nlohmann::json body = nlohmann::json::object();
    if (!f->on.empty()) body["on"] = f->on;
    if (!f->effective_at.empty()) body["effective_at"] = f->effective_at;
    Result<nlohmann::json> reply = c.Post("/v1/licences/" + PathEscape(f->id) + "/revoke", body);
    if (!reply.ok()) return reply.status();
    PrintReply(*reply, f->client, PrintStep);
    return Status::Ok();
  }));

  CLI::App* list =
      cmd->add_subcommand("list", "The licences on file, with what each amounts to on a date");
  AddClientOptions(*list, f->client);
  list->add_option("--at", f->at, "YYYY-MM-DD (default: the service's today)");
  list->callback(ClientCallback("licence list", f->client, exit_code, [f](ApiClient& c) {
    std::vector<std::pair<std::string, std::string>> query;
    if (!f->at.empty()) query.emplace_back("at", f->at);
    Result<nlohmann::json> reply = c.Get("/v1/licences", query);
    if (!reply.ok()) return reply.status();
    PrintReply(*reply, f->client, [](const nlohmann::json& r) {
      const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(r.dump());
      std::cout << "licences on file on " << r["date"].get<std::string>() << ": "
                << r["licences"].size() << '\n';
      if (!r["licences"].empty()) WriteLicenceTable(ordered["licences"], std::cout);
    });
    return Status::Ok();
  }));
}

}  // namespace gpufleet::cli
