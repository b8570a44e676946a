// `gpufleet job ...`: submit, inspect, list, cancel and complete jobs on gpufleetd.

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/client_commands.h"
#include "cli/json_table.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

struct SubmitFlags {
  std::string name;
  double gpus = 1;
  int64_t replicas = 1;
  std::vector<std::string> models;
  std::string data_class;
  int64_t priority = 0;
  std::optional<int64_t> cpu_milli, memory_mib;
  std::optional<int64_t> duration_s;  // nullopt: runs until completed
  std::string tenant;
  std::string idempotency_key;
};

struct ListFlags {
  std::string tenant, state;
  int64_t limit = 100;
  int64_t after = 0;
  bool all = false;
};

const std::vector<std::string> kListColumns = {"id",   "tenant",   "name",     "state",
                                               "gpus", "replicas", "priority", "pending_reason"};

void PrintJob(const nlohmann::json& job, const ClientFlags& flags) {
  if (flags.json) {
    std::cout << report::DumpJson(job, 2) << '\n';
  } else {
    WriteJsonFields(job, std::cout);
  }
}

}  // namespace

void AddJobCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd_job = app.add_subcommand("job", "Submit and follow jobs on gpufleetd");
  cmd_job->require_subcommand(1);
  auto flags = std::make_shared<ClientFlags>();

  auto submit = std::make_shared<SubmitFlags>();
  CLI::App* sub = cmd_job->add_subcommand("submit", "Submit a job; prints it as stored");
  AddClientOptions(*sub, *flags);
  sub->add_option("--name", submit->name, "job name")->required();
  sub->add_option("--gpus", submit->gpus, "GPUs per replica (a fraction below 1 shares a GPU)")
      ->capture_default_str();
  sub->add_option("--replicas", submit->replicas, "replicas, placed all or none")
      ->capture_default_str();
  sub->add_option("--model", submit->models, "accepted catalog model (repeatable; none = any)");
  sub->add_option("--data-class", submit->data_class, "data class the job processes");
  sub->add_option("--priority", submit->priority, "higher runs first")->capture_default_str();
  sub->add_option("--cpu-milli", submit->cpu_milli, "CPU per replica, millicores");
  sub->add_option("--memory-mib", submit->memory_mib, "memory per replica, MiB");
  sub->add_option("--duration", submit->duration_s,
                  "run time in seconds, 1..31536000 (omitted: until completed)");
  sub->add_option("--tenant", submit->tenant, "tenant to submit for (admin tokens only)");
  sub->add_option("--idempotency-key", submit->idempotency_key,
                  "resubmitting with the same key returns the first job");
  sub->callback(
      ClientCallback("job submit", *flags, exit_code, [flags, submit](ApiClient& c) -> Status {
        nlohmann::json body = {{"name", submit->name},
                               {"gpus", submit->gpus},
                               {"replicas", submit->replicas},
                               {"priority", submit->priority}};
        if (submit->duration_s) body["duration_s"] = *submit->duration_s;
        if (!submit->models.empty()) body["models"] = submit->models;
        if (!submit->data_class.empty()) body["data_class"] = submit->data_class;
        if (submit->cpu_milli) body["cpu_milli"] = *submit->cpu_milli;
        if (submit->memory_mib) body["memory_mib"] = *submit->memory_mib;
        if (!submit->tenant.empty()) body["tenant"] = submit->tenant;
        std::vector<std::pair<std::string, std::string>> headers;
        if (!submit->idempotency_key.empty()) {
          headers.emplace_back("Idempotency-Key", submit->idempotency_key);
        }
        Result<nlohmann::json> job = c.Post("/v1/jobs", body, headers);
        if (!job.ok()) return job.status();
        if (flags->json) {
          std::cout << report::DumpJson(*job, 2) << '\n';
        } else {
          std::cout << "job " << CellText((*job)["id"]) << " submitted ("
                    << CellText((*job)["state"]) << ")\n";
        }
        return Status::Ok();
      }));

  auto id = std::make_shared<int64_t>(0);
  CLI::App* get =
      cmd_job->add_subcommand("get", "Show a job: state, placements, why it is pending");
  AddClientOptions(*get, *flags);
  get->add_option("id", *id, "job id")->required();
  get->callback(ClientCallback("job get", *flags, exit_code, [flags, id](ApiClient& c) -> Status {
    Result<nlohmann::json> job = c.Get("/v1/jobs/" + std::to_string(*id));
    if (!job.ok()) return job.status();
    PrintJob(*job, *flags);
    return Status::Ok();
  }));

  for (const char* action : {"cancel", "complete"}) {
    CLI::App* cmd = cmd_job->add_subcommand(
        action, std::string(action) == "cancel"
                    ? "Cancel a pending or running job; its capacity returns at once"
                    : "Mark a running job finished (for the executor that runs it)");
    AddClientOptions(*cmd, *flags);
    cmd->add_option("id", *id, "job id")->required();
    const std::string verb = action;
    cmd->callback(
        ClientCallback("job " + verb, *flags, exit_code, [flags, id, verb](ApiClient& c) -> Status {
          Result<nlohmann::json> job =
              c.Post("/v1/jobs/" + std::to_string(*id) + "/" + verb, nlohmann::json::object());
          if (!job.ok()) return job.status();
          if (flags->json) {
            std::cout << report::DumpJson(*job, 2) << '\n';
          } else {
            std::cout << "job " << *id << " " << CellText((*job)["state"]) << '\n';
          }
          return Status::Ok();
        }));
  }

  auto list = std::make_shared<ListFlags>();
  CLI::App* ls = cmd_job->add_subcommand("list", "List jobs, newest last");
  AddClientOptions(*ls, *flags);
  ls->add_option("--tenant", list->tenant, "only this tenant's jobs (admin)");
  ls->add_option("--state", list->state, "pending, running, completed or cancelled");
  ls->add_option("--limit", list->limit, "jobs per page")->capture_default_str();
  ls->add_option("--after", list->after, "start after this job id")->capture_default_str();
  ls->add_flag("--all", list->all, "follow every page");
  ls->callback(ClientCallback("job list", *flags, exit_code, [flags, list](ApiClient& c) -> Status {
    nlohmann::json all = nlohmann::json::array();
    nlohmann::json next = list->after > 0 ? nlohmann::json(list->after) : nlohmann::json();
    do {
      std::vector<std::pair<std::string, std::string>> q = {{"limit", std::to_string(list->limit)}};
      if (!list->tenant.empty()) q.emplace_back("tenant", list->tenant);
      if (!list->state.empty()) q.emplace_back("state", list->state);
      if (next.is_number()) q.emplace_back("after", std::to_string(next.get<int64_t>()));
      Result<nlohmann::json> page = c.Get("/v1/jobs", q);
      if (!page.ok()) return page.status();
      for (nlohmann::json& j : (*page)["jobs"]) all.push_back(std::move(j));
      next = (*page)["next"];
    } while (list->all && next.is_number());
    if (flags->json) {
      std::cout << report::DumpJson(nlohmann::json{{"jobs", all}, {"next", next}}, 2) << '\n';
    } else {
      WriteJsonTable(all, kListColumns, std::cout);
      if (next.is_number()) std::cout << "more: --after " << next.get<int64_t>() << '\n';
    }
    return Status::Ok();
  }));
}

}  // namespace gpufleet::cli
