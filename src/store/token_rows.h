#pragma once
// The tokens table as both back ends read it: the column list every SELECT uses, in the order
// RowToToken expects. Private to the store.

#include <cstdint>
#include <string>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::store {

// A macro, not a constant, so that every statement is one string literal: SQLite statements
// are cached by the address of their text (SqliteConnection::Prepare).
#define GPUFLEET_TOKEN_COLUMNS                                                                \
  "id, sha256_hex, role, tenant, node, name, created_at_ms, expires_at_ms, last_used_at_ms, " \
  "revoked, revoked_at_ms"

// One row of kTokenColumns; `text(i)` and `integer(i)` read column i. Corruption for a role
// the binary does not know.
template <typename TextFn, typename IntFn>
Result<TokenRecord> RowToToken(TextFn text, IntFn integer) {
  Result<Role> role = ParseRole(text(2));
  if (!role.ok()) return Status::Corruption("store: token: " + role.status().message());
  return TokenRecord{.id = text(0),
                     .sha256_hex = text(1),
                     .role = *role,
                     .tenant = text(3),
                     .node = text(4),
                     .name = text(5),
                     .created_at_ms = integer(6),
                     .expires_at_ms = integer(7),
                     .last_used_at_ms = integer(8),
                     .revoked = integer(9) != 0,
                     .revoked_at_ms = integer(10)};
}

}  // namespace gpufleet::store
