#include "gpufleet/service/inventory_service.h"

#include <algorithm>
#include <map>
#include <utility>

#include "gpufleet/findings/ledger_checks.h"
#include "gpufleet/inventory/diversion.h"
#include "gpufleet/ledger/merkle.h"
#include "gpufleet/model/utf8.h"
#include "service/change_verdict.h"
#include "service/store_hash_reader.h"

namespace gpufleet::service {
namespace {

using inventory::Change;
using inventory::ChangeKind;
using inventory::LiveAsset;

constexpr int32_t kReplayPage = 10'000;
constexpr int32_t kAssetPage = 1000;  // store::kMaxPageSize

std::string HexHashes(const std::vector<ledger::Hash>& hashes) {
  std::string out;
  out.reserve(hashes.size() * 2 * ledger::kHashSize);
  for (const ledger::Hash& h : hashes) out += ledger::HexHash(h);
  return out;
}

store::AssetRow RowOf(const LiveAsset& a) {
  return {.serial = a.record.serial,
          .model = a.record.model,
          .site = a.record.site,
          .owner = a.record.owner,
          .operator_org = a.record.operator_org,
          .status = std::string(inventory::AssetStatusName(a.status)),
          .last_entry = a.last_entry,
          .record = inventory::EncodeAsset(a.record)};
}

// A register's record must name a model of the catalog (its id; an alias is resolved) and an
// arrival its countries allow: the same checks the fleet file's reader makes.
Status CheckRegisterFacts(Change& c, const catalog::Catalog& catalog,
                          const inventory::LiveInventory& live) {
  if (!c.asset) return Status::Ok();
  inventory::Asset& a = *c.asset;
  const catalog::AcceleratorSpec* chip = catalog.Find(a.model);
  if (chip == nullptr) return Status::NotFound("model '" + Excerpt(a.model) + "' not found");
  a.model = chip->id;
  const inventory::Site* site = live.FindSite(a.site);
  if (site == nullptr || a.from_country.empty()) return Status::Ok();  // Check says 404
  const bool same = a.from_country == site->country;
  if (a.arrival == inventory::Arrival::kInCountryTransfer && !same) {
    return Status::InvalidArgument("asset.from_country: an in_country_transfer comes from " +
                                   site->country + ", the site's country");
  }
  if (a.arrival != inventory::Arrival::kInCountryTransfer && same) {
    return Status::InvalidArgument(
        "asset.from_country: an export or reexport comes from "
        "another country than the site's (" +
        site->country + ")");
  }
  return Status::Ok();
}

// A move, sale or lease is something the operator does, and the rules may forbid it; a
// register or a correction records what is (a chip that arrived against the rules is still
// there): it is recorded with its verdict, and the fleet check quarantines it.
bool IsAction(ChangeKind kind) {
  return kind == ChangeKind::kMove || kind == ChangeKind::kTransfer ||
         kind == ChangeKind::kLeaseStart;
}

}  // namespace

InventoryService::InventoryService(store::Store& store, const Clock& clock,
                                   const catalog::Catalog& catalog,
                                   const compliance::Engine& engine)
    : store_(store), clock_(clock), catalog_(catalog), engine_(engine) {}

Status InventoryService::Load() {
  const std::lock_guard lock(mu_);
  live_ = inventory::LiveInventory();
  frontier_ = ledger::TreeFrontier();
  shipped_.clear();
  findings_ = findings::FindingsBook();
  transfers_.clear();
  std::vector<ledger::Hash> stored;
  for (int64_t from = 0;;) {
    Result<std::vector<store::InventoryEntry>> page = store_.ReadInventory(from, kReplayPage);
    if (!page.ok()) return page.status();
    for (const store::InventoryEntry& e : *page) {
      const auto edited = [&](const std::string& what) {
        return Status::Corruption("inventory log: entry " + std::to_string(e.index) + " " + what);
      };
      if (e.index != from) return edited("is out of place (a gap or a reordering)");
      Result<Change> c = inventory::Decode(e.body);
      if (!c.ok()) return edited("does not decode: " + c.status().message());
      if (inventory::Subject(*c) != e.subject || inventory::ChangeKindName(c->kind) != e.kind ||
          c->effective_ms != e.effective_ms || c->recorded_ms != e.recorded_ms) {
        return edited("has columns that disagree with its bytes");
      }
      // Replayed as it was accepted: the clock checks held when it was recorded.
      if (Status s = live_.Apply(*c); !s.ok()) return edited("does not apply: " + s.message());
      if (c->kind == ChangeKind::kTransfer) transfers_[c->serial] = e.index;
      if (c->kind == inventory::ChangeKind::kRulesShipped) {
        // History only: the rules in force are the base the service was given.
        shipped_.push_back(
            {.index = e.index, .recorded_ms = c->recorded_ms, .record = *c->rules_shipped});
      } else if (inventory::IsRulesEntry(*c)) {
        if (Status s = ReplayRuleEntry(*c, e.index); !s.ok()) {
          return edited("does not apply to the rules: " + s.message());
        }
      } else if (inventory::IsFindingEntry(*c)) {
        if (Status s = findings_.Apply(*c, e.index); !s.ok()) {
          return edited("does not apply to the findings: " + s.message());
        }
      }
      frontier_.Append(ledger::LeafHash(e.body), &stored);
      if (HexHashes(stored) != e.hashes) {
        return edited("stores Merkle hashes its bytes do not give");
      }
      ++from;
    }
    if (page->size() < static_cast<size_t>(kReplayPage)) break;
  }
  read_only_reason_.clear();
  if (Status s = CompareAssetsTable(); !s.ok()) {
    if (s.code() != Status::Code::kCorruption) return s;
    read_only_reason_ = s.message();
  }
  ++generation_;
  return Status::Ok();
}

Status InventoryService::CompareAssetsTable() {
  const auto& assets = live_.assets();
  auto next = assets.begin();
  for (std::string after;;) {
    Result<std::vector<store::AssetRow>> page =
        store_.ListAssets({.after = after, .limit = kAssetPage, .site = {}, .organisation = {}});
    if (!page.ok()) return page.status();
    for (const store::AssetRow& row : *page) {
      if (next == assets.end() || next->first > row.serial) {
        return Status::Corruption("assets table: '" + Excerpt(row.serial) +
                                  "' is not in the inventory log");
      }
      if (next->first < row.serial) {
        return Status::Corruption("assets table: '" + Excerpt(next->first) +
                                  "' of the inventory log is missing");
      }
      if (RowOf(next->second) != row) {
        return Status::Corruption("assets table: the row of '" + Excerpt(row.serial) +
                                  "' differs from the inventory log's record");
      }
      ++next;
    }
    if (page->size() < static_cast<size_t>(kAssetPage)) break;
    after = page->back().serial;
  }
  if (next != assets.end()) {
    return Status::Corruption("assets table: '" + Excerpt(next->first) +
                              "' of the inventory log is missing");
  }
  return Status::Ok();
}

Result<std::vector<ChangeOutcome>> InventoryService::Seed(const inventory::Inventory& inventory,
                                                          std::string_view reason) {
  {
    const std::lock_guard lock(mu_);
    if (live_.entries() > 0) {
      return Status::FailedPrecondition(
          "the inventory is not empty: use `gpufleet inventory "
          "import` to add to it");
    }
  }
  const int64_t now = clock_.NowMs();
  std::vector<Change> changes = inventory::PlaceChanges(inventory, now, "");
  for (Change& c : inventory::RegisterChanges(inventory, now, "", reason)) {
    changes.push_back(std::move(c));
  }
  std::vector<ChangeOutcome> refused;
  for (size_t i = 0; i < changes.size(); i += kMaxChangesPerBatch) {
    const size_t end = std::min(changes.size(), i + kMaxChangesPerBatch);
    Result<std::vector<ChangeOutcome>> batch = Submit(
        std::vector<Change>(std::make_move_iterator(changes.begin() + static_cast<long>(i)),
                            std::make_move_iterator(changes.begin() + static_cast<long>(end))),
        "", /*all_or_nothing=*/false);
    if (!batch.ok()) return batch.status();
    for (ChangeOutcome& o : *batch) {
      if (!o.status.ok()) refused.push_back(std::move(o));
    }
  }
  return refused;
}

Result<std::vector<ChangeOutcome>> InventoryService::Submit(std::vector<Change> changes,
                                                            std::string_view actor,
                                                            bool all_or_nothing) {
  const uint64_t before = generation();
  Result<std::vector<ChangeOutcome>> out =
      CheckAndRecord(std::move(changes), actor, all_or_nothing);
  if (on_append_ && generation() != before) on_append_();
  return out;
}

Result<std::vector<ChangeOutcome>> InventoryService::CheckAndRecord(std::vector<Change> changes,
                                                                    std::string_view actor,
                                                                    bool all_or_nothing) {
  if (changes.empty()) return Status::InvalidArgument("changes: none given");
  if (changes.size() > kMaxChangesPerBatch) {
    return Status::InvalidArgument("changes: " + std::to_string(changes.size()) +
                                   " in one request; at most " +
                                   std::to_string(kMaxChangesPerBatch));
  }
  const std::lock_guard lock(mu_);
  if (!read_only_reason_.empty()) {
    return Status::FailedPrecondition("the inventory is read-only: " + read_only_reason_);
  }
  const int64_t now = clock_.NowMs();
  std::vector<ChangeOutcome> outcomes(changes.size());
  std::vector<inventory::LiveInventory::Undo> undo;
  bool refused_any = false;
  // What the ledger's own checks find in the batch (findings/ledger_checks.h): a second
  // register of a serial, whether or not the batch is recorded; once recorded, moves faster
  // than freight and papers that contradict the catalog.
  std::vector<findings::Detection> duplicates;
  std::vector<findings::Detection> recorded;  // found in changes that are recorded
  int64_t unchecked = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    ChangeOutcome& o = outcomes[i];
    o.change = std::move(changes[i]);
    Change& c = o.change;
    c.recorded_ms = now;
    c.actor = std::string(actor);
    c.verdict.clear();
    c.verdict_rules.clear();
    o.status = inventory::IsRulesEntry(c)
                   ? Status::InvalidArgument(
                         "rule changes are scheduled through POST /v1/rules/changes, not here")
               : inventory::IsFindingEntry(c)
                   ? Status::InvalidArgument(
                         "findings are opened by gpufleetd and updated through /v1/findings")
                   : CheckRegisterFacts(c, catalog_, live_);
    if (o.status.ok()) o.status = live_.Check(c);
    if (o.status.ok()) {
      // Judged by the rules in force when it took effect.
      const ChangeJudgement j = JudgeChange(live_, c, catalog_, *EngineAtLocked(c.effective_ms));
      if (j.refused() && IsAction(c.kind)) {
        o.non_compliant = true;
        o.verdict = j.overall;
        o.rules = j.rules;
        o.explanation = j.explanation;
        o.status = Status::FailedPrecondition(
            "the rules in force on the effective date refuse it: " + j.overall);
      } else if (!c.licence.empty() && c.licence != j.licence) {
        o.status = Status::FailedPrecondition(
            "licence '" + Excerpt(c.licence) +
            "' does not cover this change under the rules in force on its effective date");
      } else if (j.judged) {
        c.verdict = j.overall;
        c.verdict_rules = j.rules;
        c.licence = j.licence;
      }
    }
    if (o.status.code() == Status::Code::kAlreadyExists && c.kind == ChangeKind::kRegister) {
      if (const LiveAsset* held = live_.Find(c.serial)) {
        duplicates.push_back(findings::DuplicateRegister(*held, c));
      }
    }
    if (o.status.ok() && c.kind == ChangeKind::kMove) {
      const LiveAsset* before = live_.Find(c.serial);
      const inventory::Site* from = before ? live_.FindSite(before->record.site) : nullptr;
      const inventory::Site* to = live_.FindSite(c.site);
      if (before != nullptr && from != nullptr && to != nullptr) {
        findings::MoveCheck m = findings::CheckMove(*before, c, live_.entries(), *from, *to);
        if (m.too_fast) recorded.push_back(std::move(*m.too_fast));
        if (!m.checked) ++unchecked;
      }
    }
    if (o.status.ok() && c.asset) {
      // A register or correction whose papers contradict the catalog (an H20 with 141 GB).
      for (findings::Detection& d :
           findings::FromDiversionFlags(inventory::FindDiversionFlags({*c.asset}, catalog_))) {
        d.evidence = {"ledger entry " + std::to_string(live_.entries()) + " (" +
                      std::string(inventory::ChangeKindName(c.kind)) + ")"};
        recorded.push_back(std::move(d));
      }
    }
    if (o.status.ok()) {
      undo.emplace_back();
      o.status = live_.Apply(c, &undo.back());
      if (!o.status.ok()) undo.pop_back();
    }
    if (!o.status.ok()) refused_any = true;
  }
  // Runs on every way out: the duplicates were attempted whatever became of the batch.
  struct OpenOnExit {
    InventoryService* service;
    std::vector<findings::Detection>* found;
    int64_t now;
    ~OpenOnExit() {
      if (!found->empty()) service->OpenFindingsLocked(*found, now);
    }
  } open_on_exit{this, &duplicates, now};
  const auto revert_all = [&] {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) live_.Revert(*it);
  };
  if (refused_any && all_or_nothing) {
    revert_all();
    for (ChangeOutcome& o : outcomes) {
      if (o.status.ok()) o.status = Status::Aborted("not recorded: another change was refused");
    }
    return outcomes;
  }
  std::vector<ChangeOutcome*> accepted;
  for (ChangeOutcome& o : outcomes) {
    if (o.status.ok()) accepted.push_back(&o);
  }
  if (accepted.empty()) return outcomes;

  // The entries continue the log; their hashes continue the tree. A copy of the frontier is
  // advanced, and kept only once the store has committed.
  ledger::TreeFrontier next = frontier_;
  std::vector<ledger::Hash> hashes;
  std::vector<store::InventoryEntry> entries;
  std::map<std::string, store::AssetRow> rows;
  const int64_t first = live_.entries() - static_cast<int64_t>(accepted.size());
  for (size_t k = 0; k < accepted.size(); ++k) {
    ChangeOutcome& o = *accepted[k];
    o.index = first + static_cast<int64_t>(k);
    std::string body = inventory::Encode(o.change);
    next.Append(ledger::LeafHash(body), &hashes);
    entries.push_back({.index = o.index,
                       .subject = inventory::Subject(o.change),
                       .kind = std::string(inventory::ChangeKindName(o.change.kind)),
                       .effective_ms = o.change.effective_ms,
                       .recorded_ms = now,
                       .body = std::move(body),
                       .hashes = HexHashes(hashes)});
    if (!o.change.serial.empty()) {
      rows.insert_or_assign(o.change.serial, RowOf(*live_.Find(o.change.serial)));
    }
  }
  std::vector<store::AssetRow> row_list;
  row_list.reserve(rows.size());
  for (auto& [serial, row] : rows) row_list.push_back(std::move(row));
  if (Status s = store_.AppendInventory(entries, row_list); !s.ok()) {
    revert_all();
    return s;
  }
  frontier_ = next;
  ++generation_;
  moves_unchecked_ += unchecked;
  for (const ChangeOutcome* o : accepted) {
    if (o->change.kind == ChangeKind::kTransfer) transfers_[o->change.serial] = o->index;
  }
  for (findings::Detection& d : recorded) duplicates.push_back(std::move(d));
  return outcomes;
}

std::optional<LiveAsset> InventoryService::FindAsset(std::string_view serial) const {
  const std::lock_guard lock(mu_);
  const LiveAsset* a = live_.Find(serial);
  return a ? std::optional<LiveAsset>(*a) : std::nullopt;
}

std::optional<inventory::Organisation> InventoryService::FindOrg(std::string_view id) const {
  const std::lock_guard lock(mu_);
  const inventory::Organisation* o = live_.FindOrg(id);
  return o ? std::optional<inventory::Organisation>(*o) : std::nullopt;
}

std::optional<inventory::Site> InventoryService::FindSite(std::string_view id) const {
  const std::lock_guard lock(mu_);
  const inventory::Site* s = live_.FindSite(id);
  return s ? std::optional<inventory::Site>(*s) : std::nullopt;
}

std::vector<inventory::Organisation> InventoryService::Organisations() const {
  const std::lock_guard lock(mu_);
  std::vector<inventory::Organisation> out;
  for (const auto& [id, o] : live_.organisations()) out.push_back(o);
  return out;
}

std::vector<inventory::Site> InventoryService::Sites() const {
  const std::lock_guard lock(mu_);
  std::vector<inventory::Site> out;
  for (const auto& [id, s] : live_.sites()) out.push_back(s);
  return out;
}

Result<inventory::Inventory> InventoryService::Snapshot(InventoryVersion* version,
                                                        findings::Holds* holds) const {
  std::vector<inventory::Organisation> orgs;
  std::vector<inventory::Site> sites;
  std::vector<inventory::Node> nodes;
  std::vector<inventory::Asset> assets;
  {
    const std::lock_guard lock(mu_);
    if (version != nullptr) *version = {.generation = generation_, .entries = live_.entries()};
    if (holds != nullptr) *holds = findings_.holds();
    for (const auto& [id, o] : live_.organisations()) orgs.push_back(o);
    for (const auto& [id, s] : live_.sites()) sites.push_back(s);
    for (const auto& [key, n] : live_.nodes()) nodes.push_back(n);
    assets.reserve(live_.assets().size());
    for (const auto& [serial, a] : live_.assets()) {
      if (a.status == inventory::AssetStatus::kActive) assets.push_back(a.record);
    }
  }
  return inventory::Inventory::FromRecords(std::move(orgs), std::move(sites), std::move(nodes),
                                           std::move(assets), catalog_);
}

std::vector<LiveAsset> InventoryService::List(const AssetQuery& q) const {
  const std::lock_guard lock(mu_);
  std::vector<LiveAsset> out;
  const auto& assets = live_.assets();
  for (auto it = assets.upper_bound(q.after); it != assets.end() && out.size() < q.limit; ++it) {
    const LiveAsset& a = it->second;
    if ((q.site && a.record.site != *q.site) || (q.status && a.status != *q.status) ||
        (q.visible_to && !MayKnowLocked(*q.visible_to, a))) {
      continue;
    }
    out.push_back(a);
  }
  return out;
}

bool InventoryService::OrgMayKnow(std::string_view org, const LiveAsset& asset) const {
  const std::lock_guard lock(mu_);
  return MayKnowLocked(org, asset);
}

bool InventoryService::MayKnowLocked(std::string_view org, const LiveAsset& asset) const {
  // The asset's owner or operator, or any organisation above either in its parent chain.
  for (const std::string* holder : {&asset.record.owner, &asset.record.operator_org}) {
    for (const inventory::Organisation* o = live_.FindOrg(*holder); o != nullptr;
         o = o->parent.empty() ? nullptr : live_.FindOrg(o->parent)) {
      if (o->id == org) return true;
    }
  }
  return false;
}

int64_t InventoryService::size() const {
  const std::lock_guard lock(mu_);
  return live_.entries();
}

ledger::Hash InventoryService::root() const { return Head().second; }

std::pair<int64_t, ledger::Hash> InventoryService::Head() const {
  const std::lock_guard lock(mu_);
  return {live_.entries(), frontier_.Root()};
}

Result<std::vector<ledger::Hash>> InventoryService::ProveInclusion(uint64_t index,
                                                                   uint64_t tree_size) const {
  return ledger::InclusionProof(index, tree_size, StoreHashReader(store_));
}

Result<std::vector<ledger::Hash>> InventoryService::ProveConsistency(uint64_t old_size,
                                                                     uint64_t new_size) const {
  return ledger::ConsistencyProof(old_size, new_size, StoreHashReader(store_));
}

std::string InventoryService::read_only_reason() const {
  const std::lock_guard lock(mu_);
  return read_only_reason_;
}

uint64_t InventoryService::generation() const {
  const std::lock_guard lock(mu_);
  return generation_;
}

}  // namespace gpufleet::service
