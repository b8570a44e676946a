#pragma once
// The external-resale cap as the scheduler enforces it: every quota of measure
// external_share_max in force on the date bounds the capacity allocated to external tenants
// (organisations of kind external_customer), weighted by the quota's basis (TPP by default,
// or accelerator count, or catalog price), as a share of the capacity of the sites the quota
// covers, pooled or per site (docs/scheduling.md). `gpufleet check` measures the same quota
// over who operates the assets; this measures it over allocations.
// Thread safety: none.

#include <cstdint>
#include <string>
#include <vector>

#include "gpufleet/compliance/rule_set.h"
#include "gpufleet/scheduler/inventory_fleet.h"

namespace gpufleet::scheduler {

struct CapFigure {
  const compliance::Quota* quota = nullptr;
  std::string scope;    // a site id, or "fleet" for a pooled quota
  double used = 0;      // allocated to external tenants, in the basis (GPU fractions count)
  double capacity = 0;  // of the covered sites, in the basis
  double share_pct() const { return capacity > 0 ? 100.0 * used / capacity : 0; }
};

class ResaleCap {
 public:
  // `fleet` and `rules` must outlive the cap.
  ResaleCap(const InventoryFleet& fleet, const compliance::RuleSet& rules, Date at);

  // Records (or, with a negative amount, releases) `gpu_milli` milli-GPUs of `model` at
  // `site` allocated to an external tenant. The scheduler adds a job's replicas, asks
  // Breached(), and releases them again when a cap is broken.
  void Add(SiteId site, ChipModelId model, int64_t gpu_milli);
  // The first cap over its threshold, or nullptr when every cap holds.
  const CapFigure* Breached() const;

  const std::vector<CapFigure>& figures() const { return figures_; }

 private:
  double Weight(size_t figure, ChipModelId model, int64_t gpu_milli) const;

  const InventoryFleet& fleet_;
  std::vector<CapFigure> figures_;
  std::vector<std::vector<size_t>> figures_of_site_;  // by SiteId
};

}  // namespace gpufleet::scheduler
