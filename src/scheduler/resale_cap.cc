#include "gpufleet/scheduler/resale_cap.h"

#include "gpufleet/compliance/quota_scope.h"

namespace gpufleet::scheduler {

ResaleCap::ResaleCap(const InventoryFleet& fleet, const compliance::RuleSet& rules, Date at)
    : fleet_(fleet), figures_of_site_(fleet.sites.size()) {
  for (const compliance::Quota& q : rules.quotas()) {
    if (q.measure != compliance::QuotaMeasure::kExternalShareMax || !q.InForce(at)) continue;
    const size_t pooled = figures_.size();
    if (!q.per_site) figures_.push_back({&q, "fleet", 0, 0});
    for (size_t s = 0; s < fleet.sites.size(); ++s) {
      if (!compliance::QuotaCoversSite(q, *fleet.sites[s])) continue;
      if (q.per_site) {
        figures_of_site_[s].push_back(figures_.size());
        figures_.push_back({&q, fleet.sites[s]->id, 0, 0});
      } else {
        figures_of_site_[s].push_back(pooled);
      }
    }
  }
  for (const NodeSpec& n : fleet.fleet.nodes()) {
    for (size_t f : figures_of_site_[n.site.value()]) {
      figures_[f].capacity += Weight(f, n.gpu_model, int64_t{n.gpu_count} * kMilliPerGpu);
    }
  }
}

double ResaleCap::Weight(size_t figure, ChipModelId model, int64_t gpu_milli) const {
  // A chip whose weight the catalog lacks counts for nothing on either side of the share.
  const std::optional<double> w =
      compliance::QuotaWeight(*fleet_.chips[model.value()], figures_[figure].quota->basis);
  return w.value_or(0) * static_cast<double>(gpu_milli) / kMilliPerGpu;
}

void ResaleCap::Add(SiteId site, ChipModelId model, int64_t gpu_milli) {
  for (size_t f : figures_of_site_[site.value()]) figures_[f].used += Weight(f, model, gpu_milli);
}

const CapFigure* ResaleCap::Breached() const {
  for (const CapFigure& c : figures_) {
    if (c.used <= 0) continue;  // nothing allocated externally holds any cap, even "< 0%"
    // SatisfiesThreshold's tolerance absorbs rounding in sums of fractions (far below a GPU).
    if (c.capacity <= 0 || !compliance::SatisfiesThreshold(c.quota->comparison, c.share_pct(),
                                                           c.quota->threshold_pct)) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace gpufleet::scheduler
