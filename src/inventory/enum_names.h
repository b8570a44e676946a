#pragma once
// The one table per enum that maps values to their spellings in files, shared by the readers,
// the writer and error messages ("known: owned leased rented_remote").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::inventory {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

inline constexpr EnumName<OrgKind> kOrgKindNames[] = {
    {OrgKind::kCompany, "company"},
    {OrgKind::kSubsidiary, "subsidiary"},
    {OrgKind::kExternalCustomer, "external_customer"},
    {OrgKind::kCounterparty, "counterparty"},
};
inline constexpr EnumName<SiteOwnership> kSiteOwnershipNames[] = {
    {SiteOwnership::kOwned, "owned"},
    {SiteOwnership::kLeased, "leased"},
    {SiteOwnership::kRented, "rented"},
};
inline constexpr EnumName<Holding> kHoldingNames[] = {
    {Holding::kOwned, "owned"},
    {Holding::kLeased, "leased"},
    {Holding::kRentedRemote, "rented_remote"},
};
inline constexpr EnumName<Arrival> kArrivalNames[] = {
    {Arrival::kExport, "export"},
    {Arrival::kReexport, "reexport"},
    {Arrival::kInCountryTransfer, "in_country_transfer"},
};
inline constexpr EnumName<DiversionFlag::Kind> kFlagKindNames[] = {
    {DiversionFlag::Kind::kSerialAtTwoSites, "serial_at_two_sites"},
    {DiversionFlag::Kind::kSerialRegisteredTwice, "serial_registered_twice"},
    {DiversionFlag::Kind::kSpecsContradictCatalog, "specs_contradict_catalog"},
};

template <typename E, size_t N>
std::string_view NameOf(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& e : table) {
    if (e.value == value) return e.name;
  }
  return "?";
}

template <typename E, size_t N>
std::optional<E> ValueOf(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& e : table) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

// "unknown <what> 'x' (known: a b c)": the error for a spelling not in `table`.
template <typename E, size_t N>
std::string UnknownName(const EnumName<E> (&table)[N], std::string_view what,
                        std::string_view name) {
  std::string msg = "unknown " + std::string(what) + " '" + Excerpt(name) + "' (known:";
  for (const EnumName<E>& e : table) msg += " " + std::string(e.name);
  return msg + ")";
}

}  // namespace gpufleet::inventory
