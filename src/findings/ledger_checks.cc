#include "gpufleet/findings/ledger_checks.h"

#include <cmath>
#include <cstdio>

#include "gpufleet/model/iso_time.h"
#include "gpufleet/model/location_evidence.h"

namespace gpufleet::findings {
namespace {

std::string Fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::vector<Detection> FromDiversionFlags(const std::vector<inventory::DiversionFlag>& flags) {
  std::vector<Detection> out;
  for (const inventory::DiversionFlag& f : flags) {
    Kind kind = Kind::kSerialRegisteredTwice;
    switch (f.kind) {
      case inventory::DiversionFlag::Kind::kSerialAtTwoSites:
        kind = Kind::kSerialAtTwoSites;
        break;
      case inventory::DiversionFlag::Kind::kSerialRegisteredTwice:
        kind = Kind::kSerialRegisteredTwice;
        break;
      case inventory::DiversionFlag::Kind::kSpecsContradictCatalog:
        kind = Kind::kSpecsContradictCatalog;
        break;
    }
    std::string where = f.file.empty() ? std::string("the inventory") : f.file;
    if (f.line > 0) where += ":" + std::to_string(f.line);
    out.push_back({.kind = kind,
                   .subject = f.serial,
                   .serial = f.serial,
                   .node = "",
                   .detail = "asset " + f.serial + ": " + f.detail,
                   .evidence = {"record at " + where}});
  }
  return out;
}

Detection DuplicateRegister(const inventory::LiveAsset& held, const inventory::Change& refused) {
  const inventory::Asset& first = held.record;
  const std::string site = refused.asset ? refused.asset->site : std::string();
  const bool elsewhere = !site.empty() && site != first.site;
  std::string detail = "serial " + refused.serial + " is registered again";
  detail += elsewhere ? " at " + site + ", while the ledger has it at " + first.site
                      : " at " + first.site + ", where the ledger has it already";
  return {.kind = elsewhere ? Kind::kSerialAtTwoSites : Kind::kSerialRegisteredTwice,
          .subject = refused.serial,
          .serial = refused.serial,
          .node = "",
          .detail = std::move(detail),
          .evidence = {
              "ledger entry " + std::to_string(held.last_entry) + " (its latest)",
              "the refused register, recorded " + FormatIsoTime(refused.recorded_ms) +
                  (refused.actor.empty() ? std::string(" at import") : " by " + refused.actor)}};
}

MoveCheck CheckMove(const inventory::LiveAsset& before, const inventory::Change& move,
                    int64_t index, const inventory::Site& from, const inventory::Site& to) {
  MoveCheck out;
  if (from.id == to.id) {
    out.checked = true;  // another node at the same site: no shipment
    return out;
  }
  if (!from.lat || !from.lon || !to.lat || !to.lon) return out;
  out.checked = true;
  const double km = GreatCircleKm(*from.lat, *from.lon, *to.lat, *to.lon);
  const double hours_needed = km / kMaxShipmentKmPerHour;
  const double hours_taken = static_cast<double>(move.effective_ms - before.located_ms) / 3.6e6;
  if (hours_taken >= hours_needed) return out;
  out.too_fast =
      Detection{.kind = Kind::kMoveTooFast,
                .subject = "entry " + std::to_string(index),
                .serial = move.serial,
                .node = "",
                .detail = "asset " + move.serial + " moved " + Fixed(km, 0) + " km from " +
                          from.id + " to " + to.id + " in " + Fixed(std::max(0.0, hours_taken), 1) +
                          " h; a shipment needs at least " + Fixed(hours_needed, 1) + " h",
                .evidence = {"arrived at " + from.id + " " + FormatIsoTime(before.located_ms),
                             "ledger entry " + std::to_string(index) + ": moved to " + to.id + " " +
                                 FormatIsoTime(move.effective_ms)}};
  return out;
}

}  // namespace gpufleet::findings
