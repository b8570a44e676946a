#include "gpufleet/service/fleet_holder.h"

#include <utility>

#include "model/dcheck.h"

namespace gpufleet::service {

FleetHolder::FleetHolder(std::shared_ptr<const FleetContext> fleet) : fleet_(std::move(fleet)) {
  GPUFLEET_DCHECK(fleet_ != nullptr);
}

std::shared_ptr<const FleetContext> FleetHolder::Get() const {
  const std::lock_guard lock(mu_);
  return fleet_;
}

void FleetHolder::Set(std::shared_ptr<const FleetContext> fleet) {
  GPUFLEET_DCHECK(fleet != nullptr);
  // The old version is released outside the lock: the last reader of a large fleet frees it.
  std::shared_ptr<const FleetContext> old;
  {
    const std::lock_guard lock(mu_);
    old = std::exchange(fleet_, std::move(fleet));
  }
}

}  // namespace gpufleet::service
