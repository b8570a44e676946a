#pragma once
// The inventory as it stands after a sequence of changes (change.h): each asset's record, its
// status and the last entry that touched it. Apply is the one place the rules of what may
// follow what live (a lost asset does not move; a back-dated change needs a reason); replaying
// a ledger's entries through it rebuilds the state the service holds, which is how an edit to
// the inventory tables, rather than to the log, is caught.
//
// Organisations and sites are defined by entries of their own (kOrg, kSite), or given at
// construction.
// Thread safety: none; one owner.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/inventory/change.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/status.h"

namespace gpufleet::inventory {

enum class AssetStatus : uint8_t { kActive, kRetired, kLost };
std::string_view AssetStatusName(AssetStatus status);

struct LiveAsset {
  Asset record;  // file and line empty
  AssetStatus status = AssetStatus::kActive;
  std::string lost_how;  // "lost" or "stolen" when kLost
  int64_t last_effective_ms = 0;
  int64_t last_entry = -1;  // index of the last entry about it
  // When it came to its site: the effective time of its register or of its latest move (a
  // move faster than a shipment could travel is a finding, docs/findings.md).
  int64_t located_ms = 0;
  friend bool operator==(const LiveAsset&, const LiveAsset&) = default;
};

// How far a change's effective time may be ahead of the time it is recorded (clocks drift),
// and how far behind before it counts as back-dated.
inline constexpr int64_t kClockToleranceMs = 5 * 60 * 1000;

class LiveInventory {
 public:
  LiveInventory() = default;
  LiveInventory(std::vector<Organisation> organisations, std::vector<Site> sites);
  // The organisations and sites of `inventory`; none of its assets.
  static LiveInventory WithPlacesOf(const Inventory& inventory);

  // Whether `change` may follow the state: InvalidArgument for a malformed change, an
  // effective time more than kClockToleranceMs after recorded_ms, or a back-dated one without
  // a reason or earlier than the asset's last entry; NotFound for an unknown serial, site,
  // organisation or corrected entry; AlreadyExists for a serial registered before, or an
  // organisation or site defined again exactly as it is (an entry that would change nothing);
  // FailedPrecondition for an asset retired or lost, or a lease_end with no lease.
  Status Check(const Change& change) const;
  // What Revert needs to take the last applied change back.
  struct Undo {
    std::string key;  // the serial, organisation or site id
    ChangeKind kind = ChangeKind::kRegister;
    std::optional<LiveAsset> asset;  // before the change; nullopt when it registered it
    std::optional<Organisation> organisation;
    std::optional<Site> site;
    std::optional<Node> node;
  };

  // Check, then apply as the next entry (index entries()). With `undo`, records how to take
  // it back.
  Status Apply(const Change& change, Undo* undo = nullptr);
  // Takes back the last applied change. REQUIRES: `undo` is from the last Apply not yet
  // reverted (revert in the reverse order of applying).
  void Revert(const Undo& undo);
  // The asset as `change` would leave it. REQUIRES: Check(change).ok() and change is about
  // an asset (not kOrg or kSite).
  LiveAsset Preview(const Change& change) const;

  const LiveAsset* Find(std::string_view serial) const;
  const std::map<std::string, LiveAsset, std::less<>>& assets() const { return assets_; }
  int64_t entries() const { return static_cast<int64_t>(entry_serials_.size()); }
  const Organisation* FindOrg(std::string_view id) const;
  const Site* FindSite(std::string_view id) const;
  const Node* FindNode(std::string_view site, std::string_view id) const;
  // As Inventory::UltimateParentHq: the HQ of the top of `org_id`'s parent chain.
  std::string UltimateParentHq(std::string_view org_id) const;
  const std::map<std::string, Organisation, std::less<>>& organisations() const {
    return organisations_;
  }
  const std::map<std::string, Site, std::less<>>& sites() const { return sites_; }
  // By "<site>/<id>".
  const std::map<std::string, Node, std::less<>>& nodes() const { return nodes_; }

 private:
  // What an asset change does to the asset's record and status (not its last entry).
  void ApplyToAsset(const Change& change, LiveAsset& asset) const;

  std::map<std::string, Organisation, std::less<>> organisations_;
  std::map<std::string, Site, std::less<>> sites_;
  std::map<std::string, Node, std::less<>> nodes_;  // by "<site>/<id>"
  std::map<std::string, LiveAsset, std::less<>> assets_;
  std::vector<std::string> entry_serials_;  // by entry index
};

// An org change per organisation of `inventory` (parents before the organisations they
// control), a site change per site and a node change per node record, effective and recorded
// at `recorded_ms`.
std::vector<Change> PlaceChanges(const Inventory& inventory, int64_t recorded_ms,
                                 std::string_view actor);

// A register change per asset of `inventory`, in file order: effective at the asset's
// acquisition date (midnight UTC) or at `recorded_ms` if that is earlier (an asset on order),
// recorded at `recorded_ms`, by `actor`, with `reason`.
std::vector<Change> RegisterChanges(const Inventory& inventory, int64_t recorded_ms,
                                    std::string_view actor, std::string_view reason);

}  // namespace gpufleet::inventory
