#pragma once
// Strict reading of YAML maps for rule files: every key must be known, every value of the
// expected type, and every error names "file:line:column" and the key.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

class YamlFields {
 public:
  // `node` must be a map; `what` names it in messages ("rule 'US-2023-HQ'").
  YamlFields(const YAML::Node& node, std::string file, std::string what);

  // Error unless the node is a map whose keys are all in `known`.
  Status CheckKeys(const std::set<std::string>& known) const;

  bool Has(const std::string& key) const;
  Result<std::string> String(const std::string& key, bool required) const;
  Result<std::optional<Date>> OptionalDate(const std::string& key) const;
  Result<std::optional<double>> OptionalNumber(const std::string& key) const;
  Result<int> Int(const std::string& key, int default_value) const;
  Result<std::vector<std::string>> Strings(const std::string& key) const;

  Status Error(const YAML::Node& at, const std::string& message) const;
  Status Error(const std::string& key, const std::string& message) const;
  int line() const { return node_.Mark().line + 1; }

 private:
  YAML::Node node_;
  std::string file_;
  std::string what_;
};

// "file:line:column: " for a node (1-based).
std::string Where(const std::string& file, const YAML::Node& node);

}  // namespace gpufleet::compliance
