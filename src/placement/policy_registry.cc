#include <functional>
#include <utility>

#include "gpufleet/model/utf8.h"
#include "placement/policies.h"

namespace gpufleet::placement {

namespace {

using Factory = std::function<std::unique_ptr<Policy>(const PolicyOptions&)>;

const std::vector<std::pair<std::string, Factory>>& Registry() {
  static const auto* registry = new std::vector<std::pair<std::string, Factory>>{
      {"fgd", [](const PolicyOptions& o) { return MakeFgdPolicy(o.typical_tasks); }},
      {"bestfit", [](const PolicyOptions&) { return MakeBestFitPolicy(); }},
      {"packing", [](const PolicyOptions&) { return MakeGpuPackingPolicy(); }},
      {"clustering", [](const PolicyOptions&) { return MakeGpuClusteringPolicy(); }},
      {"dotprod", [](const PolicyOptions&) { return MakeDotProductPolicy(); }},
      {"random", [](const PolicyOptions&) { return MakeRandomPolicy(); }},
      {"firstfit", [](const PolicyOptions&) { return MakeFirstFitPolicy(); }},
  };
  return *registry;
}

}  // namespace

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options) {
  for (const auto& [n, factory] : Registry()) {
    if (n == name) return factory(options);
  }
  std::string known;
  for (const auto& n : PolicyNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("unknown policy '" + Excerpt(name) + "' (known: " + known + ")");
}

Result<std::vector<std::unique_ptr<Policy>>> MakePolicies(const std::vector<std::string>& names,
                                                          const PolicyOptions& options) {
  std::vector<std::unique_ptr<Policy>> policies;
  for (const std::string& name : names.empty() ? PolicyNames() : names) {
    Result<std::unique_ptr<Policy>> p = MakePolicy(name, options);
    if (!p.ok()) return p.status();
    policies.push_back(std::move(p).value());
  }
  return policies;
}

}  // namespace gpufleet::placement
