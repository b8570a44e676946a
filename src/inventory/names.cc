// The public enum <-> spelling functions, over the tables in enum_names.h.

#include "inventory/enum_names.h"

namespace gpufleet::inventory {

std::string_view OrgKindName(OrgKind kind) { return NameOf(kOrgKindNames, kind); }
std::optional<OrgKind> ParseOrgKind(std::string_view name) { return ValueOf(kOrgKindNames, name); }
std::string_view SiteOwnershipName(SiteOwnership ownership) {
  return NameOf(kSiteOwnershipNames, ownership);
}
std::optional<SiteOwnership> ParseSiteOwnership(std::string_view name) {
  return ValueOf(kSiteOwnershipNames, name);
}
std::string_view HoldingName(Holding holding) { return NameOf(kHoldingNames, holding); }
std::optional<Holding> ParseHolding(std::string_view name) { return ValueOf(kHoldingNames, name); }
std::string_view ArrivalName(Arrival arrival) { return NameOf(kArrivalNames, arrival); }
std::optional<Arrival> ParseArrival(std::string_view name) { return ValueOf(kArrivalNames, name); }
std::string_view FlagKindName(DiversionFlag::Kind kind) { return NameOf(kFlagKindNames, kind); }

}  // namespace gpufleet::inventory
