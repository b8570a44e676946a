// The rules over time as state of the service, recorded in the same ledger as the inventory
// (docs/compliance.md, "Rules that change while the fleet runs"): a rule change is an entry
// scheduled ahead of its effective time, a withdrawal another entry; the rule book they make
// gives the rules in force at any instant, and each version's engine is built once.

#include <utility>

#include "gpufleet/ledger/hash.h"
#include "gpufleet/service/inventory_service.h"

namespace gpufleet::service {

using inventory::Change;
using inventory::ChangeKind;

void InventoryService::SetRuleBase(std::string document, std::string name) {
  const std::lock_guard lock(mu_);
  rule_book_.emplace(std::move(document), std::move(name), catalog_.IdsByName());
  versions_.clear();
}

Status InventoryService::ReplayRuleEntry(const Change& c, int64_t index) {
  if (!rule_book_) {
    return Status::FailedPrecondition(
        "the log holds rule changes, and the service was given no rule base to apply them to");
  }
  const inventory::RuleChangeRecord& r = *c.rule_change;
  if (c.kind == ChangeKind::kRuleWithdraw) {
    return rule_book_->Withdraw(r.id, c.recorded_ms);
  }
  Result<std::string> id = rule_book_->Schedule({.id = "",
                                                 .name = r.name,
                                                 .yaml = r.document,
                                                 .effective_ms = c.effective_ms,
                                                 .scheduled_ms = c.recorded_ms,
                                                 .actor = c.actor,
                                                 .withdrawn = false});
  if (!id.ok()) return id.status();
  if (*id != r.id) {
    return Status::Corruption("rule change '" + r.id + "' would be '" + *id + "' in order");
  }
  rule_entries_[r.id] = index;
  versions_.clear();
  return Status::Ok();
}

Result<int64_t> InventoryService::AppendRulesEntryLocked(Change c) {
  std::vector<Change> one;
  one.push_back(std::move(c));
  return AppendRecordOnlyLocked(std::move(one));
}

Result<int64_t> InventoryService::AppendRecordOnlyLocked(std::vector<Change> changes) {
  std::vector<inventory::LiveInventory::Undo> undo;
  const auto revert = [&] {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) live_.Revert(*it);
  };
  const int64_t first = live_.entries();
  ledger::TreeFrontier next = frontier_;
  std::vector<ledger::Hash> hashes;
  std::vector<store::InventoryEntry> entries;
  for (const Change& c : changes) {
    undo.emplace_back();
    if (Status s = live_.Apply(c, &undo.back()); !s.ok()) {
      undo.pop_back();
      revert();
      return s;
    }
    std::string body = inventory::Encode(c);
    next.Append(ledger::LeafHash(body), &hashes);
    std::string hex;
    for (const ledger::Hash& h : hashes) hex += ledger::HexHash(h);
    entries.push_back({.index = live_.entries() - 1,
                       .subject = inventory::Subject(c),
                       .kind = std::string(inventory::ChangeKindName(c.kind)),
                       .effective_ms = c.effective_ms,
                       .recorded_ms = c.recorded_ms,
                       .body = std::move(body),
                       .hashes = std::move(hex)});
  }
  if (Status s = store_.AppendInventory(entries, {}); !s.ok()) {
    revert();
    return s;
  }
  frontier_ = next;
  ++generation_;  // wakes the fleet's rebuilder, which reads the rules in force and the holds
  return first;
}

Result<RuleChangeView> InventoryService::ScheduleRuleChange(std::string document, std::string name,
                                                            int64_t effective_ms,
                                                            std::string_view actor) {
  return ScheduleRuleChange(
      [&](const compliance::RuleBook&) -> Result<std::string> { return std::move(document); },
      std::move(name), effective_ms, actor);
}

Result<RuleChangeView> InventoryService::ScheduleRuleChange(const RuleDocumentMaker& make,
                                                            std::string name, int64_t effective_ms,
                                                            std::string_view actor) {
  Result<RuleChangeView> out = [&]() -> Result<RuleChangeView> {
    const std::lock_guard lock(mu_);
    if (!rule_book_) return Status::FailedPrecondition("no rule base to schedule changes over");
    if (!read_only_reason_.empty()) {
      return Status::FailedPrecondition("the inventory is read-only: " + read_only_reason_);
    }
    const int64_t now = clock_.NowMs();
    if (effective_ms < now) {
      return Status::InvalidArgument(
          "effective time is in the past: the rules of the past do not change");
    }
    Result<std::string> document = make(*rule_book_);
    if (!document.ok()) return document.status();
    Result<std::string> id = rule_book_->Schedule({.id = "",
                                                   .name = name,
                                                   .yaml = *document,
                                                   .effective_ms = effective_ms,
                                                   .scheduled_ms = now,
                                                   .actor = std::string(actor),
                                                   .withdrawn = false});
    if (!id.ok()) return id.status();
    Change c;
    c.kind = ChangeKind::kRuleChange;
    c.effective_ms = effective_ms;
    c.recorded_ms = now;
    c.actor = std::string(actor);
    c.rule_change = inventory::RuleChangeRecord{
        .id = *id, .name = std::move(name), .document = std::move(*document)};
    Result<int64_t> index = AppendRulesEntryLocked(std::move(c));
    if (!index.ok()) {
      rule_book_->Forget(*id);
      return index.status();
    }
    rule_entries_[*id] = *index;
    versions_.clear();
    return ViewLocked(rule_book_->changes().back(), now);
  }();
  if (out.ok() && on_append_) on_append_();
  return out;
}

Result<RuleChangeView> InventoryService::WithdrawRuleChange(const std::string& id,
                                                            std::string_view actor) {
  Result<RuleChangeView> out = [&]() -> Result<RuleChangeView> {
    const std::lock_guard lock(mu_);
    if (!rule_book_) return Status::NotFound("rule change '" + id + "' not found");
    if (!read_only_reason_.empty()) {
      return Status::FailedPrecondition("the inventory is read-only: " + read_only_reason_);
    }
    const int64_t now = clock_.NowMs();
    GPUFLEET_RETURN_IF_ERROR(rule_book_->Withdraw(id, now));
    Change c;
    c.kind = ChangeKind::kRuleWithdraw;
    c.effective_ms = now;
    c.recorded_ms = now;
    c.actor = std::string(actor);
    c.rule_change = inventory::RuleChangeRecord{.id = id, .name = "", .document = ""};
    if (Result<int64_t> index = AppendRulesEntryLocked(std::move(c)); !index.ok()) {
      rule_book_->Reinstate(id);
      return index.status();
    }
    versions_.clear();
    for (const compliance::ScheduledChange& sc : rule_book_->changes()) {
      if (sc.id == id) return ViewLocked(sc, now);
    }
    return Status::NotFound("rule change '" + id + "' not found");
  }();
  if (out.ok() && on_append_) on_append_();
  return out;
}

RuleChangeView InventoryService::ViewLocked(const compliance::ScheduledChange& c,
                                            int64_t now_ms) const {
  const auto it = rule_entries_.find(c.id);
  return {.change = c,
          .index = it == rule_entries_.end() ? -1 : it->second,
          .state = c.withdrawn                ? "withdrawn"
                   : c.effective_ms <= now_ms ? "in_force"
                                              : "pending"};
}

std::vector<RuleChangeView> InventoryService::RuleChanges() const {
  const std::lock_guard lock(mu_);
  std::vector<RuleChangeView> out;
  if (!rule_book_) return out;
  const int64_t now = clock_.NowMs();
  for (const compliance::ScheduledChange& c : rule_book_->changes()) {
    out.push_back(ViewLocked(c, now));
  }
  return out;
}

std::vector<ShippedRulesEntry> InventoryService::ShippedRules() const {
  const std::lock_guard lock(mu_);
  return shipped_;
}

Result<int64_t> InventoryService::RecordShippedRules(inventory::RulesShippedRecord record) {
  Result<int64_t> out = [&]() -> Result<int64_t> {
    const std::lock_guard lock(mu_);
    if (!read_only_reason_.empty()) {
      return Status::FailedPrecondition("the inventory is read-only: " + read_only_reason_);
    }
    const int64_t now = clock_.NowMs();
    Change c;
    c.kind = ChangeKind::kRulesShipped;
    c.effective_ms = now;
    c.recorded_ms = now;
    c.rules_shipped = record;
    Result<int64_t> index = AppendRulesEntryLocked(std::move(c));
    if (!index.ok()) return index.status();
    shipped_.push_back({.index = *index, .recorded_ms = now, .record = std::move(record)});
    return index;
  }();
  if (out.ok() && on_append_) on_append_();
  return out;
}

std::optional<RuleVersion> InventoryService::RulesAtLocked(int64_t ms) const {
  if (!rule_book_) return std::nullopt;
  const size_t version = rule_book_->VersionAt(ms);
  auto it = versions_.find(version);
  if (it == versions_.end()) {
    std::shared_ptr<const compliance::LayeredRules> layered = rule_book_->At(ms);
    std::shared_ptr<const compliance::RuleSet> rules(layered, &layered->rules);
    std::shared_ptr<const compliance::Engine> engine = compliance::MakeIndexedEngine(*rules);
    it = versions_
             .emplace(version, RuleVersion{.layered = std::move(layered),
                                           .rules = std::move(rules),
                                           .engine = std::move(engine)})
             .first;
  }
  return it->second;
}

std::optional<RuleVersion> InventoryService::RulesAt(int64_t ms) const {
  const std::lock_guard lock(mu_);
  return RulesAtLocked(ms);
}

std::optional<int64_t> InventoryService::NextRuleEventAfter(int64_t ms) const {
  constexpr int64_t kMsPerDay = 86'400'000;
  const std::lock_guard lock(mu_);
  if (!rule_book_) return std::nullopt;
  std::optional<int64_t> next = rule_book_->NextEffectiveAfter(ms);
  const Date day = Date::FromDays(static_cast<int32_t>(ms / kMsPerDay));
  if (const std::optional<Date> d = compliance::NextRuleDateAfter(rule_book_->At(ms)->rules, day)) {
    const int64_t midnight = static_cast<int64_t>(d->days()) * kMsPerDay;
    if (!next || midnight < *next) next = midnight;
  }
  return next;
}

std::shared_ptr<const compliance::Engine> InventoryService::EngineAtLocked(int64_t ms) const {
  if (std::optional<RuleVersion> v = RulesAtLocked(ms)) return v->engine;
  // Not owned: the engine the service was given outlives it.
  return std::shared_ptr<const compliance::Engine>(&engine_, [](const compliance::Engine*) {});
}

}  // namespace gpufleet::service
