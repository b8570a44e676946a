#pragma once
// The compliance engine: verdicts for situations (a chip, a place, an end user, a way of
// getting there, a date), per jurisdiction and overall, each with the rules that decided it
// and the facts that triggered them (docs/compliance.md).
// Thread safety: an Engine is immutable after construction; Evaluate is safe to call
// concurrently.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/catalog/accelerator.h"
#include "gpufleet/compliance/rule_set.h"

namespace gpufleet::compliance {

struct Situation {
  const catalog::AcceleratorSpec* chip = nullptr;  // REQUIRED
  Date date;
  std::string location;      // ISO 3166-1 alpha-2
  std::string from_country;  // where it ships from; "" = unknown
  TransferType transfer = TransferType::kUse;
  std::string end_user;            // organisation id (licence holder)
  std::string end_user_hq;         // country
  std::string end_user_parent_hq;  // country of the ultimate parent; "" = none
  bool site_state_funded = false;
  bool site_public_hub = false;
  std::optional<double> project_completion_pct;
  std::optional<Date> installed_on;  // when the asset arrived, for installed-base rules
  // The data class a workload processes ("cn_personal"); "" for none (hardware questions).
  // Data-residency rules apply only to the data classes they list.
  std::string data_class;
  // How the end user holds the chip (inventory::HoldingName: owned, leased, rented_remote);
  // "" = unknown (a bare transfer question). Rules read it as the fact `holding`, e.g. to
  // reach rented capacity without touching owned hardware of the same model and holder.
  std::string holding;
};

// One rule that applies (or may apply) to a situation.
struct RuleHit {
  const Rule* rule = nullptr;
  catalog::Tri match = catalog::Tri::kTrue;  // kUnknown: depends on a missing chip fact
  Action action = Action::kAllowed;          // after licences
  // The licence the outcome was decided with (a licence_required rule or a licensed route),
  // in whatever state it was on the date; nullptr when none covers the situation.
  const Licence* licence = nullptr;
  std::optional<LicenceState> licence_state;  // set with `licence`
  // A licensed route (Rule::needs_granted_licence) without a granted licence in force: it
  // gives licence_required (prohibited when denied) and carves out nothing.
  bool route_closed = false;
  bool carved_out = false;     // set aside by another applying rule
  std::vector<FactUse> facts;  // what triggered it
};

struct JurisdictionVerdict {
  std::string jurisdiction;
  Action action = Action::kAllowed;
  bool needs_manual_classification = false;  // a more restrictive rule may apply
  std::optional<double> revenue_share_pct;
  std::vector<RuleHit> hits;  // applying and possibly-applying rules, most restrictive first
};

struct Verdict {
  Action overall = Action::kAllowed;
  bool needs_manual_classification = false;
  // The situation facts (and chip facts) left unknown that a more restrictive rule reads:
  // what a person must find out to settle a manual classification. Sorted, no derived facts.
  std::vector<std::string> missing_facts;
  std::vector<JurisdictionVerdict> jurisdictions;  // sorted by name
  // One line per deciding rule: "US-2025-H20-IS-INFORMED (reported; NVIDIA 8-K ...):
  // licence_required: model=H20 dram_bw_gbs=4000 ..."
  std::vector<std::string> Explain() const;
};

// The verdict as one word: the action, except that a verdict short of a violation (licence
// required or prohibited) which needs manual classification is "needs_manual_classification",
// never "allowed" with a flag beside it.
std::string_view OverallName(const Verdict& v);

// "; licence LIC-1 expired on 2026-08-10", "; no licence on file", or "" when no licence is
// involved: what a hit's licence (or its absence) did, for explanations.
std::string LicenceNote(const RuleHit& h);

class Engine {
 public:
  virtual ~Engine() = default;
  virtual Verdict Evaluate(const Situation& s) const = 0;
};

// Every rule checked for every situation: the reference the indexed engine is tested against.
std::unique_ptr<Engine> MakeNaiveEngine(const RuleSet& rules);
// Rules indexed by transfer type and location, so a situation reads only the rules that can
// apply to it. Same verdicts as the naive engine.
std::unique_ptr<Engine> MakeIndexedEngine(const RuleSet& rules);

}  // namespace gpufleet::compliance
