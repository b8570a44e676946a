#pragma once
// The rules a running service obeys over time (docs/compliance.md, "Rules that change while the
// fleet runs"): a base document — the shipped history with the operator's overlays, as read at
// start — and the rule changes scheduled since, each taking effect at its own instant. The
// rules in force at an instant are the base with every change whose effective time has come,
// merged in order of effective time (ties: in the order scheduled), each change in the
// examples/changes/ format (rule_change.h). A change not yet in force may be withdrawn; one in
// force stays (a later change undoes it), so the rules of a past instant never change.
//
// A change is accepted only if every rule set it takes part in parses: the one it makes at its
// own effective time and each later one it lies under.
//
// Not thread-safe: the service serialises its calls.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/compliance/rule_change.h"
#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

struct ScheduledChange {
  std::string id;    // given by the book: "rc-1", "rc-2", ... in the order scheduled
  std::string name;  // what messages call it (a file name)
  std::string yaml;  // the change file's text
  int64_t effective_ms = 0;
  int64_t scheduled_ms = 0;
  std::string actor;
  bool withdrawn = false;
};

// The first day after `day` on which a verdict under `rules` may change by the calendar alone:
// a rule, derived fact or quota coming into force, ceasing to be enforced or lapsing, a licence
// becoming valid, expiring or revoked. nullopt when none comes. A service that moves its clock
// stops on each such day (and each change's effective time) so that every one of them acts.
std::optional<Date> NextRuleDateAfter(const RuleSet& rules, Date day);

class RuleBook {
 public:
  // `base_yaml` must parse as a rule set (the service started with it).
  RuleBook(std::string base_yaml, std::string base_name,
           std::map<std::string, std::string, std::less<>> model_ids);

  // Schedules `change` (its id is assigned; withdrawn is ignored) and returns the id.
  // InvalidArgument, naming the change and the instant, when it does not merge or a rule set
  // it takes part in does not parse; nothing is scheduled then.
  Result<std::string> Schedule(ScheduledChange change);

  // Withdraws the change `id`: NotFound for an unknown id, FailedPrecondition when it is in
  // force at `now_ms`, already withdrawn, or a later change builds on it (the rules would no
  // longer parse without it).
  Status Withdraw(const std::string& id, int64_t now_ms);

  // Undoes the last Schedule (`id` must be its) or a Withdraw of `id`: for a caller whose
  // record of the step failed after the book took it.
  void Forget(const std::string& id);
  void Reinstate(const std::string& id);

  // The rules in force at `ms`, with the document they were parsed from. The same object for
  // every instant between two effective times.
  std::shared_ptr<const LayeredRules> At(int64_t ms) const;

  // How many changes are in force at `ms`: the rules differ between two instants exactly when
  // this does (withdrawals touch only changes not yet in force).
  size_t VersionAt(int64_t ms) const;

  // The first effective time after `ms` of a change not withdrawn; nullopt when none.
  std::optional<int64_t> NextEffectiveAfter(int64_t ms) const;

  // Every change scheduled, withdrawn ones included, in the order scheduled.
  const std::vector<ScheduledChange>& changes() const { return changes_; }

 private:
  // The changes not withdrawn, in the order they take effect.
  std::vector<const ScheduledChange*> InEffectOrder() const;
  // OK when every rule set from `effective_ms` on parses.
  Status CheckFrom(int64_t effective_ms) const;
  // The rule set after the first `n` of `order` merged onto the base.
  Result<LayeredRules> Build(const std::vector<const ScheduledChange*>& order, size_t n) const;

  const std::string base_yaml_;
  const std::string base_name_;
  const std::map<std::string, std::string, std::less<>> model_ids_;
  std::vector<ScheduledChange> changes_;
  // By version (how many changes in force): built on first use, dropped when the book changes.
  mutable std::map<size_t, std::shared_ptr<const LayeredRules>> built_;
};

}  // namespace gpufleet::compliance
