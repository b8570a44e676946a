#pragma once
// Bearer-token authentication for the REST API.
//
// Tokens are "gf_" followed by 64 lowercase hex digits (32 bytes from OpenSSL's CSPRNG). The
// server never stores or logs a token: it hashes the presented token (SHA-256, hex) and asks an
// Authenticator, which the store implements, who owns that hash.
// Thread safety: free functions are safe to call concurrently.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/status.h"

namespace gpufleet::api {

enum class Role : uint8_t {
  kAdmin,   // operates the whole fleet; tenant_id is ""
  kTenant,  // sees and changes only its own tenant's objects
};

// Who made a request, as the Authenticator established it.
struct Principal {
  std::string tenant_id;  // "" for admin
  Role role = Role::kTenant;
};

// Looks up the owner of a token by its hash (HashToken's output); nullopt for an unknown or
// revoked token, an error when it cannot tell (the store is unreachable: the server answers 503
// rather than calling a valid token invalid). Called concurrently from server threads: it must
// be thread-safe.
using Authenticator = std::function<Result<std::optional<Principal>>(std::string_view token_hash)>;

// What a route requires of the caller.
enum class Access : uint8_t {
  kPublic,         // no token needed (metrics on loopback, the OpenAPI document)
  kAuthenticated,  // any valid token, admin or tenant; the handler scopes by tenant
  kAdmin,          // a valid admin token; a tenant token gets 403
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
