#include "planner/rule_calendar.h"

#include <algorithm>

#include "gpufleet/compliance/workload.h"

namespace gpufleet::planner {
namespace {

std::optional<double> RevenueShare(const compliance::Verdict& v) {
  std::optional<double> share;
  for (const compliance::JurisdictionVerdict& j : v.jurisdictions) {
    if (j.revenue_share_pct) share = std::max(share.value_or(0), *j.revenue_share_pct);
  }
  return share;
}

}  // namespace

RuleCalendar::RuleCalendar(const Scenario& scenario)
    : scenario_(scenario), engine_(compliance::MakeIndexedEngine(*scenario.rules)) {}

Permission RuleCalendar::Judge(const compliance::Situation& situation, int t) const {
  compliance::Situation s = situation;
  s.date = scenario_.MonthStart(t + 1).AddDays(-1);
  const compliance::Verdict v = engine_->Evaluate(s);
  Permission p;
  p.allowed = !compliance::BlocksPlacement(v);
  p.revenue_share_pct = RevenueShare(v).value_or(0);
  if (!p.allowed || v.overall == compliance::Action::kAllowedWithRevenueShare) {
    for (const compliance::DecidingRule& d : compliance::DecidingRules(v)) {
      if (d.hit->action < compliance::Action::kAllowedWithRevenueShare) continue;
      if (!p.allowed && d.hit->action == compliance::Action::kAllowedWithRevenueShare) continue;
      p.rules += (p.rules.empty() ? "" : "; ") + d.hit->rule->id;
    }
  }
  // Blocked only by rules that may apply: say which unknown facts keep it closed, so a
  // domestic part of unknown fab does not read as banned outright.
  if (!p.allowed && v.overall < compliance::Action::kLicenceRequired) {
    std::string unknown;
    for (const std::string& f : v.missing_facts) unknown += (unknown.empty() ? "" : ", ") + f;
    p.rules = "needs classification (unknown " + unknown + "): " + p.rules;
  }
  return p;
}

Permission RuleCalendar::Buy(size_t p, size_t s, int t) const {
  const PurchaseOption& option = scenario_.purchases[p];
  const inventory::Site& site = *scenario_.sites[s].site;
  compliance::Situation sit = compliance::WorkloadSituation(*scenario_.fleet, *option.model, site,
                                                            scenario_.organisation, "", Date());
  sit.from_country = option.ships_from;
  sit.transfer = option.ships_from == site.country ? compliance::TransferType::kInCountryTransfer
                                                   : compliance::TransferType::kExport;
  return Judge(sit, t);
}

Permission RuleCalendar::Use(const catalog::AcceleratorSpec& model, size_t s, size_t k,
                             int t) const {
  const std::string& data_class = scenario_.classes[k].data_class;
  const auto key = std::make_tuple(model.id, s, data_class, t);
  if (auto it = use_cache_.find(key); it != use_cache_.end()) return it->second;
  const compliance::Situation sit =
      compliance::WorkloadSituation(*scenario_.fleet, model, *scenario_.sites[s].site,
                                    scenario_.organisation, data_class, Date());
  return use_cache_.emplace(key, Judge(sit, t)).first->second;
}

Permission RuleCalendar::Rent(size_t r, size_t k, int t) const {
  const RentalOption& rental = scenario_.rentals[r];
  inventory::Site where;
  where.id = rental.id;
  where.country = rental.country;
  where.provider = rental.provider;
  where.ownership = inventory::SiteOwnership::kRented;
  compliance::Situation sit =
      compliance::WorkloadSituation(*scenario_.fleet, *rental.model, where, scenario_.organisation,
                                    scenario_.classes[k].data_class, Date());
  sit.transfer = compliance::TransferType::kRemoteAccess;
  return Judge(sit, t);
}

Permission RuleCalendar::Sell(size_t g, size_t q, int t) const {
  const ExistingGroup& group = scenario_.existing[g];
  const SaleOption& sale = scenario_.sales[q];
  const inventory::Site& site = *scenario_.fleet->FindSite(group.site);
  compliance::Situation sit =
      compliance::WorkloadSituation(*scenario_.fleet, *group.model, site, sale.buyer, "", Date());
  sit.from_country = site.country;
  sit.transfer = compliance::TransferType::kInCountryTransfer;
  sit.installed_on = group.acquired;
  return Judge(sit, t);
}

}  // namespace gpufleet::planner
