// Named fleet presets. Device memory is the vendors' published figure per accelerator;
// node shapes follow common 8-GPU server designs (dual-socket hosts, 1-2 TiB of memory).

#include <string>

#include "gpufleet/synth/synthetic.h"

namespace gpufleet::synth {

namespace {

constexpr int64_t kMiBPerGiB = 1024;
constexpr int64_t kMiBPerTiB = 1024 * kMiBPerGiB;
constexpr int64_t kMilliPerCore = 1000;

// Demo fleet size: big enough for fragmentation to show, small enough to read a report.
constexpr int64_t kDemoFleetGpus = 3072;

constexpr std::string_view kSelfOperated = "self";
constexpr std::string_view kCloudProvider = "acme-cloud";

}  // namespace

FleetSpec DemoFleetSpec() {
  FleetSpec spec;
  // Weights: the home region carries most nodes; the two rented sites split the H100s.
  spec.sites = {
      {"cn-bj-01", "CN", std::string(kSelfOperated), Ownership::kOwned, 3.0},     // Beijing
      {"cn-sh-03", "CN", std::string(kSelfOperated), Ownership::kOwned, 2.0},     // Shanghai
      {"cn-zjk-01", "CN", std::string(kSelfOperated), Ownership::kOwned, 2.0},    // Zhangjiakou
      {"my-jhb-01", "MY", std::string(kCloudProvider), Ownership::kRented, 1.0},  // Johor
      {"ae-auh-01", "AE", std::string(kCloudProvider), Ownership::kRented, 1.0},  // Abu Dhabi
  };
  spec.models = {
      {"NVIDIA", "H20", 96 * kMiBPerGiB},       {"NVIDIA", "H200", 141 * kMiBPerGiB},
      {"NVIDIA", "H100", 80 * kMiBPerGiB},      {"Huawei", "Ascend910B", 64 * kMiBPerGiB},
      {"Cambricon", "MLU370", 48 * kMiBPerGiB},  // MLU370-X8 card
  };
  const std::vector<std::string> home = {"cn-bj-01", "cn-sh-03", "cn-zjk-01"};
  const std::vector<std::string> abroad = {"my-jhb-01", "ae-auh-01"};
  // Weights are shares of the fleet's GPUs, in percent.
  spec.node_types = {
      {"h20x8", "H20", 8, 192 * kMilliPerCore, 2 * kMiBPerTiB, 40.0, home},
      {"h20x4", "H20", 4, 128 * kMilliPerCore, 1 * kMiBPerTiB, 5.0, home},
      {"h200x8", "H200", 8, 192 * kMilliPerCore, 2 * kMiBPerTiB, 15.0, {"cn-bj-01", "cn-sh-03"}},
      {"h100x8", "H100", 8, 192 * kMilliPerCore, 2 * kMiBPerTiB, 20.0, abroad},
      // Kunpeng 920 hosts: 4 x 48 cores.
      {"910bx8", "Ascend910B", 8, 192 * kMilliPerCore, 3 * kMiBPerTiB / 2, 15.0, home},
      {"mlu370x4", "MLU370", 4, 128 * kMilliPerCore, 1 * kMiBPerTiB, 5.0, home},
  };
  spec.target_gpus = kDemoFleetGpus;
  return spec;
}

FleetSpec LargeFleetSpec(int64_t gpus) {
  constexpr int kSites = 8;
  FleetSpec spec;
  for (int i = 0; i < kSites; ++i) {
    spec.sites.push_back(
        {"dc-" + std::to_string(i + 1), "CN", std::string(kSelfOperated), Ownership::kOwned, 1.0});
  }
  spec.models = {
      {"NVIDIA", "H100", 80 * kMiBPerGiB},       {"NVIDIA", "A100", 80 * kMiBPerGiB},
      {"Huawei", "Ascend910B", 64 * kMiBPerGiB}, {"NVIDIA", "L40S", 48 * kMiBPerGiB},
      {"NVIDIA", "T4", 16 * kMiBPerGiB},
  };
  // Shares of GPUs in percent: 95% in 8-GPU nodes keeps 1,000,000 GPUs near 125,000 nodes
  // while still exercising the smaller shapes.
  spec.node_types = {
      {"h100x8", "H100", 8, 192 * kMilliPerCore, 2 * kMiBPerTiB, 45.0, {}},
      {"a100x8", "A100", 8, 128 * kMilliPerCore, 1 * kMiBPerTiB, 30.0, {}},
      {"910bx8", "Ascend910B", 8, 192 * kMilliPerCore, 3 * kMiBPerTiB / 2, 20.0, {}},
      {"l40sx4", "L40S", 4, 64 * kMilliPerCore, 512 * kMiBPerGiB, 4.0, {}},
      {"t4x2", "T4", 2, 32 * kMilliPerCore, 256 * kMiBPerGiB, 1.0, {}},
  };
  spec.target_gpus = gpus;
  return spec;
}

}  // namespace gpufleet::synth
