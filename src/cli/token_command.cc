// `gpufleet token ...`: API tokens of every role on gpufleetd (admin), and whoami (any token).

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/api_client.h"
#include "cli/client_commands.h"
#include "cli/json_table.h"

namespace gpufleet::cli {
namespace {

struct TokenFlags {
  std::string id;
  std::string role;
  std::optional<std::string> tenant, node, name;
  std::optional<int64_t> expires_in_s;
};

const std::vector<std::string> kTokenColumns = {
    "id", "role", "tenant", "node", "name", "state", "created_at", "expires_at", "last_used_at"};

}  // namespace

void AddTokenCommand(CLI::App& app, int& exit_code) {
  CLI::App* token =
      app.add_subcommand("token", "API tokens on gpufleetd: roles, expiry, revocation");
  token->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();
  auto t = std::make_shared<TokenFlags>();

  CLI::App* create = token->add_subcommand(
      "create", "Create a token (admin); its secret is printed once, the server keeps a hash");
  AddClientOptions(*create, *flags);
  create->add_option("--role", t->role, "admin, tenant, inventory, node or viewer")->required();
  create->add_option("--tenant", t->tenant, "the tenant of a tenant token");
  create->add_option("--node", t->node, "the node of a node token");
  create->add_option("--name", t->name, "a label, unique among live tokens");
  create->add_option("--expires-in-s", t->expires_in_s,
                     "refused after this many seconds (default: never)");
  create->callback(ClientCallback("token create", *flags, exit_code, [flags, t](ApiClient& c) {
    nlohmann::json body = {{"role", t->role}};
    if (t->tenant) body["tenant"] = *t->tenant;
    if (t->node) body["node"] = *t->node;
    if (t->name) body["name"] = *t->name;
    if (t->expires_in_s) body["expires_in_s"] = *t->expires_in_s;
    Result<nlohmann::json> r = c.Post("/v1/tokens", body);
    if (!r.ok()) return r.status();
    // Bare, so that `export GPUFLEET_TOKEN=$(gpufleet token create ...)` works.
    PrintReply(*r, *flags,
               [](const nlohmann::json& j) { std::cout << CellText(j["token"]) << '\n'; });
    return Status::Ok();
  }));

  CLI::App* list = token->add_subcommand("list", "List tokens, never their secrets (admin)");
  AddClientOptions(*list, *flags);
  list->callback(ClientCallback("token list", *flags, exit_code, [flags](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/tokens");
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) {
      WriteJsonTable(j["tokens"], kTokenColumns, std::cout);
    });
    return Status::Ok();
  }));

  CLI::App* get = token->add_subcommand("get", "Show one token (admin)");
  AddClientOptions(*get, *flags);
  get->add_option("id", t->id, "token id (tok_...)")->required();
  get->callback(ClientCallback("token get", *flags, exit_code, [flags, t](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/tokens/" + t->id);
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));

  CLI::App* revoke =
      token->add_subcommand("revoke", "Revoke a token (admin): refused everywhere within a second");
  AddClientOptions(*revoke, *flags);
  revoke->add_option("id", t->id, "token id (tok_...)")->required();
  revoke->callback(ClientCallback("token revoke", *flags, exit_code, [flags, t](ApiClient& c) {
    Result<nlohmann::json> r = c.Delete("/v1/tokens/" + t->id);
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));

  CLI::App* whoami = token->add_subcommand("whoami", "Show the token this command uses");
  AddClientOptions(*whoami, *flags);
  whoami->callback(ClientCallback("token whoami", *flags, exit_code, [flags](ApiClient& c) {
    Result<nlohmann::json> r = c.Get("/v1/whoami");
    if (!r.ok()) return r.status();
    PrintReply(*r, *flags, [](const nlohmann::json& j) { WriteJsonFields(j, std::cout); });
    return Status::Ok();
  }));
}

}  // namespace gpufleet::cli
