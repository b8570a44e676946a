#include "store/sqlite_tokens.h"

#include <string>

#include "store/assign_or_return.h"
#include "store/token_rows.h"

namespace gpufleet::store {
namespace {

Result<TokenRecord> ReadRow(const Statement& q) {
  return RowToToken([&](int i) { return q.Text(i); }, [&](int i) { return q.Int(i); });
}

}  // namespace

Status InsertToken(SqliteConnection& conn, const TokenRecord& t) {
  {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q, conn.Prepare("SELECT 1 FROM tokens WHERE sha256_hex = ?1 OR id = ?2"));
    q.Bind(1, t.sha256_hex).Bind(2, t.id);
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool dup, q.Step());
    if (dup) return Status::FailedPrecondition("token: this hash is already stored");
  }
  if (!t.name.empty()) {
    // An expired token gives up its name to the next one: revoke it as of that moment.
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement expire,
        conn.Prepare("UPDATE tokens SET revoked = 1, revoked_at_ms = expires_at_ms "
                     "WHERE name = ?1 AND revoked = 0 AND expires_at_ms > 0 AND "
                     "expires_at_ms <= ?2"));
    GPUFLEET_RETURN_IF_ERROR(expire.Bind(1, t.name).Bind(2, t.created_at_ms).Run());
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q, conn.Prepare("SELECT id FROM tokens WHERE name = ?1 AND revoked = 0"));
    q.Bind(1, t.name);
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool taken, q.Step());
    if (taken) {
      return Status::AlreadyExists("token: the name '" + t.name + "' is taken by " + q.Text(0));
    }
  }
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("INSERT INTO tokens (" GPUFLEET_TOKEN_COLUMNS
                                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  return q.Bind(1, t.id)
      .Bind(2, t.sha256_hex)
      .Bind(3, RoleName(t.role))
      .Bind(4, t.tenant)
      .Bind(5, t.node)
      .Bind(6, t.name)
      .Bind(7, t.created_at_ms)
      .Bind(8, t.expires_at_ms)
      .Bind(9, t.last_used_at_ms)
      .Bind(10, int64_t{t.revoked})
      .Bind(11, t.revoked_at_ms)
      .Run();
}

Status RevokeLiveNamed(SqliteConnection& conn, std::string_view name, int64_t at_ms) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                  conn.Prepare("UPDATE tokens SET revoked = 1, revoked_at_ms = ?2 "
                                               "WHERE name = ?1 AND revoked = 0"));
  return q.Bind(1, name).Bind(2, at_ms).Run();
}

Result<std::optional<TokenRecord>> SelectLiveToken(SqliteConnection& conn,
                                                   std::string_view sha256_hex) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT " GPUFLEET_TOKEN_COLUMNS
                                " FROM tokens WHERE sha256_hex = ?1 AND revoked = 0"));
  q.Bind(1, sha256_hex);
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
  if (!row) return std::optional<TokenRecord>();
  GPUFLEET_STORE_ASSIGN_OR_RETURN(TokenRecord token, ReadRow(q));
  return std::optional<TokenRecord>(std::move(token));
}

Result<TokenRecord> SelectTokenById(SqliteConnection& conn, std::string_view id) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT " GPUFLEET_TOKEN_COLUMNS " FROM tokens WHERE id = ?1"));
  q.Bind(1, id);
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
  if (!row) return Status::NotFound("token '" + std::string(id) + "' not found");
  return ReadRow(q);
}

Result<std::vector<TokenRecord>> SelectTokens(SqliteConnection& conn) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q,
      conn.Prepare("SELECT " GPUFLEET_TOKEN_COLUMNS " FROM tokens ORDER BY created_at_ms, id"));
  std::vector<TokenRecord> out;
  for (;;) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return out;
    GPUFLEET_STORE_ASSIGN_OR_RETURN(TokenRecord token, ReadRow(q));
    out.push_back(std::move(token));
  }
}

Result<bool> RevokeTokenById(SqliteConnection& conn, std::string_view id, int64_t at_ms) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q,
      conn.Prepare("UPDATE tokens SET revoked = 1, revoked_at_ms = CASE WHEN revoked = 1 THEN "
                   "revoked_at_ms ELSE ?2 END WHERE id = ?1"));
  GPUFLEET_RETURN_IF_ERROR(q.Bind(1, id).Bind(2, at_ms).Run());
  return conn.Changes() > 0;
}

Result<bool> TouchTokenById(SqliteConnection& conn, std::string_view id, int64_t at_ms) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("UPDATE tokens SET last_used_at_ms = MAX(last_used_at_ms, ?2) "
                                "WHERE id = ?1"));
  GPUFLEET_RETURN_IF_ERROR(q.Bind(1, id).Bind(2, at_ms).Run());
  return conn.Changes() > 0;
}

}  // namespace gpufleet::store
