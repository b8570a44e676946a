// `gpufleet fleet findings|finding|reconcile` (docs/findings.md): what looks wrong, one
// finding with its history, a person's acknowledge, resolve and release, a pass of the checks.

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/api_client.h"
#include "cli/client_commands.h"
#include "cli/json_table.h"

namespace gpufleet::cli {
namespace {

struct FindingFlags {
  std::string state, kind, source, serial, node, after, id, reason;
  int64_t limit = 100;
};

void AddList(CLI::App& fleet, std::shared_ptr<ClientFlags> flags, std::shared_ptr<FindingFlags> f,
             int& exit_code) {
  CLI::App* cmd = fleet.add_subcommand(
      "findings", "What looks wrong: agents' reports, ledger records and landmarks disagreeing");
  AddClientOptions(*cmd, *flags);
  cmd->add_option("--state", f->state, "open, acknowledged or resolved");
  cmd->add_option("--kind", f->kind, "one kind (model_differs, node_silent, ...)");
  cmd->add_option("--source", f->source, "agent, ledger or landmark");
  cmd->add_option("--serial", f->serial, "about this asset");
  cmd->add_option("--node", f->node, "about this node (site/node)");
  cmd->add_option("--limit", f->limit, "rows per page")->capture_default_str();
  cmd->add_option("--after", f->after, "start after this finding id");
  cmd->callback(ClientCallback("fleet findings", *flags, exit_code, [flags, f](ApiClient& c) {
    std::vector<std::pair<std::string, std::string>> q;
    for (const auto& [key, value] :
         {std::pair{"state", &f->state}, std::pair{"kind", &f->kind},
          std::pair{"source", &f->source}, std::pair{"serial", &f->serial},
          std::pair{"node", &f->node}, std::pair{"after", &f->after}}) {
      if (!value->empty()) q.emplace_back(key, *value);
    }
    q.emplace_back("limit", std::to_string(f->limit));
    Result<nlohmann::json> r = c.Get("/v1/findings", q);
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(j["findings"], {"id", "kind", "state", "action", "held", "detail"}, std::cout);
      if (!j["next_after"].is_null()) {
        std::cout << "more: --after " << CellText(j["next_after"]) << '\n';
      }
    });
    return Status::Ok();
  }));
}

void AddFinding(CLI::App& fleet, std::shared_ptr<ClientFlags> flags,
                std::shared_ptr<FindingFlags> f, int& exit_code) {
  CLI::App* finding = fleet.add_subcommand("finding", "One finding: show it, or act on it");
  finding->require_subcommand(1);
  CLI::App* show = finding->add_subcommand("get", "The finding with its evidence and history");
  AddClientOptions(*show, *flags);
  show->add_option("id", f->id, "finding id (f-<n>)")->required();
  show->callback(ClientCallback("fleet finding get", *flags, exit_code, [flags, f](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/findings/" + PathEscape(f->id));
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));
  for (const auto& [verb, help] :
       {std::pair{"acknowledge", "A person knows of it (it stays open to the checks)"},
        std::pair{"resolve", "Close it"},
        std::pair{"release", "Let the hardware it quarantined take jobs again (admin; audited)"}}) {
    CLI::App* cmd = finding->add_subcommand(verb, help);
    AddClientOptions(*cmd, *flags);
    cmd->add_option("id", f->id, "finding id (f-<n>)")->required();
    cmd->add_option("--reason", f->reason, "why: recorded in the ledger")->required();
    cmd->callback(ClientCallback(
        std::string("fleet finding ") + verb, *flags, exit_code,
        [flags, f, path = std::string(verb)](ApiClient& c) {
          Result<nlohmann::json> r =
              c.Post("/v1/findings/" + PathEscape(f->id) + "/" + path, {{"reason", f->reason}});
          if (!r.ok()) return r.status();
          PrintReply(*r, *flags, [](const nlohmann::json& j) {
            std::cout << CellText(j["id"]) << ": " << CellText(j["state"])
                      << (j["held"].get<bool>() ? ", hardware held" : "") << '\n';
          });
          return Status::Ok();
        }));
  }
  CLI::App* pass = fleet.add_subcommand("reconcile", "Run the findings' checks now (admin)");
  AddClientOptions(*pass, *flags);
  pass->callback(ClientCallback("fleet reconcile", *flags, exit_code, [flags](ApiClient& c) {
    Result<nlohmann::json> r = c.Post("/v1/findings/reconcile", nlohmann::json::object());
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));
}

}  // namespace

void AddFindingCommands(CLI::App& fleet, int& exit_code) {
  auto flags = std::make_shared<ClientFlags>();
  auto f = std::make_shared<FindingFlags>();
  AddList(fleet, flags, f, exit_code);
  AddFinding(fleet, flags, f, exit_code);
}

}  // namespace gpufleet::cli
