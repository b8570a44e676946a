#include "cli/impact_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "cli/api_client.h"
#include "gpufleet/cmdline/compliance_input.h"
#include "gpufleet/codec/text_file.h"
#include "gpufleet/compliance/impact.h"
#include "gpufleet/compliance/report_json.h"
#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/report/json_text.h"
#include "gpufleet/report/svg_chart.h"
#include "gpufleet/report/text_table.h"

namespace gpufleet::cli {
namespace {

using compliance::ImpactReport;
using compliance::TransitionCounts;
using Json = nlohmann::ordered_json;

constexpr int kExitInputError = 1;

struct ImpactFlags {
  cmdline::ComplianceInputFlags input;
  ClientFlags client;  // with --url (or $GPUFLEET_URL): gpufleetd runs the dry run
  CLI::Option* url = nullptr;
  std::string fleet;
  std::string change;
  std::string at;
  std::string jobs;
  std::string out_dir;
  bool json = false;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet impact: %s\n", s.ToString().c_str());
  return kExitInputError;
}

std::string Pct(const std::optional<double>& pct) {
  return pct ? fmt::format("{:g}%", *pct) : std::string("?");
}

int64_t Int(const Json& j, const char* key) { return j[key].get<int64_t>(); }
std::string Str(const Json& j, const char* key) { return j[key].get<std::string>(); }

// Only the groups something happened to: an unchanged site is noise in a what-if report.
void WriteGroupTable(const std::string& title, const std::string& key, const Json& groups,
                     std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, c] : groups.items()) {
    if (Int(c, "became_violation") == 0 && Int(c, "cleared") == 0 && Int(c, "became_manual") == 0 &&
        Int(c, "new_warning") == 0) {
      continue;
    }
    rows.push_back(
        {name, std::to_string(Int(c, "became_violation")), std::to_string(Int(c, "cleared")),
         std::to_string(Int(c, "became_manual")), std::to_string(Int(c, "new_warning")),
         fmt::format("{} -> {}", Int(c, "violations_before"), Int(c, "violations_after"))});
  }
  if (rows.empty()) return;
  out << '\n' << title << ":\n";
  report::WriteTextTable(
      {key, "newly non-compliant", "cleared", "newly manual", "new warnings", "violations"}, rows,
      out);
}

std::string QuotaSideText(const Json& s) {
  if (s.is_null()) return "not in force";
  return fmt::format("{:.1f}% (threshold {:g}%{})", s["share_pct"].get<double>(),
                     s["threshold_pct"].get<double>(),
                     s["breached"].get<bool>() ? ", breached" : "");
}

}  // namespace

// The report as text, from its JSON (compliance::ImpactJson): the same for a fleet file here
// and for gpufleetd's living inventory.
void WriteImpactText(const Json& r, std::ostream& out) {
  const Json& t = r["total"];
  out << fmt::format("impact of {} on {} ({} assets checked)\n", Str(r, "change"), Str(r, "date"),
                     Int(r, "assets_checked"));
  out << fmt::format(
      "  {} GPUs become non-compliant, {} become compliant, {} newly need manual "
      "classification, {} get new warnings\n",
      Int(t, "became_violation"), Int(t, "cleared"), Int(t, "became_manual"),
      Int(t, "new_warning"));
  out << fmt::format("  violations: {} before -> {} after\n", Int(t, "violations_before"),
                     Int(t, "violations_after"));
  if (!r["jobs"].empty()) {
    out << fmt::format("  jobs losing their placement: {} of {} ({} GPUs)\n",
                       Int(r, "jobs_losing_placement"), r["jobs"].size(),
                       Int(r, "gpus_losing_placement"));
  }
  if (r.contains("queued_jobs_losing_placement")) {
    out << fmt::format("  queued jobs left with nowhere to run: {}\n",
                       Int(r, "queued_jobs_losing_placement"));
  }
  out << fmt::format("  new obligations: {}\n", r["new_obligations"].size());
  WriteGroupTable("by site", "site", r["by_site"], out);
  WriteGroupTable("by model", "model", r["by_model"], out);
  WriteGroupTable("by owner", "owner", r["by_owner"], out);
  if (Int(r, "jobs_losing_placement") > 0) {
    out << "\njobs losing their placement:\n";
    std::vector<std::vector<std::string>> rows;
    for (const Json& ji : r["jobs"]) {
      if (!ji["loses_placement"].get<bool>()) continue;
      rows.push_back({Str(ji, "job"), Str(ji, "tenant_org"), Str(ji, "site"), Str(ji, "model"),
                      std::to_string(Int(ji, "gpus")), Str(ji, "status"),
                      fmt::format("{} -> {}{}", Str(ji, "before"), Str(ji, "after"),
                                  ji["manual_after"].get<bool>() ? " (manual)" : "")});
    }
    report::WriteTextTable({"job", "org", "site", "model", "gpus", "status", "verdict"}, rows, out);
  }
  if (r.contains("queued_jobs") && !r["queued_jobs"].empty()) {
    out << "\nqueued jobs left with nowhere to run (places: the site, model pairs the rules let "
           "them use):\n";
    std::vector<std::vector<std::string>> rows;
    for (const Json& q : r["queued_jobs"]) {
      std::string models;
      for (const Json& m : q["models"])
        models += (models.empty() ? "" : ",") + m.get<std::string>();
      rows.push_back({Str(q, "job"), Str(q, "tenant"), Str(q, "tenant_org"),
                      models.empty() ? "any" : models,
                      fmt::format("{} -> {}", Int(q, "places_before"), Int(q, "places_after"))});
    }
    report::WriteTextTable({"job", "tenant", "org", "models", "places"}, rows, out);
  }
  if (!r["new_obligations"].empty()) {
    out << "\nnew obligations:\n";
    std::vector<std::vector<std::string>> rows;
    for (const Json& o : r["new_obligations"]) {
      const bool share = Str(o, "kind") == compliance::ObligationKindName(
                                               compliance::Obligation::Kind::kRevenueShare);
      std::string what =
          share ? "revenue share " + Pct(o.contains("revenue_share_pct")
                                             ? std::optional(o["revenue_share_pct"].get<double>())
                                             : std::nullopt)
                : "licence";
      if (o.contains("licence")) what += " (" + Str(o, "licence") + " on file)";
      rows.push_back({Str(o, "site"), Str(o, "model"), Str(o, "owner"),
                      std::to_string(Int(o, "assets")), what,
                      Str(o, "jurisdiction") + " " + Str(o, "rule")});
    }
    report::WriteTextTable({"site", "model", "owner", "assets", "obligation", "rule"}, rows, out);
  }
  if (!r["quotas"].empty()) {
    out << "\nquota shares, before -> after:\n";
    for (const Json& q : r["quotas"]) {
      const bool min = Str(q, "measure") ==
                       compliance::QuotaMeasureName(compliance::QuotaMeasure::kDomesticShareMin);
      out << fmt::format("  {} {} ({} share): {} -> {}\n", Str(q, "id"), Str(q, "scope"),
                         min ? "domestic" : "external", QuotaSideText(q["before"]),
                         QuotaSideText(q["after"]));
    }
  }
}

namespace {

// A grouped bar chart, per site: non-compliant GPUs before and after. Hand-written (the
// report library draws line charts only); every name goes through XmlEscape.
void WriteSvg(const ImpactReport& r, const std::string& change, std::ostream& out) {
  constexpr int kBarWidth = 22;
  constexpr int kGroupGap = 26;
  constexpr int kMarginLeft = 60;
  constexpr int kMarginTop = 50;
  constexpr int kMarginBottom = 90;
  constexpr int kPlotHeight = 300;
  constexpr int kLegendWidth = 160;
  constexpr std::string_view kBefore = "#4e79a7";
  constexpr std::string_view kAfter = "#e15759";
  std::vector<std::pair<std::string, TransitionCounts>> sites(r.by_site.begin(), r.by_site.end());
  int64_t max = 1;
  for (const auto& [name, c] : sites)
    max = std::max({max, c.violations_before, c.violations_after});
  const int groups = static_cast<int>(sites.size());
  const int plot_width = std::max(200, groups * (2 * kBarWidth + kGroupGap) + kGroupGap);
  const std::string title =
      "Non-compliant GPUs per site, before and after " + change + " (" + r.date.ToString() + ")";
  constexpr int kTitleCharWidth = 8;  // average glyph width at the title's 15 px
  const int width = std::max(kMarginLeft + plot_width + kLegendWidth,
                             kMarginLeft * 2 + static_cast<int>(title.size()) * kTitleCharWidth);
  const int height = kMarginTop + kPlotHeight + kMarginBottom;
  const int base_y = kMarginTop + kPlotHeight;
  auto bar_height = [&](int64_t v) {
    return static_cast<int>(static_cast<double>(v) / static_cast<double>(max) * kPlotHeight);
  };
  out << R"(<?xml version="1.0" encoding="UTF-8"?>)" << '\n';
  out << fmt::format(
             R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif" font-size="12">)",
             width, height)
      << '\n';
  out << fmt::format(R"(<rect width="{}" height="{}" fill="white"/>)", width, height) << '\n';
  out << fmt::format(R"(<text x="{}" y="25" font-size="15">{}</text>)", kMarginLeft,
                     report::XmlEscape(title))
      << '\n';
  out << fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="black"/>)", kMarginLeft,
                     kMarginTop, base_y)
      << '\n';
  out << fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="black"/>)", kMarginLeft,
                     base_y, kMarginLeft + plot_width)
      << '\n';
  out << fmt::format(R"(<text x="{}" y="{}" text-anchor="end">{}</text>)", kMarginLeft - 6,
                     kMarginTop + 4, max)
      << '\n';
  out << fmt::format(R"(<text x="{}" y="{}" text-anchor="end">0</text>)", kMarginLeft - 6,
                     base_y + 4)
      << '\n';
  int x = kMarginLeft + kGroupGap;
  for (const auto& [name, c] : sites) {
    for (const auto& [value, colour, offset] :
         {std::tuple{c.violations_before, kBefore, 0}, std::tuple{c.violations_after, kAfter, 1}}) {
      const int h = bar_height(value);
      const int bx = x + offset * kBarWidth;
      out << fmt::format(
                 R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>)",
                 bx, base_y - h, kBarWidth - 2, h, colour, report::XmlEscape(name), value)
          << '\n';
      out << fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" font-size="10">{}</text>)",
                         bx + kBarWidth / 2, base_y - h - 3, value)
          << '\n';
    }
    const int label_x = x + kBarWidth;
    out << fmt::format(
               R"svg(<text x="{0}" y="{1}" text-anchor="end" transform="rotate(-40 {0} {1})">{2}</text>)svg",
               label_x, base_y + 14, report::XmlEscape(name))
        << '\n';
    x += 2 * kBarWidth + kGroupGap;
  }
  const int lx = kMarginLeft + plot_width + 20;
  int ly = kMarginTop + 10;
  for (const auto& [label, colour] : {std::pair{"before", kBefore}, std::pair{"after", kAfter}}) {
    out << fmt::format(R"(<rect x="{}" y="{}" width="14" height="14" fill="{}"/>)", lx, ly - 11,
                       colour)
        << '\n';
    out << fmt::format(R"(<text x="{}" y="{}">{}</text>)", lx + 20, ly, label) << '\n';
    ly += 20;
  }
  out << "</svg>\n";
}

Status WriteOutputs(const ImpactReport& r, const std::string& change, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  const std::string json_path = dir + "/impact.json";
  std::ofstream json(json_path);
  json << report::DumpJson(compliance::ImpactJson(r, change), 1) << '\n';
  if (!json) return Status::IOError("cannot write " + json_path);
  const std::string svg_path = dir + "/impact.svg";
  std::ofstream svg(svg_path);
  WriteSvg(r, change, svg);
  if (!svg) return Status::IOError("cannot write " + svg_path);
  return Status::Ok();
}

// gpufleetd's dry run: its living inventory and the jobs running now, its rules.
int RunRemote(const ImpactFlags& f) {
  if (!f.fleet.empty() || !f.jobs.empty() || !f.out_dir.empty() || !f.input.catalog.empty() ||
      !f.input.rules.empty() || !f.input.overlays.empty()) {
    return Fail(Status::InvalidArgument(
        "--fleet, --jobs, --out, --catalog, --rules and --overlay are for a dry run here: "
        "gpufleetd runs it on its living inventory and running jobs with its own rules"));
  }
  auto change_text = codec::ReadTextFile(f.change);
  if (!change_text.ok()) return Fail(change_text.status());
  nlohmann::json body = {{"change", *change_text},
                         {"name", std::filesystem::path(f.change).filename().string()}};
  if (!f.at.empty()) body["at"] = f.at;
  ApiClient client(f.client);
  Result<nlohmann::json> reply = client.Post("/v1/compliance/impact", body);
  if (!reply.ok()) return ReportClientError("impact", reply.status());
  const Json report = Json::parse(reply->dump());
  if (f.json) {
    std::cout << report::DumpJson(report, 1) << '\n';
  } else {
    WriteImpactText(report, std::cout);
  }
  return 0;
}

int Run(const ImpactFlags& f) {
  if (f.url->count() > 0) return RunRemote(f);
  auto loaded = cmdline::LoadFleetInput(f.input, f.fleet, f.at);
  if (!loaded.ok()) return Fail(loaded.status());
  const cmdline::ComplianceInput& input = loaded->compliance;
  const inventory::Inventory& fleet = loaded->fleet;
  const Date at = loaded->at;
  // The change is merged into the rule document, not into the parsed RuleSet (rule_change.h).
  auto change_text = codec::ReadTextFile(f.change);
  if (!change_text.ok()) return Fail(change_text.status());
  auto after = compliance::ApplyChange(input.rules_text, input.rules_path, *change_text, f.change,
                                       input.catalog.IdsByName());
  if (!after.ok()) return Fail(after.status());
  std::vector<compliance::JobPlacement> jobs;
  if (!f.jobs.empty()) {
    auto read = compliance::ReadPlacementSnapshot(f.jobs, fleet, input.catalog);
    if (!read.ok()) return Fail(read.status());
    jobs = std::move(read).value();
  }
  const ImpactReport report =
      compliance::Impact(fleet, input.catalog, input.rules, *after, at, jobs);
  const Json j = compliance::ImpactJson(report, f.change);
  if (f.json) {
    std::cout << report::DumpJson(j, 1) << '\n';
  } else {
    WriteImpactText(j, std::cout);
  }
  if (!f.out_dir.empty()) {
    const Status s = WriteOutputs(report, f.change, f.out_dir);
    if (!s.ok()) return Fail(s);
  }
  return 0;
}

}  // namespace

void AddImpactCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<ImpactFlags>();
  CLI::App* cmd = app.add_subcommand(
      "impact",
      "What a proposed rule change would change for a fleet on a date: assets becoming "
      "non-compliant or compliant, jobs losing their placement, new obligations, quota shares");
  cmdline::AddComplianceInputOptions(*cmd, f->input);
  cmd->add_option("--fleet", f->fleet,
                  "Fleet inventory YAML (see examples/fleet.yaml); or --url: gpufleetd's living "
                  "inventory and running jobs");
  cmd->add_option("--change", f->change,
                  "Change file YAML (see examples/changes/ and docs/compliance.md)")
      ->required();
  cmd->add_option("--at", f->at, "Date YYYY-MM-DD (with --url, default: the service's day)");
  cmd->add_option("--jobs", f->jobs,
                  "Placement snapshot CSV: job,tenant_org,site,model,gpus,status "
                  "(see examples/placements.csv)");
  cmd->add_option("--out", f->out_dir, "Directory to write impact.json and impact.svg to");
  cmd->add_flag("--json", f->json, "JSON instead of text");
  f->url = AddServiceOptions(*cmd, f->client);
  cmd->callback([f, &exit_code] {
    if (f->url->count() == 0 && (f->fleet.empty() || f->at.empty())) {
      throw CLI::RequiredError(
          "--fleet FILE and --at DATE (or --url, for gpufleetd's dry run on its living "
          "inventory)");
    }
    exit_code = Run(*f);
  });
}

}  // namespace gpufleet::cli
