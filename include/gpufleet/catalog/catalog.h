#pragma once
// The accelerator catalog: every known model with its specifications, loaded once from YAML
// (data/catalog/accelerators.yaml ships with the project) and then frozen.
//
// Parsing is strict, because a typo in a compliance input must not silently become "unknown":
// an unknown key, a value of the wrong type (a quoted "80" where a number belongs), a negative
// or non-finite number, an unknown precision, a duplicate id or alias, or a missing id, name
// or vendor is an InvalidArgument error naming "file:line:column" and the key. A key that is
// absent means the fact is unknown; an empty value (`tdp_w:`) is an error, so that
// "unknown" is always written the same way.
//
// Thread safety: immutable after construction; const methods are safe to call concurrently.

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gpufleet/catalog/accelerator.h"
#include "gpufleet/status.h"

namespace gpufleet::catalog {

class Catalog {
 public:
  // Reads and parses the YAML file at `path`. IOError when it cannot be read.
  static Result<Catalog> Load(const std::string& path);
  // Parses `yaml` as if read from a file named `name_for_errors` (used in messages only).
  static Result<Catalog> Parse(std::string_view yaml, const std::string& name_for_errors);

  // In file order.
  const std::vector<AcceleratorSpec>& models() const { return models_; }

  // The model whose id or alias equals `id_or_alias`, ignoring ASCII case ("h100" finds the
  // H100 SXM); nullptr when none. The pointer stays valid while this Catalog lives.
  const AcceleratorSpec* Find(std::string_view id_or_alias) const;
  // Every id and alias, as written, -> its model's id: how rule files resolve model names.
  std::map<std::string, std::string, std::less<>> IdsByName() const;

 private:
  Catalog() = default;

  std::vector<AcceleratorSpec> models_;
  // Lower-cased id and aliases -> index into models_ (indices survive copies and moves).
  std::unordered_map<std::string, size_t> index_;
};

// The shipped data file at `relative` (e.g. "rules/default.yaml"), or "" when it cannot be
// found. Looks, in order, at:
//   $GPUFLEET_DATA_DIR/<relative> (when the variable is set, only there: an explicit
//     override never falls back to another file),
//   data/<relative> and ../data/<relative> from the current directory,
//   data/<relative> in the executable's directory and up to three parents (the binary lives
//     in build/<preset>/ or below).
std::string DefaultDataPath(std::string_view relative);
// DefaultDataPath("catalog/accelerators.yaml").
std::string DefaultCatalogPath();

}  // namespace gpufleet::catalog
