#pragma once
// The checks of what node agents report against what the inventory declares (docs/findings.md,
// "From the agents"). One pass reads every node's latest report once and every active asset
// once: a million observed devices in well under a second (docs/benchmarks.md).
//
// Serials compare ignoring ASCII case, as the inventory's duplicate check does. A node is
// named "<site>/<node>" as in the agent's --node; an asset declared at a site without a node
// is where it should be when the reporting node is at that site.
//
// Thread safety: pure functions.

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/findings/device_models.h"
#include "gpufleet/findings/finding.h"
#include "gpufleet/findings/policy.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/observed_device.h"

namespace gpufleet::findings {

// ASCII-case-insensitive hashing and equality of serials, without copying them.
struct CaselessHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const;
};
struct CaselessEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// What the checks look declared things up in, built once per version of the inventory (a
// million assets take a few hundred milliseconds; the reconciler keeps it between passes).
// Points into `inventory`, which must outlive it.
class DeclaredIndex {
 public:
  explicit DeclaredIndex(const inventory::Inventory& inventory);
  const inventory::Asset* Find(std::string_view serial) const;
  // The position of `asset` (a result of Find or AtNode) among the inventory's assets, so that
  // a pass can mark what it saw in an array rather than a hash map.
  size_t Position(const inventory::Asset* asset) const { return asset - first_; }
  size_t size() const { return size_; }
  // The assets recorded in node "<site>/<node>"; nullptr when none.
  const std::vector<const inventory::Asset*>* AtNode(std::string_view node) const;

 private:
  std::unordered_map<std::string_view, const inventory::Asset*, CaselessHash, CaselessEqual>
      by_serial_;
  std::unordered_map<std::string, std::vector<const inventory::Asset*>> by_node_;
  const inventory::Asset* first_ = nullptr;
  size_t size_ = 0;
};

// One node's latest report and when it was heard from.
struct NodeObservation {
  const NodeReport* report = nullptr;  // its `node` names the node
  int64_t last_seen_ms = 0;            // the latest report, heartbeat or change
  int64_t last_change_ms = 0;          // when the report last differed from the one before
};

// The kinds CheckObserved looks for: a finding of one of them that it no longer finds is
// resolved.
const std::set<Kind>& ObservedKinds();

// Every detection of ObservedKinds over `nodes` (each node once) against the active assets
// `declared` indexes, at `now_ms`, with the policy's thresholds. `models` matches driver names
// to `catalog`'s entries. In a stable order (by node, then device), so a pass opens findings in
// the same order every time.
std::vector<Detection> CheckObserved(const DeclaredIndex& declared, const catalog::Catalog& catalog,
                                     const DeviceModels& models,
                                     std::span<const NodeObservation> nodes, const Policy& policy,
                                     int64_t now_ms);

}  // namespace gpufleet::findings
