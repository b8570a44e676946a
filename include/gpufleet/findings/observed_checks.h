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
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/findings/device_models.h"
#include "gpufleet/findings/finding.h"
#include "gpufleet/findings/policy.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/observed_device.h"

namespace gpufleet::findings {

// One node's latest report and when it was heard from.
struct NodeObservation {
  const NodeReport* report = nullptr;  // its `node` names the node
  int64_t last_seen_ms = 0;            // the latest report, heartbeat or change
  int64_t last_change_ms = 0;          // when the report last differed from the one before
};

// The kinds CheckObserved looks for: a finding of one of them that it no longer finds is
// resolved.
const std::set<Kind>& ObservedKinds();

// Every detection of ObservedKinds over `nodes` (each node once) against the active assets of
// `inventory`, at `now_ms`, with the policy's thresholds. `models` matches driver names to
// `catalog`'s entries. In a stable order (by node, then device), so a pass opens findings in
// the same order every time.
std::vector<Detection> CheckObserved(const inventory::Inventory& inventory,
                                     const catalog::Catalog& catalog, const DeviceModels& models,
                                     std::span<const NodeObservation> nodes, const Policy& policy,
                                     int64_t now_ms);

}  // namespace gpufleet::findings
