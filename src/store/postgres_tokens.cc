#include "store/postgres_tokens.h"

#include <string>

#include "store/token_rows.h"

namespace gpufleet::store {
namespace {

Result<TokenRecord> ReadRow(const PgResult& q, int row) {
  return RowToToken([&](int i) { return q.Text(row, i); }, [&](int i) { return q.Int(row, i); });
}

}  // namespace

Status InsertToken(PgConnection& conn, const TokenRecord& t) {
  if (!t.name.empty()) {
    // An expired token gives up its name to the next one: revoke it as of that moment.
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        PgResult expire,
        conn.Query("UPDATE tokens SET revoked = TRUE, revoked_at_ms = expires_at_ms "
                   "WHERE name = $1 AND NOT revoked AND expires_at_ms > 0 AND expires_at_ms <= $2",
                   {PgText(t.name), PgInt(t.created_at_ms)}));
  }
  // ON CONFLICT rather than look-ups first: of two processes storing the same hash or name at
  // once, one gets an answer saying which.
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q,
      conn.Query("INSERT INTO tokens (" GPUFLEET_TOKEN_COLUMNS
                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
                 {PgText(t.id), PgText(t.sha256_hex), PgText(RoleName(t.role)), PgText(t.tenant),
                  PgText(t.node), PgText(t.name), PgInt(t.created_at_ms), PgInt(t.expires_at_ms),
                  PgInt(t.last_used_at_ms), PgBool(t.revoked), PgInt(t.revoked_at_ms)}));
  if (q.Affected() > 0) return Status::Ok();
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult dup, conn.Query("SELECT 1 FROM tokens WHERE sha256_hex = $1 OR id = $2",
                               {PgText(t.sha256_hex), PgText(t.id)}));
  if (dup.Rows() > 0) return Status::FailedPrecondition("token: this hash is already stored");
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult holder,
      conn.Query("SELECT id FROM tokens WHERE name = $1 AND NOT revoked", {PgText(t.name)}));
  return Status::AlreadyExists("token: the name '" + t.name + "' is taken" +
                               (holder.Rows() > 0 ? " by " + holder.Text(0, 0) : std::string()));
}

Status RevokeLiveNamed(PgConnection& conn, std::string_view name, int64_t at_ms) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult q,
                                  conn.Query("UPDATE tokens SET revoked = TRUE, revoked_at_ms = $2 "
                                             "WHERE name = $1 AND NOT revoked",
                                             {PgText(name), PgInt(at_ms)}));
  return Status::Ok();
}

Result<std::optional<TokenRecord>> SelectLiveToken(PgConnection& conn,
                                                   std::string_view sha256_hex) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(PgResult q,
                                  conn.Query("SELECT " GPUFLEET_TOKEN_COLUMNS
                                             " FROM tokens WHERE sha256_hex = $1 AND NOT revoked",
                                             {PgText(sha256_hex)}));
  if (q.Rows() == 0) return std::optional<TokenRecord>();
  GPUFLEET_STORE_ASSIGN_OR_RETURN(TokenRecord token, ReadRow(q, 0));
  return std::optional<TokenRecord>(std::move(token));
}

Result<TokenRecord> SelectTokenById(PgConnection& conn, std::string_view id) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q,
      conn.Query("SELECT " GPUFLEET_TOKEN_COLUMNS " FROM tokens WHERE id = $1", {PgText(id)}));
  if (q.Rows() == 0) return Status::NotFound("token '" + std::string(id) + "' not found");
  return ReadRow(q, 0);
}

Result<std::vector<TokenRecord>> SelectTokens(PgConnection& conn) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q,
      conn.Query("SELECT " GPUFLEET_TOKEN_COLUMNS " FROM tokens ORDER BY created_at_ms, id"));
  std::vector<TokenRecord> out;
  for (int r = 0; r < q.Rows(); ++r) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(TokenRecord token, ReadRow(q, r));
    out.push_back(std::move(token));
  }
  return out;
}

Result<bool> RevokeTokenById(PgConnection& conn, std::string_view id, int64_t at_ms) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q,
      conn.Query("UPDATE tokens SET revoked_at_ms = CASE WHEN revoked THEN revoked_at_ms ELSE $2 "
                 "END, revoked = TRUE WHERE id = $1",
                 {PgText(id), PgInt(at_ms)}));
  return q.Affected() > 0;
}

Result<bool> TouchTokenById(PgConnection& conn, std::string_view id, int64_t at_ms) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("UPDATE tokens SET last_used_at_ms = GREATEST(last_used_at_ms, $2) "
                             "WHERE id = $1",
                             {PgText(id), PgInt(at_ms)}));
  return q.Affected() > 0;
}

}  // namespace gpufleet::store
