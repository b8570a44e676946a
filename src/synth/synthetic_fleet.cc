// GenerateFleet: apportions a GPU target over node types and sites.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_set>
#include <vector>

#include "gpufleet/model/rng.h"
#include "gpufleet/synth/synthetic.h"

namespace gpufleet::synth {

namespace {

// Ten times the largest fleet we benchmark; beyond it a typo is likelier than intent, and the
// fleet's memory (about 200 bytes a node) starts to matter.
constexpr int64_t kMaxTargetGpus = 10'000'000;
// Node index digits in names, so a site's nodes sort in creation order up to 10,000 per type.
constexpr size_t kNodeIndexWidth = 4;

Status Invalid(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("FleetSpec." + field + ": " + what);
}

std::string Indexed(std::string_view list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

bool PositiveFinite(double w) { return std::isfinite(w) && w > 0; }

Status ValidateSites(const std::vector<SiteSpec>& sites) {
  if (sites.empty()) return Invalid("sites", "empty; need at least one site");
  std::unordered_set<std::string> names;
  for (size_t i = 0; i < sites.size(); ++i) {
    const SiteSpec& s = sites[i];
    if (s.name.empty()) return Invalid(Indexed("sites", i) + ".name", "empty");
    if (!names.insert(s.name).second) {
      return Invalid(Indexed("sites", i) + ".name", "duplicate '" + s.name + "'");
    }
    if (!PositiveFinite(s.weight)) {
      return Invalid(Indexed("sites", i) + ".weight",
                     "must be positive, got " + std::to_string(s.weight));
    }
  }
  return Status::Ok();
}

Status ValidateModels(const std::vector<ModelSpec>& models) {
  if (models.empty()) return Invalid("models", "empty; need at least one accelerator model");
  if (models.size() > static_cast<size_t>(kMaxChipModels)) {
    return Invalid("models", std::to_string(models.size()) + " models, at most " +
                                 std::to_string(kMaxChipModels));
  }
  std::unordered_set<std::string> names;
  for (size_t i = 0; i < models.size(); ++i) {
    const ModelSpec& m = models[i];
    if (m.name.empty()) return Invalid(Indexed("models", i) + ".name", "empty");
    if (!names.insert(m.name).second) {
      return Invalid(Indexed("models", i) + ".name", "duplicate '" + m.name + "'");
    }
    if (m.memory_mib < 0) return Invalid(Indexed("models", i) + ".memory_mib", "negative");
  }
  return Status::Ok();
}

Status ValidateNodeType(const FleetSpec& spec, size_t i) {
  const NodeTypeSpec& t = spec.node_types[i];
  const std::string field = Indexed("node_types", i);
  if (t.name_prefix.empty()) return Invalid(field + ".name_prefix", "empty");
  const auto model_named = [&](const ModelSpec& m) { return m.name == t.model; };
  if (std::none_of(spec.models.begin(), spec.models.end(), model_named)) {
    return Invalid(field + ".model", "unknown accelerator model '" + t.model + "'");
  }
  if (t.gpus_per_node < 1 || t.gpus_per_node > kMaxGpusPerNode) {
    return Invalid(field + ".gpus_per_node", std::to_string(t.gpus_per_node) + " outside 1.." +
                                                 std::to_string(kMaxGpusPerNode));
  }
  if (t.cpu_milli < 0) return Invalid(field + ".cpu_milli", "negative");
  if (t.memory_mib < 0) return Invalid(field + ".memory_mib", "negative");
  if (!PositiveFinite(t.weight)) {
    return Invalid(field + ".weight", "must be positive, got " + std::to_string(t.weight));
  }
  std::unordered_set<std::string> seen;
  for (size_t j = 0; j < t.sites.size(); ++j) {
    const std::string& name = t.sites[j];
    const auto site_named = [&](const SiteSpec& s) { return s.name == name; };
    if (std::none_of(spec.sites.begin(), spec.sites.end(), site_named)) {
      return Invalid(Indexed(field + ".sites", j), "unknown site '" + name + "'");
    }
    if (!seen.insert(name).second) {
      return Invalid(Indexed(field + ".sites", j), "duplicate '" + name + "'");
    }
  }
  return Status::Ok();
}

// Whole nodes per type whose GPUs sum to within one node of `target` (see FleetSpec).
std::vector<int64_t> NodesPerType(const FleetSpec& spec, Rng& rng) {
  const std::vector<NodeTypeSpec>& types = spec.node_types;
  const double total_weight =
      std::accumulate(types.begin(), types.end(), 0.0,
                      [](double s, const NodeTypeSpec& t) { return s + t.weight; });
  std::vector<int64_t> nodes(types.size());
  std::vector<double> remainder(types.size());
  int64_t left = spec.target_gpus;
  for (size_t t = 0; t < types.size(); ++t) {
    const double ideal = static_cast<double>(spec.target_gpus) * types[t].weight /
                         (total_weight * types[t].gpus_per_node);
    nodes[t] = static_cast<int64_t>(std::floor(ideal));
    remainder[t] = ideal - static_cast<double>(nodes[t]);
    left -= nodes[t] * types[t].gpus_per_node;
  }
  // Largest remainder first; the seed orders exact ties so no type is always favoured.
  std::vector<uint64_t> tie_key(types.size());
  for (uint64_t& k : tie_key) k = rng.Next();
  std::vector<size_t> order(types.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (remainder[a] != remainder[b]) return remainder[a] > remainder[b];
    return tie_key[a] < tie_key[b];
  });
  // Floors computed in floating point may overshoot by a node when a share sits a hair below a
  // whole number; give such nodes back, smallest remainder first.
  for (auto it = order.rbegin(); left < 0 && it != order.rend(); ++it) {
    if (nodes[*it] > 0) {
      --nodes[*it];
      left += types[*it].gpus_per_node;
    }
  }
  // Top up with whatever still fits; each pass adds at least one node or ends.
  for (bool added = true; added;) {
    added = false;
    for (const size_t t : order) {
      if (types[t].gpus_per_node <= left) {
        ++nodes[t];
        left -= types[t].gpus_per_node;
        added = true;
      }
    }
  }
  // Fewer GPUs are left than the smallest node holds: overshoot instead when that lands closer.
  const auto smallest = std::min_element(order.begin(), order.end(), [&](size_t a, size_t b) {
    return types[a].gpus_per_node < types[b].gpus_per_node;
  });
  if (left > 0 && 2 * left >= types[*smallest].gpus_per_node) ++nodes[*smallest];
  return nodes;
}

// counts[site][type]: each type's nodes over its eligible sites by site weight. Systematic
// rounding with a seeded offset: every site gets floor or ceil of its exact share, and the
// counts sum exactly.
std::vector<std::vector<int64_t>> SplitOverSites(const FleetSpec& spec,
                                                 const std::vector<int64_t>& nodes, Rng& rng) {
  std::vector<std::vector<int64_t>> counts(spec.sites.size(),
                                           std::vector<int64_t>(spec.node_types.size()));
  for (size_t t = 0; t < spec.node_types.size(); ++t) {
    std::vector<size_t> eligible;
    for (size_t s = 0; s < spec.sites.size(); ++s) {
      const std::vector<std::string>& allowed = spec.node_types[t].sites;
      if (allowed.empty() ||
          std::find(allowed.begin(), allowed.end(), spec.sites[s].name) != allowed.end()) {
        eligible.push_back(s);
      }
    }
    double weight = 0;
    for (const size_t s : eligible) weight += spec.sites[s].weight;
    const double offset = rng.UniformDouble();
    const double n = static_cast<double>(nodes[t]);
    double cumulative = 0;
    int64_t placed = 0;
    for (size_t k = 0; k < eligible.size(); ++k) {
      cumulative += n * spec.sites[eligible[k]].weight / weight;
      // The last site takes the rest, so rounding in `cumulative` cannot lose a node.
      const int64_t upto = k + 1 == eligible.size()
                               ? nodes[t]
                               : std::min(nodes[t], static_cast<int64_t>(cumulative + offset));
      counts[eligible[k]][t] = std::max<int64_t>(0, upto - placed);
      placed = std::max(placed, upto);
    }
  }
  return counts;
}

std::string NodeName(const std::string& site, const std::string& prefix, int64_t index) {
  std::string digits = std::to_string(index);
  if (digits.size() < kNodeIndexWidth) digits.insert(0, kNodeIndexWidth - digits.size(), '0');
  return site + "-" + prefix + "-" + digits;
}

}  // namespace

Status ValidateFleetSpec(const FleetSpec& spec) {
  GPUFLEET_RETURN_IF_ERROR(ValidateSites(spec.sites));
  GPUFLEET_RETURN_IF_ERROR(ValidateModels(spec.models));
  if (spec.node_types.empty()) return Invalid("node_types", "empty; need at least one node type");
  std::unordered_set<std::string> prefixes;
  for (size_t i = 0; i < spec.node_types.size(); ++i) {
    GPUFLEET_RETURN_IF_ERROR(ValidateNodeType(spec, i));
    if (!prefixes.insert(spec.node_types[i].name_prefix).second) {
      return Invalid(Indexed("node_types", i) + ".name_prefix",
                     "duplicate '" + spec.node_types[i].name_prefix + "'");
    }
  }
  if (spec.target_gpus < 1 || spec.target_gpus > kMaxTargetGpus) {
    return Invalid("target_gpus", std::to_string(spec.target_gpus) + " outside 1.." +
                                      std::to_string(kMaxTargetGpus));
  }
  return Status::Ok();
}

Result<Fleet> GenerateFleet(const FleetSpec& spec, uint64_t seed) {
  GPUFLEET_RETURN_IF_ERROR(ValidateFleetSpec(spec));
  Rng rng(seed);
  const std::vector<int64_t> nodes = NodesPerType(spec, rng);
  const std::vector<std::vector<int64_t>> counts = SplitOverSites(spec, nodes, rng);

  Fleet fleet;
  std::vector<ChipModelId> model_of_type(spec.node_types.size());
  for (const ModelSpec& m : spec.models) {
    auto id = fleet.AddModel(m.vendor, m.name, m.memory_mib);
    if (!id.ok()) return id.status();
  }
  for (size_t t = 0; t < spec.node_types.size(); ++t) {
    model_of_type[t] = *fleet.FindModel(spec.node_types[t].model);  // checked by validation
  }
  for (size_t s = 0; s < spec.sites.size(); ++s) {
    const SiteSpec& site = spec.sites[s];
    auto site_id = fleet.AddSite(site.name, site.country, site.provider, site.ownership);
    if (!site_id.ok()) return site_id.status();
    for (size_t t = 0; t < spec.node_types.size(); ++t) {
      const NodeTypeSpec& type = spec.node_types[t];
      for (int64_t i = 0; i < counts[s][t]; ++i) {
        auto node =
            fleet.AddNode(NodeName(site.name, type.name_prefix, i), *site_id, model_of_type[t],
                          type.gpus_per_node, type.cpu_milli, type.memory_mib);
        // Only a name clash across prefixes ("a-b" + "c" vs "a" + "b-c") can fail here.
        if (!node.ok()) return node.status();
      }
    }
  }
  return fleet;
}

}  // namespace gpufleet::synth
