#pragma once
// The licence record: an authorisation an operator holds (or applied for) under one
// jurisdiction's rules, for named models going to named destinations by named routes
// (docs/compliance.md, "Licences"). The compliance engine reads it from rule files today; the
// inventory and live-rule work store the same record.
//
// A licence decides only while it is granted and in force: pending, denied, revoked, expired
// or not-yet-valid licences never open a route (LicenceStateOn).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/model/date.h"

namespace gpufleet::compliance {

// A set of transfer types as bits (bit i = TransferType i); empty = all.
using TransferMask = uint8_t;

// As filed. Persisted by name; do not rename.
enum class LicenceStatus : uint8_t { kPending, kGranted, kDenied, kRevoked };
std::string_view LicenceStatusName(LicenceStatus s);

struct Licence {
  std::string id;                      // unique within a rule set
  std::string jurisdiction;            // whose rules it answers; "" = any
  std::string holder;                  // organisation id
  std::vector<std::string> models;     // catalog ids (aliases resolved at load)
  std::vector<std::string> locations;  // destinations: expanded countries, sorted; empty = any
  TransferMask transfers = 0;          // empty = every transfer type
  Date valid_from = Date::Min();
  Date valid_to = Date::Max();  // inclusive
  LicenceStatus status = LicenceStatus::kPending;
  // kRevoked: the first day it no longer holds; nullopt = it never held (treated as revoked
  // on every date).
  std::optional<Date> revoked_on;
  std::optional<double> revenue_share_pct;  // a condition of the grant
  std::string conditions;                   // other conditions, free text
  int line = 0;
};

// What a licence amounts to on one date, from most to least useful to its holder.
enum class LicenceState : uint8_t {
  kGranted,      // granted and in force: opens the route it covers
  kDenied,       // the application was refused: the route is prohibited
  kRevoked,      // was granted, revoked on or before the date
  kPending,      // applied for, not decided
  kExpired,      // granted, but the date is after valid_to
  kNotYetValid,  // granted, but the date is before valid_from
};
std::string_view LicenceStateName(LicenceState s);

LicenceState LicenceStateOn(const Licence& l, Date d);

}  // namespace gpufleet::compliance
