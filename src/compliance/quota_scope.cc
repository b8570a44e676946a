#include "gpufleet/compliance/quota_scope.h"

#include <algorithm>

namespace gpufleet::compliance {
namespace {

// The facts a quota's `sites` predicate reads.
class SiteFacts final : public FactSource {
 public:
  explicit SiteFacts(const inventory::Site& s) : s_(s) {}
  Value Get(std::string_view field) const override {
    if (field == "location") return s_.country;
    if (field == "site_state_funded") return s_.state_funded;
    if (field == "site_public_hub") return s_.public_hub;
    if (field == "project_completion_pct") {
      return s_.project_completion_pct ? Value(*s_.project_completion_pct) : Value();
    }
    return Value();
  }

 private:
  const inventory::Site& s_;
};

}  // namespace

bool QuotaCoversSite(const Quota& q, const inventory::Site& site) {
  if (!q.locations.empty() &&
      !std::binary_search(q.locations.begin(), q.locations.end(), site.country)) {
    return false;
  }
  return q.sites.Evaluate(SiteFacts(site)) == catalog::Tri::kTrue;
}

std::optional<double> QuotaWeight(const catalog::AcceleratorSpec& chip, QuotaBasis basis) {
  switch (basis) {
    case QuotaBasis::kCount:
      return 1.0;
    case QuotaBasis::kCompute:
      return catalog::Tpp(chip);
    case QuotaBasis::kSpend:
      return chip.price_usd;
  }
  return std::nullopt;
}

}  // namespace gpufleet::compliance
