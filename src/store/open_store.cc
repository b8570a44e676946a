// OpenStore: the back end a location names. In a file of its own so that a program that
// never calls it does not link the PostgreSQL client.

#include <filesystem>
#include <string>
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

Result<std::unique_ptr<Store>> OpenExistingStore(const std::string& location,
                                                 const StoreOptions& options) {
  const bool postgres =
      location.starts_with("postgresql://") || location.starts_with("postgres://");
  constexpr std::string_view kSqlite = "sqlite:";
  const std::string path =
      location.starts_with(kSqlite) ? location.substr(kSqlite.size()) : location;
  if (!postgres && !std::filesystem::exists(path)) {
    return Status::NotFound("no store at '" + path + "'");
  }
  return OpenStore(location, options);
}

std::string RedactedLocation(std::string_view location) {
  std::string out(location);
  const size_t scheme = out.find("://");
  if (!(out.starts_with("postgresql://") || out.starts_with("postgres://"))) return out;
  // postgresql://user:secret@host/db: the user information ends at the last '@' before the
  // path, so a password containing '@' is hidden whole.
  const size_t path = out.find('/', scheme + 3);
  const size_t at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at != std::string::npos && at > scheme) {
    const size_t colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // ...?password=secret&sslmode=...
  for (size_t p = out.find("password=", out.find('?')); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
    const size_t value = p + 9;
    const size_t end = out.find('&', value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

}  // namespace gpufleet::store
