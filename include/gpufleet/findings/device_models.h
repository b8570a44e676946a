#pragma once
// Which catalog entry a board a node agent reports is: its driver name ("NVIDIA H100 80GB
// HBM3") matched against each entry's device_names, then its name, id and aliases, ignoring
// case, spaces and punctuation, with or without the vendor's name in front. A name two entries
// could claim matches neither: a finding must never rest on a guess.
//
// Thread safety: immutable after construction.

#include <string>
#include <string_view>
#include <unordered_map>

#include "gpufleet/catalog/catalog.h"

namespace gpufleet::findings {

class DeviceModels {
 public:
  // `catalog` must outlive this.
  explicit DeviceModels(const catalog::Catalog& catalog);
  // The entry `name` names; nullptr when none or more than one does.
  const catalog::AcceleratorSpec* Match(std::string_view vendor, std::string_view name) const;

 private:
  void Add(std::string_view name, const catalog::AcceleratorSpec* spec);

  // By normalised name; nullptr marks a name two entries claim.
  std::unordered_map<std::string, const catalog::AcceleratorSpec*> by_name_;
};

}  // namespace gpufleet::findings
