#pragma once
// Factories for the built-in policies, one file each. The registry (policy_registry.cc) maps
// names to these.

#include <memory>
#include <vector>

#include "gpufleet/placement/policy.h"

namespace gpufleet::placement {

// Normalisation constants of the reference simulator's scores: the largest node it models
// (128 cores, 8 GPUs).
inline constexpr double kMaxCpuSpecMilli = 128000.0;
inline constexpr double kMaxGpuSpecMilli = 8000.0;

std::unique_ptr<Policy> MakeFgdPolicy(std::vector<TypicalTask> typical_tasks);
std::unique_ptr<Policy> MakeBestFitPolicy();
std::unique_ptr<Policy> MakeDotProductPolicy();
std::unique_ptr<Policy> MakeGpuPackingPolicy();
std::unique_ptr<Policy> MakeGpuClusteringPolicy();
std::unique_ptr<Policy> MakeRandomPolicy();
std::unique_ptr<Policy> MakeFirstFitPolicy();

}  // namespace gpufleet::placement
