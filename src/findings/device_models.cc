#include "gpufleet/findings/device_models.h"

#include <cctype>
#include <vector>

namespace gpufleet::findings {
namespace {

// Lower-case letters and digits only: "NVIDIA A100-SXM4-80GB" and "nvidia a100 sxm4 80gb" are
// one name.
std::string Normalise(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

}  // namespace

DeviceModels::DeviceModels(const catalog::Catalog& catalog) {
  // Driver names first, and they win: a driver name equal to another entry's alias is still
  // the driver's entry.
  for (const catalog::AcceleratorSpec& spec : catalog.models()) {
    for (const std::string& n : spec.device_names) Add(n, &spec);
  }
  std::unordered_map<std::string, const catalog::AcceleratorSpec*> others;
  for (const catalog::AcceleratorSpec& spec : catalog.models()) {
    std::vector<std::string> names = {spec.name, spec.id};
    for (const std::string& a : spec.aliases) {
      names.push_back(a);
      names.push_back(spec.vendor + " " + a);  // "NVIDIA H20" for the alias "H20"
    }
    for (const std::string& n : names) {
      const std::string key = Normalise(n);
      if (key.empty() || by_name_.contains(key)) continue;
      const auto [it, inserted] = others.emplace(key, &spec);
      if (!inserted && it->second != &spec) it->second = nullptr;
    }
  }
  by_name_.merge(others);
}

void DeviceModels::Add(std::string_view name, const catalog::AcceleratorSpec* spec) {
  const std::string key = Normalise(name);
  if (key.empty()) return;
  const auto [it, inserted] = by_name_.emplace(key, spec);
  if (!inserted && it->second != spec) it->second = nullptr;  // two drivers' names collide
}

const catalog::AcceleratorSpec* DeviceModels::Match(std::string_view vendor,
                                                    std::string_view name) const {
  const std::string key = Normalise(name);
  if (const auto it = by_name_.find(key); it != by_name_.end()) return it->second;
  const std::string v = Normalise(vendor);
  if (!v.empty() && key.starts_with(v)) {
    if (const auto it = by_name_.find(key.substr(v.size())); it != by_name_.end()) {
      return it->second;
    }
  }
  return nullptr;
}

}  // namespace gpufleet::findings
