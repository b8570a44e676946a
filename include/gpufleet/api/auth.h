#pragma once
// Bearer-token authentication for the REST API.
//
// Tokens are "gf_" followed by 64 lowercase hex digits (32 bytes from OpenSSL's CSPRNG). The
// server never stores or logs a token: it hashes the presented token (SHA-256, hex) and asks an
// Authenticator, which the store implements, who owns that hash.
// Thread safety: free functions are safe to call concurrently.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::api {

// The roles are the store's (store::Role): a token's role is what it was created with.
using Role = store::Role;

// Who made a request, as the Authenticator established it.
struct Principal {
  Role role = Role::kTenant;
  std::string tenant_id;  // kTenant: its tenant; otherwise ""
  std::string node_id;    // kNode: its node; otherwise ""
  std::string token_id;   // store::TokenRecord::id, for logs; never the secret
};

// Looks up the owner of a token by its hash (HashToken's output); nullopt for an unknown,
// revoked or expired token, an error when it cannot tell (the store is unreachable: the
// server answers 503 rather than calling a valid token invalid). Called concurrently from
// server threads: it must be thread-safe.
using Authenticator = std::function<Result<std::optional<Principal>>(std::string_view token_hash)>;

// What a route requires of the caller: no token (public), or a valid token of one of a set of
// roles. Another role gets 403; the handler then scopes by tenant or node.
class Access {
 public:
  static constexpr Access Public() {
    Access access;
    access.public_ = true;
    return access;
  }
  static constexpr Access Of(std::initializer_list<Role> roles) {
    Access access;
    for (const Role role : roles) access.roles_ |= Bit(role);
    return access;
  }
  constexpr bool is_public() const { return public_; }
  constexpr bool Allows(Role role) const { return public_ || (roles_ & Bit(role)) != 0; }
  // "admin, viewer": for documentation and the 403 message.
  std::string RoleList() const;
  friend constexpr bool operator==(const Access&, const Access&) = default;

 private:
  static constexpr uint8_t Bit(Role role) { return uint8_t{1} << static_cast<uint8_t>(role); }
  bool public_ = false;
  uint8_t roles_ = 0;
};

inline constexpr std::string_view kTokenPrefix = "gf_";

// A new random token. Aborts if OpenSSL's random generator fails: a guessable token must never
// be handed out, and there is nothing sensible to fall back to.
std::string NewToken();

// SHA-256 of the token's bytes, 64 lowercase hex digits.
std::string HashToken(std::string_view token);

// The token in an `Authorization` header value of the form "Bearer <token>" (scheme
// case-insensitive, RFC 6750 token68 characters); nullopt when the header is not of that form.
std::optional<std::string_view> ParseBearer(std::string_view authorization);

}  // namespace gpufleet::api
