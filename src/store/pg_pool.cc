#include "store/pg_pool.h"

#include <utility>

namespace gpufleet::store {

PgPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

PgPool::PgPool(std::string conninfo, int32_t lock_timeout_ms, int max_open,
               std::unique_ptr<PgConnection> first)
    : conninfo_(std::move(conninfo)), lock_timeout_ms_(lock_timeout_ms), max_open_(max_open) {
  if (first != nullptr) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }
}

Result<PgPool::Lease> PgPool::Acquire() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < max_open_; });
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;  // reserved; connecting happens outside the lock
  }
  Result<std::unique_ptr<PgConnection>> conn = OpenDedicated();
  if (!conn.ok()) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

Result<std::unique_ptr<PgConnection>> PgPool::OpenDedicated() const {
  return PgConnection::Open(conninfo_, lock_timeout_ms_);
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  // A lost connection, or one a failed ROLLBACK left in a transaction, is not reusable.
  const bool reusable = conn->Healthy() && conn->Idle();
  {
    std::lock_guard lock(mu_);
    if (reusable) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
  // An unusable `conn` is closed here, outside the lock.
}

}  // namespace gpufleet::store
