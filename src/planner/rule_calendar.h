#pragma once
// What the rule file lets the plan do, month by month: buy a model for a site (the shipment
// judged at delivery), run a demand class on a model at a site or on rented capacity, and sell
// existing units to a buyer. Asked of the compliance engine, never decided here: a month is
// judged by the rules in force on its last day, so a rule that takes effect mid-month (the H20
// licence on 9 April) governs that month (compliance::BlocksPlacement decides what blocks), and
// the revenue share is the largest any jurisdiction's verdict imposes then.

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gpufleet/compliance/engine.h"
#include "gpufleet/planner/scenario.h"

namespace gpufleet::planner {

struct Permission {
  bool allowed = true;
  double revenue_share_pct = 0;
  std::string rules;  // rule ids that block it or impose the share; "" when none
};

class RuleCalendar {
 public:
  explicit RuleCalendar(const Scenario& scenario);

  // Purchase option `p` delivered to plan site `s` in month `t`.
  Permission Buy(size_t p, size_t s, int t) const;
  // Demand class `k` on `model` at plan site `s` in month `t`.
  Permission Use(const catalog::AcceleratorSpec& model, size_t s, size_t k, int t) const;
  // Demand class `k` on rental option `r` in month `t` (remote access).
  Permission Rent(size_t r, size_t k, int t) const;
  // One unit of existing group `g` sold under sale option `q` in month `t`.
  Permission Sell(size_t g, size_t q, int t) const;

 private:
  Permission Judge(const compliance::Situation& situation, int t) const;

  const Scenario& scenario_;
  std::unique_ptr<compliance::Engine> engine_;
  // Use verdicts depend on the class only through its data class: cached on that.
  mutable std::map<std::tuple<std::string, size_t, std::string, int>, Permission> use_cache_;
};

}  // namespace gpufleet::planner
