#pragma once
// The checks of the ledger's own records (docs/findings.md, "From the ledger"): facts an entry
// states that cannot all be true. They run when the entry is written (a register of a serial
// already held, a move faster than a shipment travels) or over the inventory as it stands
// (declared figures against the catalog), and what they find stays found: the entry is in the
// ledger for good.
//
// Thread safety: pure functions.

#include <cstdint>
#include <optional>
#include <vector>

#include "gpufleet/findings/finding.h"
#include "gpufleet/inventory/change.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/inventory/live_inventory.h"

namespace gpufleet::findings {

// No shipment travels faster than this, door to door: a freighter cruises at about 900 km/h,
// and loading, customs and the drive at both ends only add. A move that would need more is
// paperwork, not freight.
inline constexpr double kMaxShipmentKmPerHour = 1000.0;

// The inventory's import-time diversion flags (inventory::FindDiversionFlags) as detections.
std::vector<Detection> FromDiversionFlags(const std::vector<inventory::DiversionFlag>& flags);

// A register refused because `held` (the asset of that serial) is already registered: a
// second set of papers for one board.
Detection DuplicateRegister(const inventory::LiveAsset& held, const inventory::Change& refused);

// What checking a move found: a detection when it is faster than a shipment, and whether it
// could be checked at all (both sites have coordinates).
struct MoveCheck {
  std::optional<Detection> too_fast;
  bool checked = false;
};
// `before` is the asset before the move `move` (entry `index`); `from` and `to` its sites.
MoveCheck CheckMove(const inventory::LiveAsset& before, const inventory::Change& move,
                    int64_t index, const inventory::Site& from, const inventory::Site& to);

}  // namespace gpufleet::findings
