// `gpufleet tenant ...`: tenants, their guaranteed quotas and their API tokens (admin).

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/api_client.h"
#include "cli/client_commands.h"
#include "cli/json_table.h"

namespace gpufleet::cli {
namespace {

struct TenantFlags {
  std::string id;
  // Unset ones are left out of `tenant put`'s body, so an update keeps what is stored.
  std::optional<std::string> name, org;
  std::optional<int64_t> priority, max_job_priority;
  std::string model;
  int64_t gpus = 0;
};

}  // namespace

void AddTenantCommand(CLI::App& app, int& exit_code) {
  CLI::App* tenant = app.add_subcommand("tenant", "Tenants, quotas and tokens on gpufleetd");
  tenant->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();
  auto t = std::make_shared<TenantFlags>();

  CLI::App* list = tenant->add_subcommand("list", "List tenants (a tenant token sees itself)");
  AddClientOptions(*list, *flags);
  list->callback(ClientCallback("tenant list", *flags, exit_code, [flags](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/tenants");
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(
          j["tenants"],
          {"id", "name", "org", "priority", "max_job_priority", "external", "created_at"},
          std::cout);
    });
    return Status::Ok();
  }));

  CLI::App* get = tenant->add_subcommand("get", "Show a tenant and its quotas");
  AddClientOptions(*get, *flags);
  get->add_option("id", t->id, "tenant id")->required();
  get->callback(ClientCallback("tenant get", *flags, exit_code, [flags, t](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/tenants/" + t->id);
    if (!r.ok()) return r.status();
    Result<nlohmann::json> q = c.Get("/v1/tenants/" + t->id + "/quotas");
    if (!q.ok()) return q.status();
    nlohmann::json both = *r;
    both["quotas"] = (*q)["quotas"];
    PrintReply(both, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));

  CLI::App* put = tenant->add_subcommand("put", "Create or update a tenant (admin)");
  AddClientOptions(*put, *flags);
  put->add_option("id", t->id, "tenant id: 1-63 of [a-z0-9-]")->required();
  put->add_option("--name", t->name, "display name (required for a new tenant)");
  put->add_option("--org", t->org,
                  "organisation id in the fleet inventory (required for a new tenant)");
  put->add_option("--priority", t->priority,
                  "tenant priority: orders its jobs before theirs (new tenant: 0)");
  put->add_option("--max-job-priority", t->max_job_priority,
                  "the highest priority its jobs may ask for (new tenant: 1000)");
  put->callback(ClientCallback("tenant put", *flags, exit_code, [flags, t](ApiClient& c) {
    nlohmann::json body = nlohmann::json::object();
    if (t->name) body["name"] = *t->name;
    if (t->org) body["org"] = *t->org;
    if (t->priority) body["priority"] = *t->priority;
    if (t->max_job_priority) body["max_job_priority"] = *t->max_job_priority;
    Result<nlohmann::json> r = c.Put("/v1/tenants/" + t->id, body);
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));

  CLI::App* quotas = tenant->add_subcommand("quotas", "List a tenant's guaranteed GPUs");
  AddClientOptions(*quotas, *flags);
  quotas->add_option("id", t->id, "tenant id")->required();
  quotas->callback(ClientCallback("tenant quotas", *flags, exit_code, [flags, t](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/tenants/" + t->id + "/quotas");
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(j["quotas"], {"tenant", "model", "guaranteed_gpus"}, std::cout);
    });
    return Status::Ok();
  }));

  CLI::App* quota =
      tenant->add_subcommand("quota", "Set a tenant's guaranteed GPUs of one model (admin)");
  AddClientOptions(*quota, *flags);
  quota->add_option("id", t->id, "tenant id")->required();
  quota->add_option("model", t->model, "catalog model id")->required();
  quota->add_option("gpus", t->gpus, "guaranteed GPUs")->required();
  quota->callback(ClientCallback("tenant quota", *flags, exit_code, [flags, t](ApiClient& c) {
    Result<nlohmann::json> r =
        c.Put("/v1/tenants/" + t->id + "/quotas/" + t->model, {{"guaranteed_gpus", t->gpus}});
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));

  CLI::App* token = tenant->add_subcommand(
      "token", "Issue an API token for a tenant (admin); printed once, stored only hashed");
  AddClientOptions(*token, *flags);
  token->add_option("id", t->id, "tenant id")->required();
  token->callback(ClientCallback("tenant token", *flags, exit_code, [flags, t](ApiClient& c) {
    Result<nlohmann::json> r = c.Post("/v1/tenants/" + t->id + "/tokens", nlohmann::json::object());
    if (!r.ok()) return r.status();
    // Bare, so that `export GPUFLEET_TOKEN=$(gpufleet tenant token x)` works.
    PrintReply(*r, *flags,
               [](const nlohmann::json& j) { std::cout << CellText(j["token"]) << '\n'; });
    return Status::Ok();
  }));
}

}  // namespace gpufleet::cli
