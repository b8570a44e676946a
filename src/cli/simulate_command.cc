#include "cli/simulate_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/sim_input.h"
#include "gpufleet/codec/alibaba_trace.h"
#include "gpufleet/model/utf8.h"
#include "gpufleet/report/saturation_report.h"
#include "gpufleet/sim/event_replay.h"
#include "gpufleet/sim/saturation.h"

namespace gpufleet::cli {

namespace {

constexpr int kExitInputError = 1;

struct SimulateFlags {
  SimInputFlags input;
  std::string mode = "saturation";
  std::vector<std::string> policies;
  int seeds = 1;
  uint64_t first_seed = 42;
  double tune = 1.3;
  std::string arrival_order;
  std::string node_order;
  bool partial_node_order = false;
  std::string decisions;
  std::string out;
  bool json = false;
  bool linear = false;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "gpufleet simulate: %s\n", s.ToString().c_str());
  return kExitInputError;
}

// Writes `write(stream)` to dir/name, reporting failures as a Status.
template <typename Fn>
Status WriteFile(const std::string& dir, const std::string& name, Fn write) {
  const std::string path = dir + "/" + name;
  std::ofstream f(path);
  if (!f) return Status::IOError("cannot write '" + Excerpt(path) + "'");
  write(f);
  f.close();
  if (!f) return Status::IOError("error writing '" + Excerpt(path) + "'");
  return Status::Ok();
}

// Creates `dir` and the folders above it, as --out and --decisions both do.
Status CreateDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create '" + Excerpt(dir.string()) + "': " + ec.message());
  return Status::Ok();
}

// Makes sure the run's outputs can be written before the run, which may take minutes: creates
// the --out directory, and the --decisions file's folder, and opens that file (without
// changing it) to learn that it can be written.
Status PrepareOutputs(const SimulateFlags& flags) {
  if (!flags.out.empty()) GPUFLEET_RETURN_IF_ERROR(CreateDirectories(flags.out));
  if (flags.decisions.empty()) return Status::Ok();
  const std::filesystem::path decisions(flags.decisions);
  if (decisions.has_parent_path()) {
    GPUFLEET_RETURN_IF_ERROR(CreateDirectories(decisions.parent_path()));
  }
  std::error_code ec;
  const bool existed = std::filesystem::exists(decisions, ec);
  if (!std::ofstream(decisions, std::ios::app)) {
    return Status::IOError("--decisions: cannot write '" + Excerpt(flags.decisions) + "'");
  }
  // The probe leaves no empty file behind if the run fails.
  if (!existed) std::filesystem::remove(decisions, ec);
  return Status::Ok();
}

// Each policy once: a repeated one would run twice and be reported as one.
Status CheckPolicies(const std::vector<std::string>& policies) {
  for (size_t i = 0; i < policies.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (policies[j] == policies[i]) {
        return Status::InvalidArgument("--policies: '" + Excerpt(policies[i]) + "' given twice");
      }
    }
  }
  return Status::Ok();
}

// Writes each (file name, writer) pair into the --out directory (PrepareOutputs created it).
Status WriteOutputs(
    const std::string& dir,
    const std::vector<std::pair<std::string, std::function<void(std::ostream&)>>>& files) {
  for (const auto& [name, write] : files) GPUFLEET_RETURN_IF_ERROR(WriteFile(dir, name, write));
  return Status::Ok();
}

std::vector<uint64_t> Seeds(const SimulateFlags& flags) {
  std::vector<uint64_t> seeds;
  for (int i = 0; i < flags.seeds; ++i) seeds.push_back(flags.first_seed + i);
  return seeds;
}

// The checks of the flags that need no input; PrepareOutputs last, as it creates folders.
Status CheckFlags(const SimulateFlags& flags) {
  if (flags.mode == "events" &&
      (!flags.arrival_order.empty() || !flags.node_order.empty() || !flags.decisions.empty())) {
    return Status::InvalidArgument(
        "--arrival-order, --node-order and --decisions apply to --mode saturation only");
  }
  GPUFLEET_RETURN_IF_ERROR(CheckPolicies(flags.policies));
  return PrepareOutputs(flags);
}

int RunEventMode(const SimulateFlags& flags, const SimInput& input) {
  sim::EventOptions options;
  options.policies = flags.policies;
  options.seeds = Seeds(flags);
  options.indexed = !flags.linear;
  report::ProgressBar progress(std::cerr, report::IsTerminal(stderr));
  options.on_progress = [&](size_t done, size_t total) { progress.Update(done, total, "runs"); };
  auto result = sim::RunEventReplay(input.fleet, input.pods, options);
  progress.Finish();
  if (!result.ok()) return Fail(result.status());
  sim::EventReport& rep = *result;
  rep.trace = input.label;
  if (flags.json) {
    report::WriteEventJson(rep, std::cout);
  } else {
    report::WriteEventTable(rep, std::cout);
  }
  if (!flags.out.empty()) {
    const Status s = WriteOutputs(
        flags.out,
        {{"events.csv", [&](std::ostream& o) { report::WriteEventCsv(rep, o); }},
         {"events_summary.csv", [&](std::ostream& o) { report::WriteEventSummaryCsv(rep, o); }},
         {"events.json", [&](std::ostream& o) { report::WriteEventJson(rep, o); }},
         {"utilisation.svg", [&](std::ostream& o) { report::WriteEventSvgPlot(rep, o, {}); }}});
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "report: %s/events.json (CSV: events.csv, events_summary.csv)\n",
                 flags.out.c_str());
    std::fprintf(stderr, "plot:   %s/utilisation.svg\n", flags.out.c_str());
  }
  return 0;
}

int RunSaturationMode(const SimulateFlags& flags, const SimInput& input) {
  sim::SaturationOptions options;
  options.tune = flags.tune;
  options.policies = flags.policies;
  options.indexed = !flags.linear;
  options.seeds = Seeds(flags);
  if (!flags.arrival_order.empty()) {
    auto rows = codec::ReadArrivalOrder(flags.arrival_order);
    if (!rows.ok()) return Fail(rows.status());
    options.arrival_order = std::move(rows).value();
  }
  if (!flags.node_order.empty()) {
    auto names = codec::ReadNodeOrder(flags.node_order);
    if (!names.ok()) return Fail(names.status());
    const Status checked =
        CheckNodeOrder(input.fleet, *names, flags.node_order, flags.partial_node_order);
    if (!checked.ok()) return Fail(checked);
    options.node_order = std::move(names).value();
  }
  report::ProgressBar progress(std::cerr, report::IsTerminal(stderr));
  options.on_progress = [&](size_t done, size_t total) { progress.Update(done, total, "runs"); };
  std::vector<std::vector<sim::ArrivalDecision>> decisions;
  auto result = sim::RunSaturation(input.fleet, input.pods, options,
                                   flags.decisions.empty() ? nullptr : &decisions);
  progress.Finish();
  if (!result.ok()) return Fail(result.status());
  sim::SaturationReport& rep = *result;
  rep.trace = input.label;

  if (flags.json) {
    report::WriteJson(rep, std::cout);
  } else {
    report::WriteTable(rep, std::cout);
  }
  if (!flags.decisions.empty() && !decisions.empty()) {
    std::vector<codec::ArrivalRow> rows;
    for (const sim::ArrivalDecision& d : decisions.front()) {
      codec::ArrivalRow row{d.pod, input.pods[d.trace_index].name, "", {}};
      if (d.assignment) {
        row.node = input.fleet.node(d.assignment->node).name;
        for (int g = 0; g < kMaxGpusPerNode; ++g) {
          if (d.assignment->gpu_mask >> g & 1) row.gpus.push_back(g);
        }
      }
      rows.push_back(std::move(row));
    }
    const Status s = codec::WriteArrivalOrder(flags.decisions, rows);
    if (!s.ok()) return Fail(s);
  }
  if (!flags.out.empty()) {
    const Status s = WriteOutputs(
        flags.out,
        {{"saturation.csv", [&](std::ostream& o) { report::WriteCsv(rep, o); }},
         {"summary.csv", [&](std::ostream& o) { report::WriteSummaryCsv(rep, o); }},
         {"saturation.json", [&](std::ostream& o) { report::WriteJson(rep, o); }},
         {"allocation.svg", [&](std::ostream& o) { report::WriteSvgPlot(rep, o, {}); }}});
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "report: %s/saturation.json (CSV: saturation.csv, summary.csv)\n",
                 flags.out.c_str());
    std::fprintf(stderr, "plot:   %s/allocation.svg\n", flags.out.c_str());
  }
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<SimulateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Run the saturation experiment or an event replay on a trace or synthetic fleet");
  AddSimInputOptions(*cmd, flags->input);
  cmd->add_option("--mode", flags->mode, "saturation (FGD paper experiment) or events (replay)")
      ->check(CLI::IsMember({"saturation", "events"}))
      ->capture_default_str();
  cmd->add_option("--policies", flags->policies, "Policies to run (default: all)")->delimiter(',');
  cmd->add_option("--seeds", flags->seeds, "Number of seeds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--seed", flags->first_seed, "First seed")->capture_default_str();
  cmd->add_option("--tune", flags->tune, "Stop at this multiple of cluster GPU capacity")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--arrival-order", flags->arrival_order,
                  "Explicit arrival order (CSV arrival,pod,trace_pod[,node,gpu_index])");
  auto* node_order = cmd->add_option("--node-order", flags->node_order,
                                     "Explicit tie-break order (CSV rank,node): every node once");
  cmd->add_flag("--partial-node-order", flags->partial_node_order,
                "Let --node-order leave nodes out: they rank after the named ones, in the order "
                "of the node list")
      ->needs(node_order);
  cmd->add_option("--decisions", flags->decisions,
                  "Write the first run's decisions here, in the arrival-order format");
  cmd->add_option("--out", flags->out, "Directory for CSV, JSON and SVG outputs");
  cmd->add_flag("--json", flags->json, "Print JSON instead of the table");
  cmd->add_flag("--linear", flags->linear, "Use the linear-scan reference placer");
  cmd->callback([flags, &exit_code]() {
    constexpr double kDefaultEventLoad = 1.1;  // a little more work than the fleet can do
    if (flags->mode == "events" && flags->input.synthetic_load == 0) {
      flags->input.synthetic_load = kDefaultEventLoad;
    }
    // Mistakes in the command line fail before any input is read or any run starts.
    const Status usable = CheckFlags(*flags);
    if (!usable.ok()) {
      exit_code = Fail(usable);
      return;
    }
    auto input = LoadSimInput(flags->input);
    if (!input.ok()) {
      exit_code = Fail(input.status());
      return;
    }
    exit_code =
        flags->mode == "events" ? RunEventMode(*flags, *input) : RunSaturationMode(*flags, *input);
  });
}

}  // namespace gpufleet::cli
