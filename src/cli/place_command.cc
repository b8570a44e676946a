#include "cli/place_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "gpufleet/cmdline/compliance_input.h"
#include "gpufleet/compliance/fleet_check.h"
#include "gpufleet/report/json_text.h"
#include "gpufleet/report/text_table.h"
#include "gpufleet/scheduler/batch.h"

namespace gpufleet::cli {
namespace {

constexpr int kExitInputError = 1;

struct PlaceFlags {
  cmdline::ComplianceInputFlags input;
  std::string fleet;
  std::string jobs;
  std::string at;
  std::string policy = "fgd";
  uint64_t seed = 42;
  std::string out;
  bool json = false;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet place: %s\n", s.ToString().c_str());
  return kExitInputError;
}

// Where a placed job's replicas went, grouped by site and model: (site, model) -> GPUs used
// (whole GPUs; a shared GPU counts as one) and nodes.
struct Spot {
  int64_t gpus = 0;
  std::vector<std::string> nodes;
};
std::map<std::pair<std::string, std::string>, Spot> Spots(const scheduler::InventoryFleet& fleet,
                                                          const scheduler::JobOutcome& o) {
  std::map<std::pair<std::string, std::string>, Spot> out;
  for (const Assignment& a : o.replicas) {
    const NodeSpec& n = fleet.fleet.node(a.node);
    Spot& s = out[{fleet.fleet.site(n.site).name, fleet.fleet.model(n.gpu_model).name}];
    s.gpus += std::popcount(a.gpu_mask);
    if (s.nodes.empty() || s.nodes.back() != n.name) s.nodes.push_back(n.name);
  }
  return out;
}

std::string GpusText(const scheduler::JobRequest& j) {
  const std::string per = j.pod.sharing() ? fmt::format("{:g}", j.pod.gpu_milli / 1000.0)
                                          : std::to_string(j.pod.gpu_count);
  return j.replicas == 1 ? per : std::to_string(j.replicas) + "x" + per;
}

nlohmann::ordered_json ReportJson(const scheduler::BatchReport& r,
                                  const scheduler::InventoryFleet& fleet, Date at,
                                  const std::string& policy) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["date"] = at.ToString();
  j["policy"] = policy;
  j["placed"] = r.placed;
  j["pending"] = r.pending;
  j["gpus_placed"] = static_cast<double>(r.gpu_milli_placed) / kMilliPerGpu;
  j["jobs"] = Json::array();
  for (const scheduler::JobOutcome& o : r.outcomes) {
    Json job = {{"job", o.job->id},
                {"tenant_org", o.job->tenant_org},
                {"data_class", o.job->data_class},
                {"priority", o.job->priority},
                {"replicas", o.job->replicas},
                {"gpus_per_replica", o.job->pod.total_gpu_milli() / double{kMilliPerGpu}},
                {"status", std::string(scheduler::PendingName(o.pending))}};
    if (o.pending == scheduler::Pending::kNone) {
      job["placements"] = Json::array();
      for (const Assignment& a : o.replicas) {
        const NodeSpec& n = fleet.fleet.node(a.node);
        job["placements"].push_back({{"node", n.name},
                                     {"site", fleet.fleet.site(n.site).name},
                                     {"model", fleet.fleet.model(n.gpu_model).name},
                                     {"gpu_mask", a.gpu_mask}});
      }
    } else {
      job["reason"] = o.reason;
      job["excluded_by_rule"] = Json::array();
      if (o.eligibility) {
        for (const scheduler::RuleExclusion& x :
             o.eligibility->ExclusionsFor(o.job->pod.allowed_models)) {
          job["excluded_by_rule"].push_back(
              {{"rule", x.rule_id},
               {"jurisdiction", x.jurisdiction},
               {"action", std::string(compliance::ActionName(x.action))},
               {"may_apply", x.may_apply},
               {"nodes", x.nodes},
               {"gpus", x.gpus},
               {"summary", x.summary}});
        }
      }
    }
    j["jobs"].push_back(std::move(job));
  }
  j["quarantined"] = Json::array();
  for (const scheduler::Quarantined& q : fleet.quarantined) {
    j["quarantined"].push_back(
        {{"site", q.site}, {"model", q.model}, {"gpus", q.gpus}, {"rules", q.rules}});
  }
  j["resale_caps"] = Json::array();
  for (const scheduler::CapFigure& c : r.caps) {
    j["resale_caps"].push_back({{"id", c.quota->id},
                                {"scope", c.scope},
                                {"basis", std::string(compliance::QuotaBasisName(c.quota->basis))},
                                {"external_share_pct", c.share_pct()},
                                {"threshold_pct", c.quota->threshold_pct}});
  }
  return j;
}

void WriteReport(const scheduler::BatchReport& r, const scheduler::InventoryFleet& fleet, Date at,
                 const std::string& policy, std::ostream& out) {
  out << fmt::format("placement on {} with {}: {} of {} jobs placed ({:g} GPUs), {} pending\n\n",
                     at.ToString(), policy, r.placed, r.outcomes.size(),
                     static_cast<double>(r.gpu_milli_placed) / kMilliPerGpu, r.pending);
  std::vector<std::vector<std::string>> rows;
  for (const scheduler::JobOutcome& o : r.outcomes) {
    std::string where;
    if (o.pending == scheduler::Pending::kNone) {
      for (const auto& [key, spot] : Spots(fleet, o)) {
        if (!where.empty()) where += ", ";
        where += fmt::format("{} {} x{} ({} node{})", key.first, key.second, spot.gpus,
                             spot.nodes.size(), spot.nodes.size() == 1 ? "" : "s");
      }
    }
    rows.push_back({o.job->id, o.job->tenant_org,
                    o.job->data_class.empty() ? "-" : o.job->data_class, GpusText(*o.job),
                    std::string(scheduler::PendingName(o.pending)), where});
  }
  report::WriteTextTable({"job", "tenant", "data", "gpus", "status", "where"}, rows, out);
  if (r.pending > 0) {
    out << "\npending jobs:\n";
    for (const scheduler::JobOutcome& o : r.outcomes) {
      if (o.pending != scheduler::Pending::kNone)
        out << "  " << o.job->id << ": " << o.reason << '\n';
    }
  }
  if (!fleet.quarantined.empty()) {
    out << "\nquarantined (in violation on the date, see `gpufleet check`; never placed on):\n";
    for (const scheduler::Quarantined& q : fleet.quarantined) {
      out << fmt::format("  {} {} x{}: {}\n", q.site, q.model, q.gpus, q.rules);
    }
  }
  if (!r.caps.empty()) {
    out << "\nresale caps (external tenants' allocation):\n";
    for (const scheduler::CapFigure& c : r.caps) {
      out << fmt::format("  {} {}: {:.1f}% of {} allocated to external tenants, cap {}%\n",
                         c.quota->id, c.scope, c.share_pct(),
                         compliance::QuotaBasisName(c.quota->basis), c.quota->threshold_pct);
    }
  }
}

// The placement snapshot `gpufleet impact --jobs` reads: one row per job, site and model.
Status WriteSnapshot(const std::string& path, const scheduler::BatchReport& r,
                     const scheduler::InventoryFleet& fleet) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream f(path);
  f << "job,tenant_org,data_class,site,model,gpus,status\n";
  for (const scheduler::JobOutcome& o : r.outcomes) {
    for (const auto& [key, spot] : Spots(fleet, o)) {
      f << o.job->id << ',' << o.job->tenant_org << ',' << o.job->data_class << ',' << key.first
        << ',' << key.second << ',' << spot.gpus << ",running\n";
    }
  }
  f.close();
  if (!f) return Status::IOError(path + ": cannot write");
  return Status::Ok();
}

int Run(const PlaceFlags& f) {
  auto loaded = cmdline::LoadFleetInput(f.input, f.fleet, f.at);
  if (!loaded.ok()) return Fail(loaded.status());
  const cmdline::ComplianceInput& input = loaded->compliance;
  const inventory::Inventory& inv = loaded->fleet;
  const Date at = loaded->at;
  const auto engine = compliance::MakeIndexedEngine(input.rules);
  const compliance::FleetCheckReport check =
      compliance::CheckFleet(inv, input.catalog, input.rules, *engine, at);
  auto fleet = scheduler::BuildInventoryFleet(inv, input.catalog, at, check);
  if (!fleet.ok()) return Fail(fleet.status());
  auto jobs = scheduler::ReadJobRequests(f.jobs, *fleet, inv, input.catalog);
  if (!jobs.ok()) return Fail(jobs.status());
  // FGD measures fragmentation against the batch's own shapes.
  std::vector<placement::TraceShape> shapes;
  for (const scheduler::JobRequest& j : *jobs) {
    for (int32_t i = 0; i < j.replicas; ++i) {
      shapes.push_back({j.pod.cpu_milli, j.pod.gpu_milli, j.pod.gpu_count,
                        std::to_string(j.pod.allowed_models.bits()), j.pod.allowed_models});
    }
  }
  placement::PolicyOptions options;
  options.typical_tasks = placement::BuildTypicalTasks(shapes);
  auto policy = placement::MakePolicy(f.policy, options);
  if (!policy.ok()) return Fail(Status::InvalidArgument("--policy: " + policy.status().message()));
  scheduler::EligibilityCache eligibility(*fleet, inv, *engine, at);
  const scheduler::BatchReport report =
      scheduler::ScheduleBatch(*fleet, inv, input.rules, eligibility, at, **policy, *jobs, f.seed);
  if (!f.out.empty()) {
    if (Status s = WriteSnapshot(f.out, report, *fleet); !s.ok()) return Fail(s);
  }
  if (f.json) {
    std::cout << report::DumpJson(ReportJson(report, *fleet, at, f.policy), 1) << '\n';
  } else {
    WriteReport(report, *fleet, at, f.policy, std::cout);
  }
  return 0;
}

}  // namespace

void AddPlaceCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<PlaceFlags>();
  CLI::App* cmd = app.add_subcommand(
      "place",
      "Place a batch of jobs on a fleet on a date, compliance-aware; every pending job says "
      "why (exit 0 whatever is placed, 1 on bad input)");
  cmdline::AddComplianceInputOptions(*cmd, f->input);
  cmd->add_option("--fleet", f->fleet, "Fleet inventory YAML (see examples/fleet.yaml)")
      ->required();
  cmd->add_option("--jobs", f->jobs,
                  "Jobs CSV: job,tenant_org,gpus[,data_class,models,replicas,priority,cpu,"
                  "memory_gib] (see examples/jobs.csv)")
      ->required();
  cmd->add_option("--at", f->at, "Date YYYY-MM-DD (default: today)");
  cmd->add_option("--policy", f->policy,
                  "fgd | bestfit | dotprod | packing | clustering | random | firstfit")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Seed for random choices")->capture_default_str();
  cmd->add_option("--out", f->out,
                  "Write the placements as a snapshot CSV that `impact --jobs` reads");
  cmd->add_flag("--json", f->json, "JSON instead of text");
  cmd->callback([f, &exit_code] { exit_code = Run(*f); });
}

}  // namespace gpufleet::cli
