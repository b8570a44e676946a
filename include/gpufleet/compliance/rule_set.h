#pragma once
// Export-control and sourcing rules as versioned, effective-dated data (docs/compliance.md).
// A RuleSet is loaded once from YAML, validated as a whole (unknown keys, dates out of order,
// overlapping versions, conflicting rules) and then read-only.
// Thread safety: const methods are safe to call concurrently.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/compliance/predicate.h"
#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

// From least to most restrictive: the overall verdict is the maximum. Persisted by name.
enum class Action : uint8_t {
  kAllowed = 0,
  kWarning = 1,
  kAllowedWithRevenueShare = 2,
  kNotificationRequired = 3,
  kLicenceRequired = 4,
  kProhibited = 5,
};
std::string_view ActionName(Action a);
Result<Action> ParseAction(std::string_view name);

// Where a rule comes from. Only kProposed binds nobody yet (it counts at most as a warning);
// kPolicy is the operator's own policy (e.g. a company's data-residency or resale rule) and
// binds as a regulation does.
enum class RuleKind : uint8_t { kRegulation, kGuidance, kReported, kProposed, kPolicy };
std::string_view RuleKindName(RuleKind k);

// How a chip reaches (or stays at) its location.
enum class TransferType : uint8_t {
  kExport = 0,             // out of the rule's own jurisdiction
  kReexport = 1,           // onward from a third country
  kInCountryTransfer = 2,  // between parties within one country
  kRemoteAccess = 3,       // capacity rented; the chip stays with its provider
  kUse = 4,                // holding and operating hardware already in place
};
inline constexpr int kTransferTypes = 5;
std::string_view TransferTypeName(TransferType t);
Result<TransferType> ParseTransferType(std::string_view name);

// A set of transfer types as bits; empty = all.
using TransferMask = uint8_t;

// A named chip predicate ("us_3a090a"), usable in rules as a boolean fact.
struct DerivedFact {
  std::string name;
  Date effective_from = Date::Min();
  Predicate predicate = Predicate::True();
  std::string source;
};

struct Rule {
  std::string id;
  int version = 1;
  RuleKind kind = RuleKind::kRegulation;
  std::string jurisdiction;
  Date effective_from = Date::Min();
  Date effective_to = Date::Max();       // inclusive
  Date not_enforced_from = Date::Max();  // on the books but not enforced from this day on
  Predicate chip = Predicate::True();
  std::vector<std::string> locations;         // expanded countries, sorted; empty = anywhere
  std::vector<std::string> locations_except;  // expanded, sorted
  std::vector<std::string> end_user_hq;       // expanded, sorted; empty = any end user
  TransferMask transfers = 0;                 // empty = every transfer type
  // Data classes the rule is about (data residency), sorted; empty = not about data.
  std::vector<std::string> data_classes;
  Predicate condition = Predicate::True();
  Action action = Action::kAllowed;
  std::string licence_policy;
  std::optional<double> revenue_share_pct;
  int precedence = 0;
  std::vector<std::string> carves_out;  // rule ids
  std::string source;
  std::string summary;
  int line = 0;  // where the rule starts in its file

  bool InForce(Date d) const {
    return effective_from <= d && d <= effective_to && d < not_enforced_from;
  }
  bool CoversTransfer(TransferType t) const {
    return transfers == 0 || (transfers >> static_cast<int>(t)) & 1;
  }
  // Location scope only (not the end-user scope).
  bool CoversLocation(std::string_view country) const;
  bool CoversEndUser(std::string_view hq, std::string_view parent_hq) const;
  // True when the rule is not about data (no data_classes), or `data_class` is one it lists;
  // "" (no data class: a hardware question) is covered only by rules not about data.
  bool CoversDataClass(std::string_view data_class) const;
};

enum class LicenceStatus : uint8_t { kPending, kGranted, kDenied };
std::string_view LicenceStatusName(LicenceStatus s);

struct Licence {
  std::string id;
  std::string jurisdiction;            // whose rules it answers; "" = any
  std::string holder;                  // organisation id
  std::vector<std::string> models;     // catalog ids (aliases resolved at load)
  std::vector<std::string> locations;  // expanded countries, sorted; empty = anywhere
  TransferMask transfers = 0;          // empty = every transfer type
  Date valid_from = Date::Min();
  Date valid_to = Date::Max();  // inclusive
  LicenceStatus status = LicenceStatus::kPending;
  std::optional<double> revenue_share_pct;
  std::string conditions;
  int line = 0;
};

// A sourcing or policy quota: a share of a fleet (or of each site) that must stay above or
// below a threshold, e.g. "public computing hubs: more than 50% domestic accelerators" or "at
// most 30% of compute rented to external customers".
enum class QuotaMeasure : uint8_t {
  kDomesticShareMin = 0,  // share of accelerators domestic to `domestic_to` >= threshold
  kExternalShareMax = 1,  // share operated by external customers <= threshold
};
enum class QuotaBasis : uint8_t { kCount = 0, kCompute = 1, kSpend = 2 };  // compute = TPP
std::string_view QuotaMeasureName(QuotaMeasure m);
std::string_view QuotaBasisName(QuotaBasis b);

struct Quota {
  std::string id;
  int version = 1;
  RuleKind kind = RuleKind::kRegulation;
  std::string jurisdiction;
  Date effective_from = Date::Min();
  Date effective_to = Date::Max();  // inclusive
  Date not_enforced_from = Date::Max();
  QuotaMeasure measure = QuotaMeasure::kDomesticShareMin;
  QuotaBasis basis = QuotaBasis::kCount;
  double threshold_pct = 0;
  std::string domestic_to;              // kDomesticShareMin: whose domestic chips count
  std::vector<std::string> locations;   // sites in these countries; empty = everywhere
  Predicate sites = Predicate::True();  // over site facts (location, site_state_funded, ...)
  bool per_site = false;                // each matching site on its own, or all pooled
  Action action = Action::kWarning;     // what a breach is
  std::string source;
  std::string summary;
  int line = 0;

  bool InForce(Date d) const {
    return effective_from <= d && d <= effective_to && d < not_enforced_from;
  }
};

class RuleSet {
 public:
  // Reads and validates a rule file. `model_ids` resolves model names in licences and the
  // models predicates compare with (id or alias -> catalog id; an unknown name is an error);
  // pass an empty map to keep names as written. Countries are always checked against the ISO
  // 3166-1 table (gpufleet/model/country_code.h).
  static Result<RuleSet> Load(const std::string& path,
                              const std::map<std::string, std::string, std::less<>>& model_ids);
  static Result<RuleSet> Parse(std::string_view yaml, const std::string& name_for_errors,
                               const std::map<std::string, std::string, std::less<>>& model_ids);

  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<DerivedFact>& derived() const { return derived_; }
  const std::vector<Licence>& licences() const { return licences_; }
  const std::vector<Quota>& quotas() const { return quotas_; }
  const GroupMap& groups() const { return groups_; }
  // Every version of one id, by effective_from.
  std::vector<const Rule*> Versions(std::string_view id) const;

 private:
  std::vector<Rule> rules_;
  std::vector<DerivedFact> derived_;
  std::vector<Licence> licences_;
  std::vector<Quota> quotas_;
  GroupMap groups_;
};

// The facts situations provide besides the chip's, with their types: the schema rule
// conditions are checked against.
const FieldSchema& SituationFieldTypes();

}  // namespace gpufleet::compliance
