#pragma once
// A small pool of PostgreSQL connections, so that concurrent Store calls run on separate
// sessions (libpq connections must not be shared between threads) without opening one per
// call. Private to the PostgreSQL back end.
// Thread safety: Acquire may be called from any thread.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gpufleet/status.h"
#include "store/pg_connection.h"

namespace gpufleet::store {

class PgPool {
 public:
  // A connection borrowed from the pool; given back when the lease goes away, unless it was
  // lost or left inside a transaction (then it is closed and a fresh one opened on demand).
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // At most `max_open` connections at once; `first` (already open) is the first idle one.
  PgPool(std::string conninfo, int32_t lock_timeout_ms, int max_open,
         std::unique_ptr<PgConnection> first);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // An idle connection, a new one while fewer than max_open are open, or else waits for
  // one to come back. IOError when a new connection cannot be opened.
  Result<Lease> Acquire();

  // Opens a connection outside the pool (same settings), e.g. for a session lock.
  Result<std::unique_ptr<PgConnection>> OpenDedicated() const;

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const std::string conninfo_;
  const int32_t lock_timeout_ms_;
  const int max_open_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  int open_ = 0;                                     // guarded by mu_; idle + leased
};

}  // namespace gpufleet::store
