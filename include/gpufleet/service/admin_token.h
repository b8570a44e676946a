#pragma once
// Issuing API tokens, and the one initial admin token (docs/service.md, "Token lifecycle").
//
// A token's secret exists only in the value these functions return: the store keeps its
// SHA-256. The initial admin token is the live token named "admin". gpufleetd creates it on
// the first start of a store that has never had one and shows it once; later starts leave it
// alone (a revoked or lost one is replaced with `gpufleet admin rotate-token`, which needs
// access to the store itself, not a token).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::service {

inline constexpr std::string_view kInitialAdminName = "admin";

struct IssuedToken {
  std::string secret;         // "gf_..." shown once
  store::TokenRecord record;  // id, hash, role and created_at set; scope, name, expiry empty
};
IssuedToken NewTokenRecord(store::Role role, int64_t now_ms);

// The secret of a new initial admin token, or nullopt when the store already has (or had) a
// token of that name. Two instances starting at once on one empty store create one token: the
// other gets nullopt.
Result<std::optional<std::string>> CreateInitialAdminToken(store::Store& store, int64_t now_ms);
// Revokes the live initial admin token, if any, and stores a new one in the same transaction;
// the new secret.
Result<std::string> RotateAdminToken(store::Store& store, int64_t now_ms);

// Writes `secret` and a newline to `path` (creating its directory), readable and writable by
// its owner only, whatever the umask or the mode of a file already there.
Status WriteSecretFile(const std::string& path, std::string_view secret);

}  // namespace gpufleet::service
