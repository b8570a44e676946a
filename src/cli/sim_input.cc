#include "cli/sim_input.h"

#include <filesystem>

#include "gpufleet/model/utf8.h"
#include "gpufleet/synth/synthetic.h"

namespace gpufleet::cli {

namespace {

constexpr std::string_view kLargePrefix = "large:";
// Mean GPU request per pod of the openb-like mix (openb default: 6,086.8 GPUs over 8,152 pods).
constexpr double kOpenbGpusPerPod = 6086.8 / 8152;

Result<SimInput> LoadSynthetic(const SimInputFlags& flags) {
  synth::FleetSpec spec;
  if (flags.synthetic == "demo") {
    spec = synth::DemoFleetSpec();
  } else if (flags.synthetic.starts_with(kLargePrefix)) {
    int64_t gpus = 0;
    try {
      gpus = std::stoll(flags.synthetic.substr(kLargePrefix.size()));
    } catch (const std::exception&) {
      gpus = 0;
    }
    if (gpus <= 0) {
      return Status::InvalidArgument("--synthetic '" + flags.synthetic +
                                     "': expected large:<positive GPU count>");
    }
    spec = synth::LargeFleetSpec(gpus);
  } else {
    return Status::InvalidArgument("--synthetic '" + flags.synthetic +
                                   "': expected demo or large:<gpus>");
  }
  auto fleet = synth::GenerateFleet(spec, flags.synthetic_seed);
  if (!fleet.ok()) return fleet.status();
  synth::WorkloadSpec workload;
  if (flags.synthetic_load > 0) {
    // Four capacities' worth of GPU-time arriving at the requested load keeps a queue long
    // enough to measure delays.
    constexpr double kCapacities = 4.0;
    workload.target_gpu_fraction = kCapacities;
    const double gpus = static_cast<double>(fleet->total_gpus());
    workload.arrival_rate_per_s =
        flags.synthetic_load * gpus / (kOpenbGpusPerPod * workload.mean_duration_s);
  }
  auto pods = synth::GenerateWorkload(workload, *fleet, flags.synthetic_seed);
  if (!pods.ok()) return pods.status();
  return SimInput{"synthetic-" + flags.synthetic, std::move(fleet).value(),
                  std::move(pods).value()};
}

}  // namespace

void AddSimInputOptions(CLI::App& cmd, SimInputFlags& flags) {
  auto* nodes = cmd.add_option("--nodes", flags.nodes, "Node list CSV (Alibaba trace format)");
  auto* pods = cmd.add_option("--pods", flags.pods, "Pod list CSV (Alibaba trace format)");
  auto* synthetic = cmd.add_option("--synthetic", flags.synthetic,
                                   "Generated fleet and workload: demo, or large:<gpus>");
  cmd.add_option("--synthetic-seed", flags.synthetic_seed, "Seed of the synthetic generators")
      ->capture_default_str();
  cmd.add_option("--synthetic-load", flags.synthetic_load,
                 "With --mode events: offered GPU load of the synthetic workload as a multiple "
                 "of capacity (default 1.1 in events mode)")
      ->check(CLI::PositiveNumber);
  nodes->needs(pods);
  pods->needs(nodes);
  synthetic->excludes(nodes)->excludes(pods);
}

Status CheckNodeOrder(const Fleet& fleet, const std::vector<std::string>& names,
                      const std::string& path, bool partial) {
  std::vector<bool> named(fleet.nodes().size(), false);
  for (const std::string& name : names) {
    const std::optional<NodeId> id = fleet.FindNode(name);
    if (!id)
      return Status::NotFound(path + ": '" + Excerpt(name) + "' is not a node of the cluster");
    named[id->value()] = true;
  }
  if (partial || names.size() == named.size()) return Status::Ok();
  for (size_t i = 0; i < named.size(); ++i) {
    if (named[i]) continue;
    return Status::InvalidArgument(
        path + ": names " + std::to_string(names.size()) + " of the cluster's " +
        std::to_string(named.size()) + " nodes, not '" + Excerpt(fleet.nodes()[i].name) +
        "'; list every node once, or give --partial-node-order to rank the nodes it leaves "
        "out after the named ones");
  }
  return Status::Ok();
}

Result<SimInput> LoadSimInput(const SimInputFlags& flags) {
  if (!flags.synthetic.empty()) return LoadSynthetic(flags);
  if (flags.nodes.empty()) {
    return Status::InvalidArgument("give --nodes and --pods, or --synthetic demo");
  }
  auto fleet = codec::ReadAlibabaNodes(flags.nodes);
  if (!fleet.ok()) return fleet.status();
  auto pods = codec::ReadAlibabaPods(flags.pods, *fleet);
  if (!pods.ok()) return pods.status();
  return SimInput{std::filesystem::path(flags.pods).stem().string(), std::move(fleet).value(),
                  std::move(pods).value()};
}

}  // namespace gpufleet::cli
