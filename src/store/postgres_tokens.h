#pragma once
// The PostgreSQL back end's statements on the tokens table. Private to that back end.
// REQUIRES (writes): inside a transaction on `conn`.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "store/pg_connection.h"

namespace gpufleet::store {

// Store::PutToken's checks and insert, the tenant's existence aside.
Status InsertToken(PgConnection& conn, const TokenRecord& t);
// Revokes every live token named `name` at `at_ms`.
Status RevokeLiveNamed(PgConnection& conn, std::string_view name, int64_t at_ms);
// A live (unrevoked) token by hash; nullopt when there is none.
Result<std::optional<TokenRecord>> SelectLiveToken(PgConnection& conn, std::string_view sha256_hex);
Result<TokenRecord> SelectTokenById(PgConnection& conn, std::string_view id);  // NotFound
Result<std::vector<TokenRecord>> SelectTokens(PgConnection& conn);
// False when there is no such token.
Result<bool> RevokeTokenById(PgConnection& conn, std::string_view id, int64_t at_ms);
Result<bool> TouchTokenById(PgConnection& conn, std::string_view id, int64_t at_ms);

}  // namespace gpufleet::store
