#pragma once
// The current version of the fleet (fleet_context.h) in a running gpufleetd. The inventory
// changes while the service runs, so the fleet is replaced, never edited: FleetRebuilder
// builds a new FleetContext and Sets it here, and every reader takes the current one with Get
// and keeps that pointer for as long as it needs one consistent view (an API request, a
// scheduling pass). A reader holding an old version keeps it alive; nobody waits for readers.
//
// Thread safety: Get and Set may be called from any thread.

#include <memory>
#include <mutex>

#include "gpufleet/service/fleet_context.h"

namespace gpufleet::service {

class FleetHolder {
 public:
  // REQUIRES: `fleet` is not null.
  explicit FleetHolder(std::shared_ptr<const FleetContext> fleet);
  FleetHolder(const FleetHolder&) = delete;
  FleetHolder& operator=(const FleetHolder&) = delete;

  // The current version; never null.
  std::shared_ptr<const FleetContext> Get() const;
  // Makes `fleet` current. REQUIRES: not null.
  void Set(std::shared_ptr<const FleetContext> fleet);

 private:
  // A mutex rather than std::atomic<std::shared_ptr>: GCC 12's is a lock too, and the
  // critical sections are a reference count each.
  mutable std::mutex mu_;
  std::shared_ptr<const FleetContext> fleet_;  // guarded by mu_
};

}  // namespace gpufleet::service
