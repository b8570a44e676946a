// OpenStore: the back end a location names. In a file of its own so that a program that
// never calls it does not link the PostgreSQL client.

#include <string_view>

#include "gpufleet/store/store.h"

namespace gpufleet::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const StoreOptions& options) {
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) {
    return OpenPostgresStore(location, options);
  }
  constexpr std::string_view kSqlite = "sqlite:";
  if (location.starts_with(kSqlite)) {
    return OpenSqliteStore(location.substr(kSqlite.size()), options);
  }
  return OpenSqliteStore(location, options);
}

}  // namespace gpufleet::store
