#include "gpufleet/compliance/rule_book.h"

#include <algorithm>
#include <utility>

namespace gpufleet::compliance {

RuleBook::RuleBook(std::string base_yaml, std::string base_name,
                   std::map<std::string, std::string, std::less<>> model_ids)
    : base_yaml_(std::move(base_yaml)),
      base_name_(std::move(base_name)),
      model_ids_(std::move(model_ids)) {}

std::vector<const ScheduledChange*> RuleBook::InEffectOrder() const {
  std::vector<const ScheduledChange*> order;
  for (const ScheduledChange& c : changes_) {
    if (!c.withdrawn) order.push_back(&c);
  }
  // Stable: ties take effect in the order scheduled.
  std::stable_sort(order.begin(), order.end(),
                   [](const ScheduledChange* a, const ScheduledChange* b) {
                     return a->effective_ms < b->effective_ms;
                   });
  return order;
}

Result<LayeredRules> RuleBook::Build(const std::vector<const ScheduledChange*>& order,
                                     size_t n) const {
  LayeredRules out;
  out.text = base_yaml_;
  out.name = base_name_;
  for (size_t i = 0; i < n; ++i) {
    Result<std::string> merged =
        MergeChange(out.text, out.name, order[i]->yaml, order[i]->name, model_ids_);
    if (!merged.ok()) return merged.status();
    out.text = std::move(merged).value();
    out.name += " + " + order[i]->name;
  }
  Result<RuleSet> rules = RuleSet::Parse(out.text, out.name, model_ids_);
  if (!rules.ok()) return rules.status();
  out.rules = std::move(rules).value();
  return out;
}

Status RuleBook::CheckFrom(int64_t effective_ms) const {
  const std::vector<const ScheduledChange*> order = InEffectOrder();
  size_t first = 0;
  while (first < order.size() && order[first]->effective_ms < effective_ms) ++first;
  for (size_t n = first + 1; n <= order.size(); ++n) {
    if (Result<LayeredRules> r = Build(order, n); !r.ok()) {
      return Status::InvalidArgument("the rules from " + order[n - 1]->name + " (" +
                                     order[n - 1]->id +
                                     ") on would not parse: " + r.status().message());
    }
  }
  return Status::Ok();
}

Result<std::string> RuleBook::Schedule(ScheduledChange change) {
  change.id = "rc-" + std::to_string(changes_.size() + 1);
  change.withdrawn = false;
  changes_.push_back(std::move(change));
  // Every rule set from the new change's effective time on includes it: each must parse.
  if (Status s = CheckFrom(changes_.back().effective_ms); !s.ok()) {
    const std::string name = changes_.back().name;
    changes_.pop_back();
    return Status::InvalidArgument("change '" + name + "' cannot take effect: " + s.message());
  }
  built_.clear();
  return changes_.back().id;
}

Status RuleBook::Withdraw(const std::string& id, int64_t now_ms) {
  auto it = std::find_if(changes_.begin(), changes_.end(),
                         [&](const ScheduledChange& c) { return c.id == id; });
  if (it == changes_.end()) return Status::NotFound("rule change '" + id + "' not found");
  if (it->withdrawn) return Status::FailedPrecondition("rule change '" + id + "' is withdrawn");
  if (it->effective_ms <= now_ms) {
    return Status::FailedPrecondition("rule change '" + id +
                                      "' is in force: schedule a change that undoes it instead");
  }
  // A later change may build on this one (replace or remove what it adds).
  it->withdrawn = true;
  if (Status s = CheckFrom(it->effective_ms); !s.ok()) {
    it->withdrawn = false;
    return Status::FailedPrecondition("rule change '" + id +
                                      "' cannot be withdrawn: " + s.message());
  }
  built_.clear();
  return Status::Ok();
}

void RuleBook::Forget(const std::string& id) {
  if (!changes_.empty() && changes_.back().id == id) changes_.pop_back();
  built_.clear();
}

void RuleBook::Reinstate(const std::string& id) {
  for (ScheduledChange& c : changes_) {
    if (c.id == id) c.withdrawn = false;
  }
  built_.clear();
}

size_t RuleBook::VersionAt(int64_t ms) const {
  size_t n = 0;
  for (const ScheduledChange& c : changes_) n += !c.withdrawn && c.effective_ms <= ms ? 1 : 0;
  return n;
}

std::shared_ptr<const LayeredRules> RuleBook::At(int64_t ms) const {
  const size_t version = VersionAt(ms);
  auto it = built_.find(version);
  if (it != built_.end()) return it->second;
  // Schedule checked that every prefix parses, so a failure here is a broken invariant.
  Result<LayeredRules> r = Build(InEffectOrder(), version);
  auto built = std::make_shared<const LayeredRules>(std::move(r).value());
  built_.emplace(version, built);
  return built;
}

std::optional<int64_t> RuleBook::NextEffectiveAfter(int64_t ms) const {
  std::optional<int64_t> next;
  for (const ScheduledChange& c : changes_) {
    if (!c.withdrawn && c.effective_ms > ms && (!next || c.effective_ms < *next)) {
      next = c.effective_ms;
    }
  }
  return next;
}

std::optional<Date> NextRuleDateAfter(const RuleSet& rules, Date day) {
  std::optional<Date> next;
  // `d` is a first day something holds (or no longer holds).
  const auto consider = [&](Date d) {
    if (d > day && d != Date::Max() && (!next || d < *next)) next = d;
  };
  // The day after an inclusive last day.
  const auto after = [&](Date last) {
    if (last != Date::Max()) consider(last.AddDays(1));
  };
  for (const Rule& r : rules.rules()) {
    consider(r.effective_from);
    after(r.effective_to);
    consider(r.not_enforced_from);
  }
  for (const DerivedFact& f : rules.derived()) consider(f.effective_from);
  for (const Quota& q : rules.quotas()) {
    consider(q.effective_from);
    after(q.effective_to);
    consider(q.not_enforced_from);
  }
  for (const Licence& l : rules.licences()) {
    consider(l.valid_from);
    after(l.valid_to);
    if (l.revoked_on) consider(*l.revoked_on);
  }
  return next;
}

}  // namespace gpufleet::compliance
