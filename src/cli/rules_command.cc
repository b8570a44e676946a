#include "cli/rules_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/impact_command.h"
#include "gpufleet/cmdline/compliance_input.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/compliance/report_json.h"
#include "gpufleet/report/json_text.h"
#include "gpufleet/report/text_table.h"

namespace gpufleet::cli {
namespace {

using Json = nlohmann::ordered_json;

// The table stays readable; --json has it all.
constexpr size_t kSummaryWidth = 60;
constexpr size_t kPlacesShown = 6;

struct RulesFlags {
  cmdline::ComplianceInputFlags input;
  ClientFlags client;  // with --url (or $GPUFLEET_URL): as gpufleetd runs them
  CLI::Option* url = nullptr;
  std::string at;
  bool json = false;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet rules: %s\n", s.ToString().c_str());
  return 1;
}

std::string Text(const Json& v) { return v.is_null() ? "-" : v.get<std::string>(); }

// "CN,HK,MO" or "AE,AM,AZ,BH,BY,CN +32"; "any" for none.
std::string Joined(const Json& list) {
  std::string out;
  for (size_t i = 0; i < list.size() && i < kPlacesShown; ++i) {
    out += (out.empty() ? "" : ",") + list[i].get<std::string>();
  }
  if (list.size() > kPlacesShown) out += " +" + std::to_string(list.size() - kPlacesShown);
  return out.empty() ? "any" : out;
}

std::string Shortened(const std::string& text) {
  return text.size() <= kSummaryWidth ? text : text.substr(0, kSummaryWidth - 3) + "...";
}

}  // namespace

void WriteLicenceTable(const nlohmann::ordered_json& licences, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  for (const Json& l : licences) {
    rows.push_back({l["id"].get<std::string>(), l["holder"].get<std::string>(),
                    l["jurisdiction"].get<std::string>(), Joined(l["models"]),
                    Joined(l["locations"]), l["status"].get<std::string>(),
                    l["state"].get<std::string>(),
                    Text(l["valid_from"]) + " .. " + Text(l["valid_to"]),
                    l.contains("revenue_share_pct")
                        ? fmt::format("{:g}%", l["revenue_share_pct"].get<double>())
                        : "-"});
  }
  report::WriteTextTable({"id", "holder", "jurisdiction", "models", "where", "status",
                          "on the date", "valid", "revenue share"},
                         rows, out);
}

namespace {

void WriteRules(const Json& r, std::ostream& out) {
  out << "rules in force on " << r["date"].get<std::string>() << ": " << r["rules"].size() << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const Json& rule : r["rules"]) {
    rows.push_back({rule["id"].get<std::string>(), std::to_string(rule["version"].get<int>()),
                    rule["jurisdiction"].get<std::string>(), rule["kind"].get<std::string>(),
                    rule["action"].get<std::string>(), Text(rule["effective_from"]),
                    Joined(rule["locations"]), Shortened(rule["summary"].get<std::string>())});
  }
  report::WriteTextTable(
      {"id", "version", "jurisdiction", "kind", "action", "from", "where", "summary"}, rows, out);
  if (r["licences"].empty()) return;
  out << "\nlicences on file:\n";
  WriteLicenceTable(r["licences"], out);
}

int Print(const Json& report, bool json) {
  if (json) {
    std::cout << report::DumpJson(report, 1) << '\n';
  } else {
    WriteRules(report, std::cout);
  }
  return 0;
}

int Run(const RulesFlags& f) {
  if (f.url->count() > 0) {
    if (!f.input.catalog.empty() || !f.input.rules.empty() || !f.input.overlays.empty()) {
      return Fail(Status::InvalidArgument(
          "--catalog, --rules and --overlay are for rule files: with --url gpufleetd shows the "
          "rules it runs on"));
    }
    ApiClient client(f.client);
    std::vector<std::pair<std::string, std::string>> query;
    if (!f.at.empty()) query.emplace_back("at", f.at);
    Result<nlohmann::json> reply = client.Get("/v1/rules", query);
    if (!reply.ok()) return ReportClientError("rules", reply.status());
    return Print(Json::parse(reply->dump()), f.json);
  }
  auto input = cmdline::LoadComplianceInput(f.input);
  if (!input.ok()) return Fail(input.status());
  const Result<Date> at = cmdline::ParseAtFlag(f.at);
  if (!at.ok()) return Fail(at.status());
  return Print(compliance::RulesInForceJson(input->rules, *at), f.json);
}

struct ScheduleFlags {
  ClientFlags client;
  std::string file;
  std::string effective_at;
  std::string id;
  bool dry_run = false;
};

void PrintChange(const nlohmann::json& c) {
  std::cout << c["id"].get<std::string>() << " " << c["name"].get<std::string>() << ": "
            << c["state"].get<std::string>() << ", effective " << c["effective"].get<std::string>()
            << " (ledger entry " << c["entry"].get<int64_t>() << ")\n";
}

Status ScheduleChange(ApiClient& client, const ScheduleFlags& f) {
  Result<std::string> text = codec::ReadTextFile(f.file);
  if (!text.ok()) return text.status();
  nlohmann::json body = {{"change", *text},
                         {"name", std::filesystem::path(f.file).filename().string()}};
  if (!f.effective_at.empty()) body["effective_at"] = f.effective_at;
  if (f.dry_run) body["dry_run"] = true;
  Result<nlohmann::json> reply = client.Post("/v1/rules/changes", body);
  if (!reply.ok()) return reply.status();
  PrintReply(*reply, f.client, [&](const nlohmann::json& r) {
    if (f.dry_run) {
      std::cout << "dry run: nothing scheduled\n";
      WriteImpactText(Json::parse(r.dump()), std::cout);
    } else {
      PrintChange(r);
    }
  });
  return Status::Ok();
}

}  // namespace

void AddRulesCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<RulesFlags>();
  CLI::App* cmd = app.add_subcommand(
      "rules",
      "The rules in force on a date and the licences on file: from the rule files, or with "
      "--url as gpufleetd runs them");
  cmdline::AddComplianceInputOptions(*cmd, f->input);
  cmd->add_option("--at", f->at, "Date YYYY-MM-DD (default: today; with --url, the service's)");
  cmd->add_flag("--json", f->json, "JSON instead of text");
  f->url = AddServiceOptions(*cmd, f->client);
  cmd->callback([cmd, f, &exit_code] {
    if (cmd->get_subcommands().empty()) exit_code = Run(*f);  // not schedule, changes, withdraw
  });

  auto s = std::make_shared<ScheduleFlags>();
  CLI::App* schedule = cmd->add_subcommand(
      "schedule",
      "Schedule a rule change (a change file) on gpufleetd to take effect at an instant: a ledger "
      "entry; the scheduler obeys it from then on");
  AddClientOptions(*schedule, s->client);
  schedule->add_option("file", s->file, "change file YAML (examples/changes/ format)")->required();
  schedule->add_option("--effective-at", s->effective_at,
                       "YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SSZ; default now");
  schedule->add_flag("--dry-run", s->dry_run,
                     "report the impact on the effective day and schedule nothing");
  schedule->callback(ClientCallback("rules schedule", s->client, exit_code,
                                    [s](ApiClient& c) { return ScheduleChange(c, *s); }));

  CLI::App* changes =
      cmd->add_subcommand("changes", "The rule changes scheduled on gpufleetd, with their state");
  AddClientOptions(*changes, s->client);
  changes->callback(ClientCallback("rules changes", s->client, exit_code, [s](ApiClient& c) {
    Result<nlohmann::json> reply = c.Get("/v1/rules/changes");
    if (!reply.ok()) return reply.status();
    PrintReply(*reply, s->client, [](const nlohmann::json& r) {
      if (r["changes"].empty()) std::cout << "no rule changes scheduled\n";
      for (const nlohmann::json& change : r["changes"]) PrintChange(change);
    });
    return Status::Ok();
  }));

  CLI::App* withdraw = cmd->add_subcommand(
      "withdraw", "Withdraw a pending rule change on gpufleetd (a ledger entry)");
  AddClientOptions(*withdraw, s->client);
  withdraw->add_option("id", s->id, "the change's id (rc-1, ...)")->required();
  withdraw->callback(ClientCallback("rules withdraw", s->client, exit_code, [s](ApiClient& c) {
    Result<nlohmann::json> reply = c.Delete("/v1/rules/changes/" + s->id);
    if (!reply.ok()) return reply.status();
    PrintReply(*reply, s->client, PrintChange);
    return Status::Ok();
  }));
}

}  // namespace gpufleet::cli
