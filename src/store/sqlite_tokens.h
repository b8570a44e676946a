#pragma once
// The SQLite back end's statements on the tokens table. Private to the SQLite back end.
// REQUIRES (writes): `conn` is the writer, inside a write transaction.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "store/sqlite_connection.h"

namespace gpufleet::store {

// Store::PutToken's checks and insert, the tenant's existence aside.
Status InsertToken(SqliteConnection& conn, const TokenRecord& t);
// Revokes every live token named `name` at `at_ms`.
Status RevokeLiveNamed(SqliteConnection& conn, std::string_view name, int64_t at_ms);
// A live (unrevoked) token by hash; nullopt when there is none.
Result<std::optional<TokenRecord>> SelectLiveToken(SqliteConnection& conn,
                                                   std::string_view sha256_hex);
Result<TokenRecord> SelectTokenById(SqliteConnection& conn, std::string_view id);  // NotFound
Result<std::vector<TokenRecord>> SelectTokens(SqliteConnection& conn);
// False when there is no such token.
Result<bool> RevokeTokenById(SqliteConnection& conn, std::string_view id, int64_t at_ms);
Result<bool> TouchTokenById(SqliteConnection& conn, std::string_view id, int64_t at_ms);

}  // namespace gpufleet::store
