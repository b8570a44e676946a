#pragma once
// The YAML reader behind Catalog::Parse: the document's shape and every per-key check.
// Built on the strict map reader in codec/yaml_map.h; errors come back as a Status.

#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/catalog/accelerator.h"
#include "gpufleet/status.h"

namespace gpufleet::catalog {

// Parses a catalog document, a map with one key, `accelerators`, holding a list of entries.
// On success every id and alias is unique under LookupKey(). Errors are InvalidArgument,
// "<file>:<line>:<column>: <key>: <what>" with 1-based line and column.
Result<std::vector<AcceleratorSpec>> ParseCatalogYaml(std::string_view yaml,
                                                      const std::string& file);

}  // namespace gpufleet::catalog
