// InventoryService's findings (docs/findings.md): the entries that open and update them go
// through the same log as the inventory's, so the book is rebuilt by the same replay.

#include <utility>

#include "gpufleet/log/log.h"
#include "gpufleet/service/inventory_service.h"
#include "service/change_verdict.h"

namespace gpufleet::service {

using inventory::Change;

void InventoryService::SetFindingPolicy(findings::Policy policy) {
  const std::lock_guard lock(mu_);
  finding_policy_ = std::move(policy);
}

findings::Policy InventoryService::FindingPolicy() const {
  const std::lock_guard lock(mu_);
  return finding_policy_;
}

int64_t InventoryService::moves_unchecked() const {
  const std::lock_guard lock(mu_);
  return moves_unchecked_;
}

Result<std::vector<int64_t>> InventoryService::RecordFindingsLocked(std::vector<Change> entries) {
  if (entries.empty()) return std::vector<int64_t>{};
  if (!read_only_reason_.empty()) {
    return Status::FailedPrecondition("the inventory is read-only: " + read_only_reason_);
  }
  // Checked against a copy first, so a refused entry leaves the book as it was.
  findings::FindingsBook book = findings_;
  const int64_t first = live_.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (Status s = book.Apply(entries[i], first + static_cast<int64_t>(i)); !s.ok()) {
      return s;  // names the finding
    }
  }
  Result<int64_t> at = AppendRecordOnlyLocked(std::move(entries));
  if (!at.ok()) return at.status();
  std::vector<int64_t> indexes;
  for (int64_t i = first; i < live_.entries(); ++i) indexes.push_back(i);
  findings_ = std::move(book);
  return indexes;
}

Result<std::vector<int64_t>> InventoryService::RecordFindings(const FindingMaker& make) {
  Result<std::vector<int64_t>> out = [&]() -> Result<std::vector<int64_t>> {
    const std::lock_guard lock(mu_);
    return RecordFindingsLocked(make(findings_));
  }();
  if (out.ok() && !out->empty() && on_append_) on_append_();
  return out;
}

void InventoryService::OpenFindingsLocked(const std::vector<findings::Detection>& found,
                                          int64_t now_ms) {
  Result<std::vector<int64_t>> r =
      RecordFindingsLocked(findings_.Open(found, finding_policy_, now_ms));
  if (!r.ok()) {
    log::Warn("findings.not_recorded", {{"found", found.size()}, {"error", r.status().ToString()}});
  }
}

Result<findings::FindingView> InventoryService::UpdateFinding(const std::string& id,
                                                              std::string_view what,
                                                              std::string reason,
                                                              std::string_view actor) {
  if (what != "acknowledged" && what != "resolved" && what != "released") {
    return Status::InvalidArgument("unknown update '" + std::string(what) +
                                   "': acknowledged, resolved or released");
  }
  if (reason.empty()) return Status::InvalidArgument("reason: required (say why)");
  Result<findings::FindingView> out = [&]() -> Result<findings::FindingView> {
    const std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMs();
    Change c;
    c.kind = inventory::ChangeKind::kFindingUpdate;
    c.effective_ms = now;
    c.recorded_ms = now;
    c.actor = std::string(actor);
    c.reason = std::move(reason);
    c.finding = inventory::FindingRecord{.id = id,
                                         .state = what == "released" ? "" : std::string(what),
                                         .release = what == "released"};
    // NotFound and FailedPrecondition come from the book as they are; a malformed id is
    // simply not found.
    if (findings_.Find(id) == nullptr) return Status::NotFound("finding '" + id + "' not found");
    GPUFLEET_RETURN_IF_ERROR(findings_.Check(c));
    std::vector<Change> one;
    one.push_back(std::move(c));
    Result<std::vector<int64_t>> r = RecordFindingsLocked(std::move(one));
    if (!r.ok()) return r.status();
    return *findings_.Find(id);
  }();
  if (out.ok() && on_append_) on_append_();
  return out;
}

std::vector<findings::Detection> InventoryService::TransfersRefusedAt(int64_t now_ms) const {
  const std::lock_guard lock(mu_);
  std::vector<findings::Detection> out;
  if (transfers_.empty()) return out;
  const std::shared_ptr<const compliance::Engine> engine = EngineAtLocked(now_ms);
  for (const auto& [serial, index] : transfers_) {
    const inventory::LiveAsset* a = live_.Find(serial);
    if (a == nullptr || a->status != inventory::AssetStatus::kActive) continue;
    // The same sale today: to the owner it has, from where it stands.
    Change again;
    again.kind = inventory::ChangeKind::kTransfer;
    again.serial = serial;
    again.owner = a->record.owner;
    again.effective_ms = now_ms;
    again.recorded_ms = now_ms;
    if (!live_.Check(again).ok()) continue;
    const ChangeJudgement j = JudgeChange(live_, again, catalog_, *engine);
    if (!j.refused()) continue;
    std::string rules;
    for (const std::string& r : j.rules) rules += (rules.empty() ? "" : ", ") + r;
    out.push_back({.kind = findings::Kind::kTransferRefusedToday,
                   .subject = "entry " + std::to_string(index),
                   .serial = serial,
                   .node = "",
                   .detail = "the transfer of " + serial + " to " + a->record.owner +
                             " (ledger entry " + std::to_string(index) +
                             ") was allowed when recorded; the rules in force today say " +
                             j.overall + (rules.empty() ? "" : " (" + rules + ")"),
                   .evidence = {"ledger entry " + std::to_string(index)}});
  }
  return out;
}

std::optional<findings::FindingView> InventoryService::FindFinding(std::string_view id) const {
  const std::lock_guard lock(mu_);
  const findings::FindingView* f = findings_.Find(id);
  return f ? std::optional<findings::FindingView>(*f) : std::nullopt;
}

std::vector<findings::FindingView> InventoryService::ListFindings(
    const std::function<bool(const findings::FindingView&)>& match, size_t after,
    size_t limit) const {
  const std::lock_guard lock(mu_);
  std::vector<findings::FindingView> out;
  const auto& all = findings_.all();
  for (size_t i = after; i < all.size() && out.size() < limit; ++i) {
    if (match(all[i])) out.push_back(all[i]);
  }
  return out;
}

}  // namespace gpufleet::service
