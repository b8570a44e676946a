#include "cli/check_transfer_command.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "cli/compliance_input.h"
#include "cli/verdict_output.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/country_code.h"
#include "gpufleet/model/utf8.h"
#include "gpufleet/report/json_text.h"

namespace gpufleet::cli {
namespace {

constexpr int kExitInputError = 1;
constexpr double kMaxPercent = 100;

struct CheckTransferFlags {
  ComplianceInputFlags input;
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

// Where the units go and come from, once the fleet's ids are resolved. Sites and the
// organisation point into the loaded inventory; nullptr when not named.
struct Route {
  std::string to_country;
  std::string from_country;  // "" = unknown
  const inventory::Site* to_site = nullptr;
  const inventory::Site* from_site = nullptr;
  const inventory::Organisation* to_org = nullptr;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet check-transfer: %s\n", s.ToString().c_str());
  return kExitInputError;
}

// Combinations that are wrong whatever the files say, rejected before anything is read. The
// fleet is the record of its sites and organisations, so flags that would restate (and could
// contradict) what it says about them are refused rather than silently preferred.
Status CheckFlagCombinations(const CheckTransferFlags& f) {
  if (f.to.empty() && f.to_site.empty()) {
    return Status::InvalidArgument("give --to or --to-site: the destination is needed");
  }
  // A country no rule names ("UK", "China") would otherwise read as "no rule applies".
  for (const auto& [flag, value] : {std::pair{"--to", &f.to}, std::pair{"--from", &f.from},
                                    std::pair{"--end-user-hq", &f.end_user_hq},
                                    std::pair{"--end-user-parent-hq", &f.end_user_parent_hq}}) {
    if (value->empty()) continue;
    if (std::optional<std::string> problem = CountryCodeProblem(*value)) {
      return Status::InvalidArgument(std::string(flag) + ": " + *problem);
    }
  }
  if (const std::optional<double> pct = f.project_completion_pct;
      pct && !(*pct >= 0 && *pct <= kMaxPercent)) {
    return Status::InvalidArgument(
        "--project-completion: expected a percentage from 0 to 100, got " + std::to_string(*pct));
  }
  if (f.fleet.empty()) {
    for (const auto& [flag, value] :
         {std::pair{"--to-site", &f.to_site}, std::pair{"--to-org", &f.to_org},
          std::pair{"--from-site", &f.from_site}}) {
      if (!value->empty()) {
        return Status::InvalidArgument(std::string(flag) +
                                       " needs --fleet, the inventory that defines its ids");
      }
    }
  }
  if (!f.to_org.empty()) {
    for (const auto& [flag, value] :
         {std::pair{"--end-user", &f.end_user}, std::pair{"--end-user-hq", &f.end_user_hq},
          std::pair{"--end-user-parent-hq", &f.end_user_parent_hq}}) {
      if (!value->empty()) {
        return Status::InvalidArgument(std::string(flag) + " cannot be given with --to-org '" +
                                       f.to_org + "': the fleet says who it is");
      }
    }
  }
  if (!f.to_site.empty() && (f.state_funded || f.public_hub || f.project_completion_pct)) {
    return Status::InvalidArgument(
        "--state-funded, --public-hub and --project-completion cannot be given with --to-site '" +
        f.to_site + "': the fleet gives the site's attributes");
  }
  return Status::Ok();
}

// The site a --to-site or --from-site flag names, checked against the bare country flag that
// may come with it (--to, --from).
Result<const inventory::Site*> ResolveSite(const inventory::Inventory& fleet,
                                           std::string_view site_flag, const std::string& id,
                                           std::string_view country_flag,
                                           const std::string& country) {
  const inventory::Site* site = fleet.FindSite(id);
  if (!site)
    return Status::NotFound(std::string(site_flag) + ": unknown site '" + Excerpt(id) + "'");
  if (!country.empty() && country != site->country) {
    return Status::InvalidArgument(std::string(country_flag) + " " + country + " contradicts " +
                                   std::string(site_flag) + " '" + Excerpt(id) + "', which is in " +
                                   site->country);
  }
  return site;
}

Result<Route> ResolveRoute(const CheckTransferFlags& f, const inventory::Inventory* fleet) {
  Route r;
  r.to_country = f.to;
  r.from_country = f.from;
  if (!fleet) return r;  // CheckFlagCombinations: no site or org flags without a fleet
  if (!f.to_site.empty()) {
    auto site = ResolveSite(*fleet, "--to-site", f.to_site, "--to", f.to);
    if (!site.ok()) return site.status();
    r.to_site = *site;
    r.to_country = r.to_site->country;
  }
  if (!f.from_site.empty()) {
    auto site = ResolveSite(*fleet, "--from-site", f.from_site, "--from", f.from);
    if (!site.ok()) return site.status();
    r.from_site = *site;
    r.from_country = r.from_site->country;
  }
  if (!f.to_org.empty()) {
    r.to_org = fleet->FindOrg(f.to_org);
    if (!r.to_org)
      return Status::NotFound("--to-org: unknown organisation '" + Excerpt(f.to_org) + "'");
  }
  return r;
}

// Units of `model` (a catalog id) at `site` on `on`: assets acquired on or before that day,
// counted by distinct serial, because the import keeps a serial registered twice (a diversion
// flag, not a load error) and one board is one unit.
int64_t UnitsHeld(const inventory::Inventory& fleet, std::string_view site, std::string_view model,
                  Date on) {
  std::set<std::string_view> serials;
  for (const inventory::Asset& a : fleet.assets()) {
    if (a.site == site && a.model == model && !(on < a.acquired)) serials.insert(a.serial);
  }
  return static_cast<int64_t>(serials.size());
}

// The transfer type a route implies when --transfer is not given (docs/compliance.md,
// "Transfer questions"): the same country at both ends is a transfer within it; leaving the
// chip designer's country, or an unknown origin, is an export (the case export controls are
// written for); leaving any other country is a re-export.
compliance::TransferType InferTransfer(const Route& r, const catalog::AcceleratorSpec& chip) {
  if (r.from_country.empty()) return compliance::TransferType::kExport;
  if (r.from_country == r.to_country) return compliance::TransferType::kInCountryTransfer;
  if (r.from_country == chip.designer_country) return compliance::TransferType::kExport;
  return compliance::TransferType::kReexport;
}

// "CN", or "site gz-hub (CN)" when the place is a fleet site.
std::string Place(const std::string& country, const inventory::Site* site) {
  return site ? "site " + site->id + " (" + country + ")" : country;
}

int Run(const CheckTransferFlags& f) {
  if (const Status s = CheckFlagCombinations(f); !s.ok()) return Fail(s);
  auto input = LoadComplianceInput(f.input);
  if (!input.ok()) return Fail(input.status());
  const catalog::AcceleratorSpec* chip = input->catalog.Find(f.model);
  if (!chip)
    return Fail(Status::NotFound("--model: unknown accelerator '" + Excerpt(f.model) + "'"));
  const Result<Date> at = ParseAtFlag(f.at);
  if (!at.ok()) return Fail(at.status());
  std::optional<compliance::TransferType> explicit_transfer;
  if (!f.transfer.empty()) {
    auto transfer = compliance::ParseTransferType(f.transfer);
    if (!transfer.ok())
      return Fail(Status::InvalidArgument("--transfer: " + transfer.status().message()));
    explicit_transfer = *transfer;
  }
  std::optional<inventory::Inventory> fleet;
  if (!f.fleet.empty()) {
    auto loaded = inventory::Inventory::Load(f.fleet, input->catalog);
    if (!loaded.ok()) return Fail(loaded.status());
    fleet.emplace(std::move(loaded).value());
  }
  const Result<Route> route = ResolveRoute(f, fleet ? &*fleet : nullptr);
  if (!route.ok()) return Fail(route.status());
  if (route->from_site) {
    const int64_t held = UnitsHeld(*fleet, route->from_site->id, chip->id, *at);
    if (held < f.units) {
      return Fail(Status::FailedPrecondition("--from-site: site '" + route->from_site->id +
                                             "' holds " + std::to_string(held) + " units of " +
                                             chip->id + " on " + at->ToString() + ", fewer than " +
                                             std::to_string(f.units)));
    }
  }

  compliance::Situation s;
  s.chip = chip;
  s.date = *at;
  s.location = route->to_country;
  s.from_country = route->from_country;
  s.transfer = explicit_transfer.value_or(InferTransfer(*route, *chip));
  if (route->to_org) {
    // As `check` judges the fleet's own assets: the organisation is the licence holder, and
    // the HQ rules read its headquarters and its ultimate parent's.
    s.end_user = route->to_org->id;
    s.end_user_hq = route->to_org->hq_country;
    s.end_user_parent_hq = fleet->UltimateParentHq(route->to_org->id);
  } else {
    s.end_user = f.end_user;
    s.end_user_hq = f.end_user_hq;
    s.end_user_parent_hq = f.end_user_parent_hq;
  }
  if (route->to_site) {
    s.site_state_funded = route->to_site->state_funded;
    s.site_public_hub = route->to_site->public_hub;
    s.project_completion_pct = route->to_site->project_completion_pct;
  } else {
    s.site_state_funded = f.state_funded;
    s.site_public_hub = f.public_hub;
    if (f.project_completion_pct) s.project_completion_pct = *f.project_completion_pct;
  }
  if (!f.holding.empty()) {
    const std::optional<inventory::Holding> holding = inventory::ParseHolding(f.holding);
    if (!holding) {
      return Fail(Status::InvalidArgument("--holding: '" + f.holding +
                                          "' is not one of owned, leased, rented_remote"));
    }
    s.holding = f.holding;
  }
  const std::string transfer_name(compliance::TransferTypeName(s.transfer));
  const auto engine = compliance::MakeIndexedEngine(input->rules);
  const compliance::Verdict v = engine->Evaluate(s);
  if (f.json) {
    nlohmann::ordered_json j;
    j["question"] = {{"model", chip->id},
                     {"units", f.units},
                     {"to", s.location},
                     {"to_site", f.to_site},
                     {"to_org", f.to_org},
                     {"from", s.from_country},
                     {"from_site", f.from_site},
                     {"transfer", transfer_name},
                     {"transfer_inferred", !explicit_transfer.has_value()},
                     {"end_user", s.end_user},
                     {"end_user_hq", s.end_user_hq},
                     {"end_user_parent_hq", s.end_user_parent_hq},
                     {"date", s.date.ToString()}};
    j["verdict"] = compliance::VerdictJson(v);
    std::cout << report::DumpJson(j, 2) << '\n';
  } else {
    std::cout << f.units << " x " << chip->name << " -> " << Place(s.location, route->to_site)
              << (s.end_user.empty() ? "" : " for " + s.end_user) << " (" << transfer_name
              << (s.from_country.empty() ? "" : " from " + Place(s.from_country, route->from_site))
              << (s.end_user_hq.empty() ? "" : ", end user HQ " + s.end_user_hq)
              << (s.end_user_parent_hq.empty() || s.end_user_parent_hq == s.end_user_hq
                      ? ""
                      : ", ultimate parent HQ " + s.end_user_parent_hq)
              << ") on " << s.date.ToString() << '\n';
    WriteVerdict(v, std::cout, Prompts());
  }
  return VerdictExitCode(v);
}

}  // namespace

void AddCheckTransferCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<CheckTransferFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check-transfer",
      "May N units of a model be sold or moved to a place (a country, or a site of --fleet) and "
      "an end user (or an organisation of --fleet) on a date? Exit 0: yes (maybe with "
      "conditions), 3: licence needed or prohibited, 4: manual classification, 1: bad input");
  AddComplianceInputOptions(*cmd, f->input);
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
  cmd->callback([f, completion, &exit_code] {
    if (completion->count() > 0) f->project_completion_pct = f->project_completion_value;
    exit_code = Run(*f);
  });
}

}  // namespace gpufleet::cli
