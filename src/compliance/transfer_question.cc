#include "gpufleet/compliance/transfer_question.h"

#include <set>
#include <utility>

#include "gpufleet/compliance/report_json.h"
#include "gpufleet/model/country_code.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::compliance {
namespace {

constexpr double kMaxPercent = 100;
constexpr int64_t kMaxUnits = 1'000'000'000;  // more than any fleet holds

// Where the units go and come from, once the fleet's ids are resolved.
struct Route {
  std::string to_country;
  std::string from_country;  // "" = unknown
  const inventory::Site* to_site = nullptr;
  const inventory::Site* from_site = nullptr;
  const inventory::Organisation* to_org = nullptr;
};

// Combinations that are wrong whatever the inventory says. The inventory is the record of
// its sites and organisations, so fields that would restate (and could contradict) what it
// says about them are refused rather than silently preferred.
Status CheckCombinations(const TransferQuestion& q, bool have_fleet, const FieldNamer& name) {
  if (q.to.empty() && q.to_site.empty()) {
    return Status::InvalidArgument("give " + name("to") + " or " + name("to_site") +
                                   ": the destination is needed");
  }
  // A country no rule names ("UK", "China") would otherwise read as "no rule applies".
  for (const auto& [field, value] : {std::pair{"to", &q.to}, std::pair{"from", &q.from},
                                     std::pair{"end_user_hq", &q.end_user_hq},
                                     std::pair{"end_user_parent_hq", &q.end_user_parent_hq}}) {
    if (value->empty()) continue;
    if (std::optional<std::string> problem = CountryCodeProblem(*value)) {
      return Status::InvalidArgument(name(field) + ": " + *problem);
    }
  }
  if (const std::optional<double> pct = q.project_completion_pct;
      pct && !(*pct >= 0 && *pct <= kMaxPercent)) {
    return Status::InvalidArgument(name("project_completion_pct") +
                                   ": expected a percentage from 0 to 100, got " +
                                   std::to_string(*pct));
  }
  if (q.units < 1 || q.units > kMaxUnits) {
    return Status::InvalidArgument(name("units") + ": expected 1 to " + std::to_string(kMaxUnits) +
                                   " units, got " + std::to_string(q.units));
  }
  if (!have_fleet) {
    for (const auto& [field, value] :
         {std::pair{"to_site", &q.to_site}, std::pair{"to_org", &q.to_org},
          std::pair{"from_site", &q.from_site}}) {
      if (!value->empty()) {
        return Status::InvalidArgument(name(field) + " needs " + name("fleet") +
                                       ", the inventory that defines its ids");
      }
    }
  }
  if (!q.to_org.empty()) {
    for (const auto& [field, value] :
         {std::pair{"end_user", &q.end_user}, std::pair{"end_user_hq", &q.end_user_hq},
          std::pair{"end_user_parent_hq", &q.end_user_parent_hq}}) {
      if (!value->empty()) {
        return Status::InvalidArgument(name(field) + " cannot be given with " + name("to_org") +
                                       " '" + q.to_org + "': the fleet says who it is");
      }
    }
  }
  if (!q.to_site.empty() && (q.state_funded || q.public_hub || q.project_completion_pct)) {
    return Status::InvalidArgument(name("state_funded") + ", " + name("public_hub") + " and " +
                                   name("project_completion_pct") + " cannot be given with " +
                                   name("to_site") + " '" + q.to_site +
                                   "': the fleet gives the site's attributes");
  }
  return Status::Ok();
}

// The site a to_site or from_site field names, checked against the bare country field that may
// come with it (to, from).
Result<const inventory::Site*> ResolveSite(const inventory::Inventory& fleet,
                                           const std::string& site_field, const std::string& id,
                                           const std::string& country_field,
                                           const std::string& country) {
  const inventory::Site* site = fleet.FindSite(id);
  if (!site) return Status::NotFound(site_field + ": unknown site '" + Excerpt(id) + "'");
  if (!country.empty() && country != site->country) {
    return Status::InvalidArgument(country_field + " " + country + " contradicts " + site_field +
                                   " '" + Excerpt(id) + "', which is in " + site->country);
  }
  return site;
}

Result<Route> ResolveRoute(const TransferQuestion& q, const inventory::Inventory* fleet,
                           const FieldNamer& name) {
  Route r;
  r.to_country = q.to;
  r.from_country = q.from;
  if (!fleet) return r;  // CheckCombinations: no site or org fields without a fleet
  if (!q.to_site.empty()) {
    auto site = ResolveSite(*fleet, name("to_site"), q.to_site, name("to"), q.to);
    if (!site.ok()) return site.status();
    r.to_site = *site;
    r.to_country = r.to_site->country;
  }
  if (!q.from_site.empty()) {
    auto site = ResolveSite(*fleet, name("from_site"), q.from_site, name("from"), q.from);
    if (!site.ok()) return site.status();
    r.from_site = *site;
    r.from_country = r.from_site->country;
  }
  if (!q.to_org.empty()) {
    r.to_org = fleet->FindOrg(q.to_org);
    if (!r.to_org) {
      return Status::NotFound(name("to_org") + ": unknown organisation '" + Excerpt(q.to_org) +
                              "'");
    }
  }
  return r;
}

// Units of `model` (a catalog id) at `site` on `on`: assets acquired on or before that day,
// counted by distinct serial, because an imported file keeps a serial registered twice (a
// diversion flag, not a load error) and one board is one unit.
int64_t UnitsHeld(const inventory::Inventory& fleet, std::string_view site, std::string_view model,
                  Date on) {
  std::set<std::string_view> serials;
  for (const inventory::Asset& a : fleet.assets()) {
    if (a.site == site && a.model == model && !(on < a.acquired)) serials.insert(a.serial);
  }
  return static_cast<int64_t>(serials.size());
}

// The transfer type a route implies when none is given (docs/compliance.md, "Transfer
// questions"): the same country at both ends is a transfer within it; leaving the chip
// designer's country, or an unknown origin, is an export (the case export controls are written
// for); leaving any other country is a re-export.
TransferType InferTransfer(const Route& r, const catalog::AcceleratorSpec& chip) {
  if (r.from_country.empty()) return TransferType::kExport;
  if (r.from_country == r.to_country) return TransferType::kInCountryTransfer;
  if (r.from_country == chip.designer_country) return TransferType::kExport;
  return TransferType::kReexport;
}

// "CN", or "site gz-hub (CN)" when the place is a site of the inventory.
std::string Place(const std::string& country, const inventory::Site* site) {
  return site ? "site " + site->id + " (" + country + ")" : country;
}

}  // namespace

Result<TransferAnswer> AnswerTransfer(const TransferQuestion& q, const catalog::Catalog& catalog,
                                      const inventory::Inventory* fleet, const Engine& engine,
                                      const FieldNamer& name) {
  GPUFLEET_RETURN_IF_ERROR(CheckCombinations(q, fleet != nullptr, name));
  TransferAnswer a;
  a.chip = catalog.Find(q.model);
  if (!a.chip) {
    return Status::NotFound(name("model") + ": unknown accelerator '" + Excerpt(q.model) + "'");
  }
  std::optional<TransferType> explicit_transfer;
  if (!q.transfer.empty()) {
    auto transfer = ParseTransferType(q.transfer);
    if (!transfer.ok()) {
      return Status::InvalidArgument(name("transfer") + ": " + transfer.status().message());
    }
    explicit_transfer = *transfer;
  }
  const Result<Route> route = ResolveRoute(q, fleet, name);
  if (!route.ok()) return route.status();
  if (route->from_site) {
    const int64_t held = UnitsHeld(*fleet, route->from_site->id, a.chip->id, q.at);
    if (held < q.units) {
      return Status::FailedPrecondition(name("from_site") + ": site '" + route->from_site->id +
                                        "' holds " + std::to_string(held) + " units of " +
                                        a.chip->id + " on " + q.at.ToString() + ", fewer than " +
                                        std::to_string(q.units));
    }
  }
  Situation& s = a.situation;
  s.chip = a.chip;
  s.date = q.at;
  s.location = route->to_country;
  s.from_country = route->from_country;
  s.transfer = explicit_transfer.value_or(InferTransfer(*route, *a.chip));
  a.transfer_inferred = !explicit_transfer.has_value();
  if (route->to_org) {
    // As the fleet check judges the inventory's own assets: the organisation is the licence
    // holder, and the HQ rules read its headquarters and its ultimate parent's.
    s.end_user = route->to_org->id;
    s.end_user_hq = route->to_org->hq_country;
    s.end_user_parent_hq = fleet->UltimateParentHq(route->to_org->id);
  } else {
    s.end_user = q.end_user;
    s.end_user_hq = q.end_user_hq;
    s.end_user_parent_hq = q.end_user_parent_hq;
  }
  if (route->to_site) {
    s.site_state_funded = route->to_site->state_funded;
    s.site_public_hub = route->to_site->public_hub;
    s.project_completion_pct = route->to_site->project_completion_pct;
  } else {
    s.site_state_funded = q.state_funded;
    s.site_public_hub = q.public_hub;
    if (q.project_completion_pct) s.project_completion_pct = *q.project_completion_pct;
  }
  if (!q.holding.empty()) {
    if (!inventory::ParseHolding(q.holding)) {
      return Status::InvalidArgument(name("holding") + ": '" + Excerpt(q.holding) +
                                     "' is not one of owned, leased, rented_remote");
    }
    s.holding = q.holding;
  }
  a.to_site = route->to_site;
  a.from_site = route->from_site;
  a.verdict = engine.Evaluate(s);
  return a;
}

nlohmann::ordered_json TransferAnswerJson(const TransferQuestion& q, const TransferAnswer& a) {
  const Situation& s = a.situation;
  nlohmann::ordered_json j;
  j["question"] = {{"model", a.chip->id},
                   {"units", q.units},
                   {"to", s.location},
                   {"to_site", q.to_site},
                   {"to_org", q.to_org},
                   {"from", s.from_country},
                   {"from_site", q.from_site},
                   {"transfer", std::string(TransferTypeName(s.transfer))},
                   {"transfer_inferred", a.transfer_inferred},
                   {"end_user", s.end_user},
                   {"end_user_hq", s.end_user_hq},
                   {"end_user_parent_hq", s.end_user_parent_hq},
                   {"date", s.date.ToString()}};
  j["verdict"] = VerdictJson(a.verdict);
  return j;
}

std::string TransferQuestionLine(const TransferQuestion& q, const TransferAnswer& a) {
  const Situation& s = a.situation;
  return std::to_string(q.units) + " x " + a.chip->name + " -> " + Place(s.location, a.to_site) +
         (s.end_user.empty() ? "" : " for " + s.end_user) + " (" +
         std::string(TransferTypeName(s.transfer)) +
         (s.from_country.empty() ? "" : " from " + Place(s.from_country, a.from_site)) +
         (s.end_user_hq.empty() ? "" : ", end user HQ " + s.end_user_hq) +
         (s.end_user_parent_hq.empty() || s.end_user_parent_hq == s.end_user_hq
              ? ""
              : ", ultimate parent HQ " + s.end_user_parent_hq) +
         ") on " + s.date.ToString();
}

}  // namespace gpufleet::compliance
