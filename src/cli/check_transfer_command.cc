#include "cli/check_transfer_command.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "cli/api_client.h"
#include "cli/verdict_output.h"
#include "gpufleet/cmdline/compliance_input.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/compliance/transfer_question.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

constexpr int kExitInputError = 1;

struct CheckTransferFlags {
  cmdline::ComplianceInputFlags input;
  ClientFlags client;  // with --url (or $GPUFLEET_URL): gpufleetd answers
  CLI::Option* url = nullptr;
  std::string fleet;
  std::string model;
  int64_t units = 1;
  std::string to;
  std::string to_site;
  std::string to_org;
  std::string from;
  std::string from_site;
  std::string transfer;  // "" = inferred from the route (InferTransfer)
  std::string end_user;
  std::string end_user_hq;
  std::string end_user_parent_hq;
  std::string at;
  bool state_funded = false;
  bool public_hub = false;
  double project_completion_value = 0;           // what --project-completion parsed to
  std::optional<double> project_completion_pct;  // set when --project-completion is given
  std::string holding;                           // "" = unknown
  bool json = false;
};

// How a user states each situation fact a verdict may be missing.
const FactPrompts& Prompts() {
  static const FactPrompts* prompts = new FactPrompts{
      {"from_country", "--from COUNTRY (or --from-site SITE with --fleet)"},
      {"end_user_hq", "--end-user-hq COUNTRY (or --to-org ORG with --fleet)"},
      {"end_user_parent_hq", "--end-user-parent-hq COUNTRY (or --to-org ORG with --fleet)"},
      {"holding", "--holding owned|leased|rented_remote"},
      {"project_completion_pct", "--project-completion PCT (or --to-site SITE with --fleet)"},
  };
  return *prompts;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet check-transfer: %s\n", s.ToString().c_str());
  return kExitInputError;
}

// "to_site" -> "--to-site": the flag that states a question's field.
std::string FlagName(std::string_view field) {
  if (field == "project_completion_pct") return "--project-completion";
  std::string flag = "--" + std::string(field);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

// The question as flags give it (--at resolved by the caller).
compliance::TransferQuestion Question(const CheckTransferFlags& f, Date at) {
  return {.model = f.model,
          .units = f.units,
          .to = f.to,
          .to_site = f.to_site,
          .to_org = f.to_org,
          .from = f.from,
          .from_site = f.from_site,
          .transfer = f.transfer,
          .end_user = f.end_user,
          .end_user_hq = f.end_user_hq,
          .end_user_parent_hq = f.end_user_parent_hq,
          .at = at,
          .state_funded = f.state_funded,
          .public_hub = f.public_hub,
          .project_completion_pct = f.project_completion_pct,
          .holding = f.holding};
}

// The question as POST /v1/compliance/check-transfer takes it: the fields given.
nlohmann::json RequestBody(const CheckTransferFlags& f) {
  nlohmann::json body = {{"model", f.model}, {"units", f.units}};
  for (const auto& [field, value] :
       {std::pair{"to", &f.to}, std::pair{"to_site", &f.to_site}, std::pair{"to_org", &f.to_org},
        std::pair{"from", &f.from}, std::pair{"from_site", &f.from_site},
        std::pair{"transfer", &f.transfer}, std::pair{"end_user", &f.end_user},
        std::pair{"end_user_hq", &f.end_user_hq},
        std::pair{"end_user_parent_hq", &f.end_user_parent_hq}, std::pair{"at", &f.at},
        std::pair{"holding", &f.holding}}) {
    if (!value->empty()) body[field] = *value;
  }
  if (f.state_funded) body["state_funded"] = true;
  if (f.public_hub) body["public_hub"] = true;
  if (f.project_completion_pct) body["project_completion_pct"] = *f.project_completion_pct;
  return body;
}

// The answer on the terminal, from its JSON (the same for a local and a remote question).
int PrintAnswer(const nlohmann::ordered_json& answer, const std::string& line, bool json) {
  if (json) {
    std::cout << report::DumpJson(answer, 2) << '\n';
  } else {
    std::cout << line << '\n';
    WriteVerdict(answer["verdict"], std::cout, Prompts());
  }
  return VerdictExitCode(answer["verdict"]);
}

// gpufleetd answers, on its living inventory with the rules it runs on.
int RunRemote(const CheckTransferFlags& f) {
  if (!f.input.catalog.empty() || !f.input.rules.empty() || !f.input.overlays.empty() ||
      !f.fleet.empty()) {
    return Fail(Status::InvalidArgument(
        "--fleet, --catalog, --rules and --overlay are for a question answered here: gpufleetd "
        "answers on its living inventory with the rules it runs on"));
  }
  ApiClient client(f.client);
  Result<nlohmann::json> answer = client.Post("/v1/compliance/check-transfer", RequestBody(f));
  if (!answer.ok()) return ReportClientError("check-transfer", answer.status());
  nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(answer->dump());
  const std::string line = ordered["line"].get<std::string>();
  ordered.erase("line");  // the terminal's; the JSON is what a local answer prints
  return PrintAnswer(ordered, line, f.json);
}

int Run(const CheckTransferFlags& f) {
  if (f.url->count() > 0) return RunRemote(f);
  auto input = cmdline::LoadComplianceInput(f.input);
  if (!input.ok()) return Fail(input.status());
  const Result<Date> at = cmdline::ParseAtFlag(f.at);
  if (!at.ok()) return Fail(at.status());
  std::optional<inventory::Inventory> fleet;
  if (!f.fleet.empty()) {
    auto loaded = inventory::Inventory::Load(f.fleet, input->catalog);
    if (!loaded.ok()) return Fail(loaded.status());
    fleet.emplace(std::move(loaded).value());
  }
  const auto engine = compliance::MakeIndexedEngine(input->rules);
  const compliance::TransferQuestion q = Question(f, *at);
  const Result<compliance::TransferAnswer> a =
      compliance::AnswerTransfer(q, input->catalog, fleet ? &*fleet : nullptr, *engine, FlagName);
  if (!a.ok()) return Fail(a.status());
  return PrintAnswer(compliance::TransferAnswerJson(q, *a), compliance::TransferQuestionLine(q, *a),
                     f.json);
}

}  // namespace

void AddCheckTransferCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<CheckTransferFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check-transfer",
      "May N units of a model be sold or moved to a place (a country, or a site of --fleet) and "
      "an end user (or an organisation of --fleet) on a date? Exit 0: yes (maybe with "
      "conditions), 3: licence needed or prohibited, 4: manual classification, 1: bad input");
  cmdline::AddComplianceInputOptions(*cmd, f->input);
  cmd->add_option("--fleet", f->fleet,
                  "Fleet inventory YAML defining the ids --to-site, --to-org and --from-site "
                  "name (see examples/fleet.yaml)");
  cmd->add_option("--model", f->model, "Catalog id or alias, e.g. H20")->required();
  cmd->add_option("--units", f->units, "Units")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--to", f->to,
                  "Destination country (ISO 3166-1 alpha-2); with --to-site it must be the "
                  "site's country");
  cmd->add_option("--to-site", f->to_site,
                  "Destination site id from --fleet: its country and its state-funded, public-hub "
                  "and project-completion attributes");
  cmd->add_option("--to-org", f->to_org,
                  "End user: organisation id from --fleet (the licence holder), with its HQ and "
                  "its ultimate parent's HQ; needs --to or --to-site");
  cmd->add_option("--from", f->from, "Country it ships from");
  cmd->add_option("--from-site", f->from_site,
                  "Site id from --fleet it ships from: sets --from to the site's country and "
                  "checks that the site holds --units of the model on the date");
  cmd->add_option("--transfer", f->transfer,
                  "export | reexport | in_country_transfer | remote_access | use. Default: "
                  "inferred from the route: in_country_transfer when from and to are one "
                  "country, export when the origin is unknown or is the chip designer's country, "
                  "reexport from any other country");
  cmd->add_option("--end-user", f->end_user, "Organisation id of the end user (licence holder)");
  cmd->add_option("--end-user-hq", f->end_user_hq, "End user's headquarters country");
  cmd->add_option("--end-user-parent-hq", f->end_user_parent_hq,
                  "Headquarters country of the end user's ultimate parent");
  cmd->add_option("--at", f->at, "Date YYYY-MM-DD (default: today)");
  cmd->add_flag("--state-funded", f->state_funded, "The destination site is state-funded");
  cmd->add_flag("--public-hub", f->public_hub, "The destination site is a public computing hub");
  auto* completion =
      cmd->add_option("--project-completion", f->project_completion_value,
                      "Construction progress of the destination project, % (0 to 100)");
  cmd->add_option("--holding", f->holding,
                  "How the end user holds the units: owned, leased or rented_remote (the fact "
                  "`holding` rules may read; default unknown)");
  cmd->add_flag("--json", f->json, "JSON instead of text");
  f->url = AddServiceOptions(*cmd, f->client);
  cmd->callback([f, completion, &exit_code] {
    if (completion->count() > 0) f->project_completion_pct = f->project_completion_value;
    exit_code = Run(*f);
  });
}

}  // namespace gpufleet::cli
