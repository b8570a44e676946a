#pragma once
// Tenants seen to exist. Tenants are never deleted, so a tenant once seen exists for good (and
// still exists when a batch holding its job commits): SubmitJob checks here before it reads the
// store. Under a stream of submissions that read was one more transaction per job.

#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "gpufleet/status.h"
#include "store/validation.h"

namespace gpufleet::store {

class KnownTenants {
 public:
  // OK when `id` is known, or when `exists()` (a Result<bool> read of the store) says it
  // exists, which makes it known; UnknownTenant when it does not; the read's error otherwise.
  template <typename Exists>
  Status Require(std::string_view id, Exists exists) {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      if (ids_.contains(id)) return Status::Ok();
    }
    const Result<bool> found = exists();
    if (!found.ok()) return found.status();
    if (!*found) return UnknownTenant(id);
    const std::lock_guard<std::mutex> lock(mu_);
    ids_.emplace(id);
    return Status::Ok();
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> ids_;  // guarded by mu_
};

}  // namespace gpufleet::store
