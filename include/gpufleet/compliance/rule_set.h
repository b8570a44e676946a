#pragma once
// Export-control and sourcing rules as versioned, effective-dated data (docs/compliance.md).
// A RuleSet is loaded once from YAML, validated as a whole (unknown keys, dates out of order,
// overlapping versions, conflicting rules) and then read-only.
// Thread safety: const methods are safe to call concurrently.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/compliance/licence.h"
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
  // A licensed route (the H20's 15% share, the H200's 25%): the rule gives its action, and
  // sets aside what it carves out, only for an end user holding a granted licence in force
  // that covers the situation. Anyone else gets licence_required (prohibited when their
  // licence was denied).
  bool needs_granted_licence = false;
  int precedence = 0;
  // How long jobs already running on hardware this rule takes away may run on (draining)
  // before they are preempted, in hours; nullopt = the operator's policy (gpufleetd
  // --grace-hours, default 0: preempted when the rule takes effect).
  std::optional<int32_t> grace_hours;
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

// A sourcing or policy quota: a share of a fleet (or of each site) that must stay above or
// below a threshold, e.g. "public computing hubs: more than 50% domestic accelerators" or "at
// most 30% of compute rented to external customers".
enum class QuotaMeasure : uint8_t {
  kDomesticShareMin = 0,  // share of accelerators domestic to `domestic_to` >= threshold
  kExternalShareMax = 1,  // share operated by external customers <= threshold
};
enum class QuotaBasis : uint8_t { kCount = 0, kCompute = 1, kSpend = 2 };  // compute = TPP
// How a share must compare with its threshold to hold, as the rule's source words it: "more
// than 50%" is gt, "at least 30%" ge, "at most 10%" le, "under 10%" lt.
enum class Comparison : uint8_t { kGt = 0, kGe = 1, kLt = 2, kLe = 3 };
std::string_view ComparisonName(Comparison c);    // "gt"
std::string_view ComparisonSymbol(Comparison c);  // ">"
// `value` compared with `threshold`; values within 1e-9 (relative) of the threshold count as
// equal to it, so a share computed as 100 * 5 / 10 is exactly at 50.
bool SatisfiesThreshold(Comparison c, double value, double threshold);
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
  // Required in files; domestic_share_min takes gt or ge, external_share_max lt or le.
  Comparison comparison = Comparison::kGe;
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
  // What a breach amounts to: the action, capped at warning for a proposed quota.
  Action BreachAction() const {
    return kind == RuleKind::kProposed ? std::min(action, Action::kWarning) : action;
  }
  // A breach is a violation when its action binds: licence_required or prohibited. Anything
  // milder (warning, notification, revenue share) is a warning.
  bool BreachIsViolation() const { return BreachAction() >= Action::kLicenceRequired; }
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
  // The file's top-level `compiled:` date: when the shipped history was compiled, the order
  // gpufleetd's start check puts shipped files in (docs/compliance.md, "The shipped rules at
  // start"). nullopt when the file has none; change files cannot set it.
  const std::optional<Date>& compiled() const { return compiled_; }
  // Every version of one id, by effective_from.
  std::vector<const Rule*> Versions(std::string_view id) const;

 private:
  std::vector<Rule> rules_;
  std::vector<DerivedFact> derived_;
  std::vector<Licence> licences_;
  std::vector<Quota> quotas_;
  GroupMap groups_;
  std::optional<Date> compiled_;
};

// The facts situations provide besides the chip's, with their types: the schema rule
// conditions are checked against.
const FieldSchema& SituationFieldTypes();

}  // namespace gpufleet::compliance
