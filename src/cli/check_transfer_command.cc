#include "cli/check_transfer_command.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/compliance_input.h"
#include "cli/verdict_output.h"
#include "gpufleet/compliance/engine.h"

namespace gpufleet::cli {
namespace {

constexpr int kExitInputError = 1;

struct CheckTransferFlags {
  ComplianceInputFlags input;
  std::string model;
  int64_t units = 1;
  std::string to;
  std::string from;
  std::string transfer = "export";
  std::string end_user;
  std::string end_user_hq;
  std::string end_user_parent_hq;
  std::string at;
  bool state_funded = false;
  bool public_hub = false;
  double project_completion_pct = -1;
  bool json = false;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet check-transfer: %s\n", s.ToString().c_str());
  return kExitInputError;
}

int Run(const CheckTransferFlags& f) {
  auto input = LoadComplianceInput(f.input);
  if (!input.ok()) return Fail(input.status());
  const catalog::AcceleratorSpec* chip = input->catalog.Find(f.model);
  if (!chip) return Fail(Status::NotFound("--model: unknown accelerator '" + f.model + "'"));
  auto transfer = compliance::ParseTransferType(f.transfer);
  if (!transfer.ok())
    return Fail(Status::InvalidArgument("--transfer: " + transfer.status().message()));
  compliance::Situation s;
  s.chip = chip;
  const Result<Date> at = ParseAtFlag(f.at);
  if (!at.ok()) return Fail(at.status());
  s.date = *at;
  s.location = f.to;
  s.from_country = f.from;
  s.transfer = *transfer;
  s.end_user = f.end_user;
  s.end_user_hq = f.end_user_hq;
  s.end_user_parent_hq = f.end_user_parent_hq;
  s.site_state_funded = f.state_funded;
  s.site_public_hub = f.public_hub;
  if (f.project_completion_pct >= 0) s.project_completion_pct = f.project_completion_pct;
  const auto engine = compliance::MakeIndexedEngine(input->rules);
  const compliance::Verdict v = engine->Evaluate(s);
  if (f.json) {
    nlohmann::ordered_json j;
    j["question"] = {{"model", chip->id},
                     {"units", f.units},
                     {"to", s.location},
                     {"from", s.from_country},
                     {"transfer", f.transfer},
                     {"end_user", s.end_user},
                     {"end_user_hq", s.end_user_hq},
                     {"end_user_parent_hq", s.end_user_parent_hq},
                     {"date", s.date.ToString()}};
    j["verdict"] = VerdictJson(v);
    std::cout << j.dump(2) << '\n';
  } else {
    std::cout << f.units << " x " << chip->name << " -> " << s.location << " (" << f.transfer
              << (s.from_country.empty() ? "" : " from " + s.from_country)
              << (s.end_user_hq.empty() ? "" : ", end user HQ " + s.end_user_hq) << ") on "
              << s.date.ToString() << '\n';
    WriteVerdict(v, std::cout);
  }
  return VerdictExitCode(v);
}

}  // namespace

void AddCheckTransferCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<CheckTransferFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check-transfer",
      "May N units of a model be sold or moved to a place and an end user on a date? Exit 0: "
      "yes (maybe with conditions), 3: licence needed or prohibited, 4: manual classification");
  AddComplianceInputOptions(*cmd, f->input);
  cmd->add_option("--model", f->model, "Catalog id or alias, e.g. H20")->required();
  cmd->add_option("--units", f->units, "Units")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--to", f->to, "Destination country (ISO 3166-1 alpha-2)")->required();
  cmd->add_option("--from", f->from, "Country it ships from");
  cmd->add_option("--transfer", f->transfer,
                  "export | reexport | in_country_transfer | remote_access | use")
      ->capture_default_str();
  cmd->add_option("--end-user", f->end_user, "Organisation id of the end user (licence holder)");
  cmd->add_option("--end-user-hq", f->end_user_hq, "End user's headquarters country");
  cmd->add_option("--end-user-parent-hq", f->end_user_parent_hq,
                  "Headquarters country of the end user's ultimate parent");
  cmd->add_option("--at", f->at, "Date YYYY-MM-DD (default: today)");
  cmd->add_flag("--state-funded", f->state_funded, "The destination site is state-funded");
  cmd->add_flag("--public-hub", f->public_hub, "The destination site is a public computing hub");
  cmd->add_option("--project-completion", f->project_completion_pct,
                  "Construction progress of the destination project, %");
  cmd->add_flag("--json", f->json, "JSON instead of text");
  cmd->callback([f, &exit_code] { exit_code = Run(*f); });
}

}  // namespace gpufleet::cli
