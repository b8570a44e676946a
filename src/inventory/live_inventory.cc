#include "gpufleet/inventory/live_inventory.h"

#include <algorithm>
#include <set>

#include "gpufleet/model/utf8.h"

namespace gpufleet::inventory {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

Status UnknownAsset(std::string_view serial) {
  return Status::NotFound("asset '" + Excerpt(serial) + "' not found");
}

}  // namespace

std::string_view AssetStatusName(AssetStatus status) {
  switch (status) {
    case AssetStatus::kActive:
      return "active";
    case AssetStatus::kRetired:
      return "retired";
    case AssetStatus::kLost:
      return "lost";
  }
  return "unknown";
}

LiveInventory::LiveInventory(std::vector<Organisation> organisations, std::vector<Site> sites) {
  for (Organisation& o : organisations) {
    std::string id = o.id;
    organisations_.emplace(std::move(id), std::move(o));
  }
  for (Site& s : sites) {
    std::string id = s.id;
    sites_.emplace(std::move(id), std::move(s));
  }
}

LiveInventory LiveInventory::WithPlacesOf(const Inventory& inventory) {
  return LiveInventory(inventory.organisations(), inventory.sites());
}

const LiveAsset* LiveInventory::Find(std::string_view serial) const {
  const auto it = assets_.find(serial);
  return it == assets_.end() ? nullptr : &it->second;
}

const Organisation* LiveInventory::FindOrg(std::string_view id) const {
  const auto it = organisations_.find(id);
  return it == organisations_.end() ? nullptr : &it->second;
}

const Node* LiveInventory::FindNode(std::string_view site, std::string_view id) const {
  const auto it = nodes_.find(std::string(site) + "/" + std::string(id));
  return it == nodes_.end() ? nullptr : &it->second;
}

const Site* LiveInventory::FindSite(std::string_view id) const {
  const auto it = sites_.find(id);
  return it == sites_.end() ? nullptr : &it->second;
}

std::string LiveInventory::UltimateParentHq(std::string_view org_id) const {
  const Organisation* org = FindOrg(org_id);
  if (org == nullptr) return "";
  // Terminates: Check refuses unknown parents and chains that loop.
  while (!org->parent.empty()) {
    const Organisation* parent = FindOrg(org->parent);
    if (parent == nullptr) break;
    org = parent;
  }
  return org->hq_country;
}

Status LiveInventory::Check(const Change& c) const {
  GPUFLEET_RETURN_IF_ERROR(Validate(c));
  // The rules' entries touch no record here; the rule book judges them (a rule change is
  // scheduled ahead of its effective time on purpose).
  if (IsRecordOnlyEntry(c)) return Status::Ok();
  if (c.effective_ms > c.recorded_ms + kClockToleranceMs) {
    return Status::InvalidArgument("effective time " + std::to_string(c.effective_ms) +
                                   " is more than 5 minutes after the time it was recorded");
  }
  const bool back_dated = c.effective_ms < c.recorded_ms - kClockToleranceMs;
  if (back_dated && c.reason.empty()) {
    return Status::InvalidArgument("a back-dated change needs a reason");
  }
  const auto org = [&](std::string_view id) -> Status {
    if (FindOrg(id) == nullptr) {
      return Status::NotFound("organisation '" + Excerpt(id) + "' not found");
    }
    return Status::Ok();
  };
  const auto site = [&](std::string_view id) -> Status {
    if (FindSite(id) == nullptr) return Status::NotFound("site '" + Excerpt(id) + "' not found");
    return Status::Ok();
  };
  if (c.kind == ChangeKind::kOrg) {
    const Organisation& o = *c.organisation;
    if (const Organisation* now = FindOrg(o.id); now != nullptr && *now == o) {
      return Status::AlreadyExists("organisation '" + o.id + "' is already recorded so");
    }
    // The parent must exist, and the chain above it must not come back to this organisation.
    for (std::string_view up = o.parent; !up.empty();) {
      if (up == o.id) {
        return Status::InvalidArgument("organisation '" + o.id + "': parent chain loops back");
      }
      const Organisation* parent = FindOrg(up);
      if (parent == nullptr) return org(up);
      up = parent->parent;
    }
    return Status::Ok();
  }
  if (c.kind == ChangeKind::kNode) {
    if (FindSite(c.host->site) == nullptr) return site(c.host->site);
    if (const Node* now = FindNode(c.host->site, c.host->id); now != nullptr && *now == *c.host) {
      return Status::AlreadyExists("node '" + c.host->id + "' at " + c.host->site +
                                   " is already recorded so");
    }
    return Status::Ok();
  }
  if (c.kind == ChangeKind::kSite) {
    if (const Site* now = FindSite(c.place->id); now != nullptr && *now == *c.place) {
      return Status::AlreadyExists("site '" + c.place->id + "' is already recorded so");
    }
    return Status::Ok();
  }
  const LiveAsset* asset = Find(c.serial);
  if (c.kind == ChangeKind::kRegister) {
    if (asset != nullptr) {
      Asset same = *c.asset;
      same.file.clear();
      same.line = 0;
      // "so": the same record again, which an import run twice sends; otherwise a conflict.
      return Status::AlreadyExists("asset '" + Excerpt(c.serial) + "' is already registered" +
                                   (same == asset->record ? " so" : ", with another record"));
    }
    GPUFLEET_RETURN_IF_ERROR(site(c.asset->site));
    GPUFLEET_RETURN_IF_ERROR(org(c.asset->owner));
    return org(c.asset->operator_org);
  }
  if (asset == nullptr) return UnknownAsset(c.serial);
  if (c.effective_ms < asset->last_effective_ms) {
    return Status::InvalidArgument("effective time is earlier than the asset's last entry (" +
                                   std::to_string(asset->last_entry) + ")");
  }
  if (asset->status != AssetStatus::kActive && c.kind != ChangeKind::kCorrect) {
    return Status::FailedPrecondition("asset '" + Excerpt(c.serial) + "' is " +
                                      std::string(AssetStatusName(asset->status)));
  }
  switch (c.kind) {
    case ChangeKind::kMove:
      return site(c.site);
    case ChangeKind::kTransfer:
      GPUFLEET_RETURN_IF_ERROR(org(c.owner));
      return c.operator_org.empty() ? Status::Ok() : org(c.operator_org);
    case ChangeKind::kLeaseStart:
      return org(c.operator_org);
    case ChangeKind::kLeaseEnd:
      if (asset->record.holding == Holding::kOwned &&
          asset->record.operator_org == asset->record.owner) {
        return Status::FailedPrecondition("asset '" + Excerpt(c.serial) + "' is not leased");
      }
      return Status::Ok();
    case ChangeKind::kCorrect:
      if (c.corrects >= entries() || entry_serials_[c.corrects] != c.serial) {
        return Status::NotFound("entry " + std::to_string(c.corrects) + " about asset '" +
                                Excerpt(c.serial) + "' not found");
      }
      return Status::Ok();
    case ChangeKind::kRegister:
    case ChangeKind::kRetire:
    case ChangeKind::kLost:
    case ChangeKind::kOrg:
    case ChangeKind::kSite:
    case ChangeKind::kNode:
    case ChangeKind::kRuleChange:
    case ChangeKind::kRuleWithdraw:
    case ChangeKind::kRulesShipped:
    case ChangeKind::kFinding:
    case ChangeKind::kFindingUpdate:
      return Status::Ok();
  }
  return Status::Ok();
}

void LiveInventory::ApplyToAsset(const Change& c, LiveAsset& asset) const {
  Asset& r = asset.record;
  switch (c.kind) {
    case ChangeKind::kRegister:
      r = *c.asset;
      r.file.clear();
      r.line = 0;
      break;
    case ChangeKind::kMove: {
      // Across a border the chip is exported again, from where it stood: a re-export once
      // it has crossed one before. Within a country, how it entered stays what it was.
      const Site* from = FindSite(r.site);
      const Site* to = FindSite(c.site);
      if (from != nullptr && to != nullptr && from->country != to->country) {
        r.arrival =
            r.arrival == Arrival::kInCountryTransfer ? Arrival::kExport : Arrival::kReexport;
        r.from_country = from->country;
      }
      r.site = c.site;
      r.node = c.node;
      break;
    }
    case ChangeKind::kTransfer:
      r.owner = c.owner;
      r.operator_org = c.operator_org.empty() ? c.owner : c.operator_org;
      break;
    case ChangeKind::kLeaseStart:
      r.operator_org = c.operator_org;
      r.holding = *c.holding;
      break;
    case ChangeKind::kLeaseEnd:
      r.operator_org = r.owner;
      r.holding = Holding::kOwned;
      break;
    case ChangeKind::kRetire:
      asset.status = AssetStatus::kRetired;
      break;
    case ChangeKind::kLost:
      asset.status = AssetStatus::kLost;
      asset.lost_how = c.how;
      break;
    case ChangeKind::kOrg:
    case ChangeKind::kSite:
    case ChangeKind::kNode:
    case ChangeKind::kRuleChange:
    case ChangeKind::kRuleWithdraw:
    case ChangeKind::kRulesShipped:
    case ChangeKind::kFinding:
    case ChangeKind::kFindingUpdate:
      break;  // handled above
    case ChangeKind::kCorrect:
      // What a correction may fix: what was recorded wrongly, never where or whose it is.
      r.model = c.asset->model;
      r.node = c.asset->node;
      r.acquired = c.asset->acquired;
      r.arrival = c.asset->arrival;
      r.from_country = c.asset->from_country;
      r.declared_memory_gb = c.asset->declared_memory_gb;
      r.declared_tpp = c.asset->declared_tpp;
      r.declared_dram_bw_gbs = c.asset->declared_dram_bw_gbs;
      break;
  }
}

LiveAsset LiveInventory::Preview(const Change& c) const {
  const LiveAsset* found = Find(c.serial);
  LiveAsset asset = found != nullptr ? *found : LiveAsset{};
  ApplyToAsset(c, asset);
  return asset;
}

Status LiveInventory::Apply(const Change& c, Undo* undo) {
  GPUFLEET_RETURN_IF_ERROR(Check(c));
  const int64_t index = entries();
  if (undo != nullptr) {
    *undo = Undo{};
    undo->kind = c.kind;
    if (c.kind == ChangeKind::kOrg) {
      undo->key = c.organisation->id;
      if (const Organisation* o = FindOrg(undo->key)) undo->organisation = *o;
    } else if (c.kind == ChangeKind::kSite) {
      undo->key = c.place->id;
      if (const Site* s = FindSite(undo->key)) undo->site = *s;
    } else if (c.kind == ChangeKind::kNode) {
      undo->key = c.host->site + "/" + c.host->id;
      if (const Node* n = FindNode(c.host->site, c.host->id)) undo->node = *n;
    } else {
      undo->key = c.serial;
      if (const LiveAsset* a = Find(c.serial)) undo->asset = *a;
    }
  }
  if (IsRecordOnlyEntry(c)) {
    entry_serials_.push_back(Subject(c));
    return Status::Ok();
  }
  if (c.kind == ChangeKind::kOrg) {
    organisations_.insert_or_assign(c.organisation->id, *c.organisation);
    entry_serials_.push_back(Subject(c));
    return Status::Ok();
  }
  if (c.kind == ChangeKind::kSite) {
    sites_.insert_or_assign(c.place->id, *c.place);
    entry_serials_.push_back(Subject(c));
    return Status::Ok();
  }
  if (c.kind == ChangeKind::kNode) {
    nodes_.insert_or_assign(c.host->site + "/" + c.host->id, *c.host);
    entry_serials_.push_back(Subject(c));
    return Status::Ok();
  }
  LiveAsset& asset = assets_[c.serial];
  ApplyToAsset(c, asset);
  asset.last_effective_ms = std::max(asset.last_effective_ms, c.effective_ms);
  if (c.kind == ChangeKind::kRegister || c.kind == ChangeKind::kMove) {
    asset.located_ms = c.effective_ms;
  }
  asset.last_entry = index;
  entry_serials_.push_back(c.serial);
  return Status::Ok();
}

void LiveInventory::Revert(const Undo& undo) {
  entry_serials_.pop_back();
  if (undo.kind == ChangeKind::kRuleChange || undo.kind == ChangeKind::kRuleWithdraw ||
      undo.kind == ChangeKind::kRulesShipped || undo.kind == ChangeKind::kFinding ||
      undo.kind == ChangeKind::kFindingUpdate) {
    return;
  }
  if (undo.kind == ChangeKind::kOrg) {
    if (undo.organisation) {
      organisations_.insert_or_assign(undo.key, *undo.organisation);
    } else {
      organisations_.erase(undo.key);
    }
  } else if (undo.kind == ChangeKind::kNode) {
    if (undo.node) {
      nodes_.insert_or_assign(undo.key, *undo.node);
    } else {
      nodes_.erase(undo.key);
    }
  } else if (undo.kind == ChangeKind::kSite) {
    if (undo.site) {
      sites_.insert_or_assign(undo.key, *undo.site);
    } else {
      sites_.erase(undo.key);
    }
  } else if (undo.asset) {
    assets_.insert_or_assign(undo.key, *undo.asset);
  } else {
    assets_.erase(undo.key);
  }
}

std::vector<Change> PlaceChanges(const Inventory& inventory, int64_t recorded_ms,
                                 std::string_view actor) {
  std::vector<Change> out;
  const auto place_change = [&](ChangeKind kind) {
    Change c;
    c.kind = kind;
    c.effective_ms = recorded_ms;
    c.recorded_ms = recorded_ms;
    c.actor = std::string(actor);
    return c;
  };
  // Parents first: passes over the list until every organisation is out (the file's parent
  // chains are acyclic, so each pass emits at least one).
  std::set<std::string, std::less<>> emitted;
  while (emitted.size() < inventory.organisations().size()) {
    for (const Organisation& o : inventory.organisations()) {
      if (emitted.contains(o.id) || (!o.parent.empty() && !emitted.contains(o.parent))) continue;
      Change c = place_change(ChangeKind::kOrg);
      c.organisation = o;
      out.push_back(std::move(c));
      emitted.insert(o.id);
    }
  }
  for (const Site& s : inventory.sites()) {
    Change c = place_change(ChangeKind::kSite);
    c.place = s;
    out.push_back(std::move(c));
  }
  for (const Node& n : inventory.nodes()) {
    Change c = place_change(ChangeKind::kNode);
    c.host = n;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Change> RegisterChanges(const Inventory& inventory, int64_t recorded_ms,
                                    std::string_view actor, std::string_view reason) {
  std::vector<Change> out;
  out.reserve(inventory.assets().size());
  for (const Asset& a : inventory.assets()) {
    Change c;
    c.kind = ChangeKind::kRegister;
    c.serial = a.serial;
    // An asset on order (acquired after today) is registered now: a change may not take
    // effect in the future; its record keeps the date, and checks skip it until then.
    c.effective_ms = std::min(static_cast<int64_t>(a.acquired.days()) * kMsPerDay, recorded_ms);
    c.recorded_ms = recorded_ms;
    c.actor = std::string(actor);
    c.reason = std::string(reason);
    c.asset = a;
    c.asset->file.clear();
    c.asset->line = 0;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace gpufleet::inventory
