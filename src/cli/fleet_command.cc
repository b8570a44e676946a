// `gpufleet fleet ...`: what gpufleetd schedules on (models, sites, nodes) and what happened
// (placements, events).

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

struct FleetFlags {
  std::string site, model, tenant;
  int64_t limit = 100;
  std::string after;  // an event id, or a node name
  int64_t job = 0;
};

// A GET whose reply holds the list `key`, shown as a table of `columns`.
void AddListing(CLI::App& fleet, const char* name, const char* help, const char* path,
                const char* key, std::vector<std::string> columns,
                std::shared_ptr<ClientFlags> flags, std::shared_ptr<FleetFlags> f, int& exit_code) {
  CLI::App* cmd = fleet.add_subcommand(name, help);
  AddClientOptions(*cmd, *flags);
  const std::string which = name;
  if (which == "nodes") {
    cmd->add_option("--site", f->site, "only this site");
    cmd->add_option("--model", f->model, "only this catalog model");
  }
  if (which == "placements") cmd->add_option("--tenant", f->tenant, "only this tenant (admin)");
  if (which == "events") cmd->add_option("--job", f->job, "only this job's events");
  if (which == "nodes" || which == "events") {
    cmd->add_option("--limit", f->limit, "rows per page")->capture_default_str();
    cmd->add_option("--after", f->after, "start after this event id or node name");
  }
  cmd->callback(ClientCallback(
      "fleet " + which, *flags, exit_code,
      [flags, f, which, columns, path = std::string(path), key = std::string(key)](ApiClient& c) {
        std::vector<std::pair<std::string, std::string>> q;
        if (!f->site.empty()) q.emplace_back("site", f->site);
        if (!f->model.empty()) q.emplace_back("model", f->model);
        if (!f->tenant.empty()) q.emplace_back("tenant", f->tenant);
        if (f->job > 0) q.emplace_back("job", std::to_string(f->job));
        if (which == "nodes" || which == "events") {
          q.emplace_back("limit", std::to_string(f->limit));
          if (!f->after.empty()) q.emplace_back("after", f->after);
        }
        Result<nlohmann::json> r = c.Get(path, q);
        if (!r.ok()) return r.status();
        PrintReply(*r, *flags, [&key, &columns](const nlohmann::json& j) {
          WriteJsonTable(j.contains(key) ? j[key] : nlohmann::json(), columns, std::cout);
          if (j.contains("next") && !j["next"].is_null()) {
            std::cout << "more: --after " << CellText(j["next"]) << '\n';
          }
        });
        return Status::Ok();
      }));
}

}  // namespace

void AddFleetCommand(CLI::App& app, int& exit_code) {
  CLI::App* fleet = app.add_subcommand("fleet", "What gpufleetd schedules on, and what happened");
  fleet->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();
  auto f = std::make_shared<FleetFlags>();
  AddListing(*fleet, "models", "Accelerator models in the fleet", "/v1/models", "models",
             {"id", "name", "vendor", "gpus", "nodes", "max_node_gpus", "memory_gb"}, flags, f,
             exit_code);
  AddListing(*fleet, "sites", "Sites with capacity and allocation per model", "/v1/sites", "sites",
             {"id", "country", "provider", "ownership", "gpus", "allocated"}, flags, f, exit_code);
  AddListing(*fleet, "nodes", "Nodes with capacity and allocation", "/v1/nodes", "nodes",
             {"name", "site", "model", "gpus", "allocated", "cpu_milli", "memory_mib"}, flags, f,
             exit_code);
  AddListing(*fleet, "placements", "Where running jobs are bound", "/v1/placements", "placements",
             {"job", "tenant", "replica", "node", "model", "gpus"}, flags, f, exit_code);
  AddListing(*fleet, "events", "The event log: submissions, starts, preemptions, ends",
             "/v1/events", "events", {"id", "at", "kind", "tenant", "job", "detail"}, flags, f,
             exit_code);
  AddFindingCommands(*fleet, exit_code);
}

}  // namespace gpufleet::cli
