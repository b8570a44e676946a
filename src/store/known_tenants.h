#pragma once
// Tenants seen to exist. Tenants are never deleted, so a tenant once seen exists for good and
// SubmitJob can check here before it reads the store: under a stream of submissions that read
// was one more transaction per job.

#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace gpufleet::store {

class KnownTenants {
 public:
  bool Contains(std::string_view id) const {
    const std::lock_guard<std::mutex> lock(mu_);
    return ids_.contains(id);
  }
  void Add(std::string_view id) {
    const std::lock_guard<std::mutex> lock(mu_);
    ids_.emplace(id);
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> ids_;  // guarded by mu_
};

}  // namespace gpufleet::store
