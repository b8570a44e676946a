#include "planner/plan_explain.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>
#include <string>

namespace gpufleet::planner {
namespace {

// The id inside a limit's name: "supply 'h20'" -> "h20".
std::string QuotedId(const std::string& name) {
  const size_t a = name.find('\'');
  const size_t b = name.rfind('\'');
  return a == std::string::npos || b <= a ? name : name.substr(a + 1, b - a - 1);
}

std::string InMonths(const BindingConstraint& b) {
  return b.months.empty() ? "" : " in " + FormatMonthRuns(b.months);
}

// ": one more ... would be worth X USD" from the shadow value, or "" when the relaxation
// does not price the limit.
std::string Worth(const BindingConstraint& b, const std::string& one_more,
                  const std::string& currency) {
  if (!b.shadow_value || std::abs(*b.shadow_value) < 1e-9) return ".";
  std::string sentence = fmt::format(". {} would be worth {} {} to the plan.", one_more,
                                     SpokenNumber(std::abs(*b.shadow_value)), currency);
  sentence[2] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[2])));
  return sentence;
}

// The model of the plan's orders with the most units among the domestic (or the other)
// purchase options; "" when none was ordered.
std::string MostOrdered(const Scenario& s, const Plan& plan, bool domestic) {
  std::map<std::string, bool> option_domestic;
  for (const PurchaseOption& p : s.purchases) option_domestic[p.id] = p.domestic;
  std::map<std::string, long long> units;
  for (const OrderLine& o : plan.orders) {
    if (option_domestic[o.option] == domestic) units[o.model] += o.units;
  }
  std::string best;
  long long most = 0;
  for (const auto& [model, n] : units) {
    if (n > most) {
      most = n;
      best = model;
    }
  }
  return best;
}

std::string DomesticShare(const Scenario& s, const Plan& plan, const BindingConstraint& b) {
  const double pct = b.limit;
  std::string out = fmt::format(
      "The domestic share of {:g}% of purchases binds (the plan buys "
      "{:.1f}%)",
      pct, b.used);
  if (pct >= 100) return out + ": nothing non-domestic may be bought.";
  const double ratio = pct / (100 - pct);
  const std::string foreign = MostOrdered(s, plan, false);
  const std::string domestic = MostOrdered(s, plan, true);
  if (s.budget.domestic_basis == ShareBasis::kCount) {
    return out + fmt::format(": each further {} needs {} more {}.",
                             foreign.empty() ? "non-domestic accelerator" : foreign,
                             SpokenNumber(ratio),
                             domestic.empty() ? "domestic accelerators" : domestic);
  }
  return out + fmt::format(
                   ": each further {} of non-domestic purchases needs {} {} of domestic "
                   "ones{}.",
                   plan.currency, SpokenNumber(ratio), plan.currency,
                   domestic.empty() ? "" : " (" + domestic + ")");
}

std::string Sentence(const Scenario& s, const Plan& plan, const BindingConstraint& b) {
  const std::string id = QuotedId(b.name);
  const std::string& cur = plan.currency;
  if (b.kind == "budget") {
    const std::string which = id == "total" ? "The total budget" : "Budget '" + id + "'";
    return fmt::format("{} of {} {} is spent in full", which, SpokenNumber(b.limit), cur) +
           Worth(b, "each further " + cur + " of it", cur);
  }
  if (b.kind == "domestic_share") return DomesticShare(s, plan, b);
  if (b.kind == "supply") {
    std::string what;
    for (const PurchaseOption& p : s.purchases) {
      if (p.id == id) what = " (" + p.model->id + " from " + p.vendor + ")";
    }
    return fmt::format(
               "The supply of '{}'{} is bought up{}: {} accelerators ordered of {} "
               "offered",
               id, what, InMonths(b), SpokenNumber(b.used), SpokenNumber(b.limit)) +
           Worth(b, "one more accelerator offered in one of those months", cur);
  }
  if (b.kind == "site_capacity") {
    return fmt::format(
               "Site '{}' is full{}: {} of {} accelerators, those already there "
               "included",
               id, InMonths(b), SpokenNumber(b.used), SpokenNumber(b.limit)) +
           Worth(b, "room for one more accelerator in one of those months", cur);
  }
  if (b.kind == "rental_capacity") {
    return fmt::format("Rental '{}' is taken in full{}: {} accelerators", id, InMonths(b),
                       SpokenNumber(b.limit)) +
           Worth(b, "one more accelerator for one of those months", cur);
  }
  if (b.kind == "commitment" || b.kind == "rental_commitment") {
    return fmt::format(
               "The commitment to take {} accelerators from '{}'{} makes the plan take "
               "more than it otherwise would",
               SpokenNumber(b.limit), id, InMonths(b)) +
           Worth(b, "each accelerator less committed", cur);
  }
  return b.name + " binds" + InMonths(b) + ".";
}

}  // namespace

std::string SpokenNumber(double v) {
  const double a = std::abs(v);
  if (a >= 1e9) return fmt::format("{:.3g} billion", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g} million", v / 1e6);
  if (a >= 1000) {
    std::string digits = fmt::format("{:.0f}", std::abs(v));
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
      digits.insert(static_cast<size_t>(i), ",");
    }
    return (v < 0 ? "-" : "") + digits;
  }
  return fmt::format("{:.3g}", v);
}

void ExplainBinding(const Scenario& s, Plan& plan) {
  for (BindingConstraint& b : plan.binding) b.explanation = Sentence(s, plan, b);
}

}  // namespace gpufleet::planner
