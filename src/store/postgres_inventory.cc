#include "store/postgres_inventory.h"

#include "store/validation.h"

namespace gpufleet::store {
namespace {

#define GPUFLEET_ENTRY_COLUMNS "idx, subject, kind, effective_ms, recorded_ms, body, hashes"
#define GPUFLEET_ASSET_COLUMNS "serial, model, site, owner, operator, status, last_entry, record"

std::vector<InventoryEntry> Entries(const PgResult& q) {
  std::vector<InventoryEntry> out;
  out.reserve(q.Rows());
  for (int r = 0; r < q.Rows(); ++r) {
    out.push_back({.index = q.Int(r, 0),
                   .subject = q.Text(r, 1),
                   .kind = q.Text(r, 2),
                   .effective_ms = q.Int(r, 3),
                   .recorded_ms = q.Int(r, 4),
                   .body = q.Text(r, 5),
                   .hashes = q.Text(r, 6)});
  }
  return out;
}

AssetRow Asset(const PgResult& q, int r) {
  return {.serial = q.Text(r, 0),
          .model = q.Text(r, 1),
          .site = q.Text(r, 2),
          .owner = q.Text(r, 3),
          .operator_org = q.Text(r, 4),
          .status = q.Text(r, 5),
          .last_entry = q.Int(r, 6),
          .record = q.Text(r, 7)};
}

}  // namespace

Result<int64_t> SelectInventorySize(PgConnection& conn) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT COALESCE(MAX(idx) + 1, 0) FROM inventory_entries"));
  return q.Int(0, 0);
}

Status InsertInventory(PgConnection& conn, const std::vector<InventoryEntry>& entries,
                       const std::vector<AssetRow>& assets) {
  for (const InventoryEntry& e : entries) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        PgResult q,
        conn.Query("INSERT INTO inventory_entries (" GPUFLEET_ENTRY_COLUMNS
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   {PgInt(e.index), PgText(e.subject), PgText(e.kind), PgInt(e.effective_ms),
                    PgInt(e.recorded_ms), PgText(e.body), PgText(e.hashes)}));
  }
  for (const AssetRow& a : assets) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        PgResult q,
        conn.Query(
            "INSERT INTO assets (" GPUFLEET_ASSET_COLUMNS
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (serial) DO UPDATE SET "
            "model = EXCLUDED.model, site = EXCLUDED.site, owner = EXCLUDED.owner, "
            "operator = EXCLUDED.operator, status = EXCLUDED.status, "
            "last_entry = EXCLUDED.last_entry, record = EXCLUDED.record",
            {PgText(a.serial), PgText(a.model), PgText(a.site), PgText(a.owner),
             PgText(a.operator_org), PgText(a.status), PgInt(a.last_entry), PgText(a.record)}));
  }
  return Status::Ok();
}

Result<std::vector<InventoryEntry>> SelectInventory(PgConnection& conn, int64_t from,
                                                    int32_t limit) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT " GPUFLEET_ENTRY_COLUMNS " FROM inventory_entries "
                             "WHERE idx >= $1 ORDER BY idx LIMIT $2",
                             {PgInt(from), PgInt(limit)}));
  return Entries(q);
}

Result<std::vector<InventoryEntry>> SelectInventoryAt(PgConnection& conn,
                                                      const std::vector<int64_t>& indexes) {
  std::string list = "{";
  for (size_t i = 0; i < indexes.size(); ++i) {
    list += (i ? "," : "") + std::to_string(indexes[i]);
  }
  list += "}";
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT " GPUFLEET_ENTRY_COLUMNS " FROM inventory_entries "
                             "WHERE idx = ANY($1::bigint[]) ORDER BY idx",
                             {PgText(list)}));
  return Entries(q);
}

Result<std::vector<InventoryEntry>> SelectSubjectHistory(PgConnection& conn,
                                                         std::string_view serial) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT " GPUFLEET_ENTRY_COLUMNS " FROM inventory_entries "
                             "WHERE subject = $1 ORDER BY idx",
                             {PgText(serial)}));
  return Entries(q);
}

Result<std::optional<AssetRow>> SelectAsset(PgConnection& conn, std::string_view serial) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT " GPUFLEET_ASSET_COLUMNS " FROM assets WHERE serial = $1",
                             {PgText(serial)}));
  if (q.Rows() == 0) return std::optional<AssetRow>();
  return std::optional<AssetRow>(Asset(q, 0));
}

Result<std::vector<AssetRow>> SelectAssets(PgConnection& conn, const AssetFilter& f) {
  // COLLATE "C": serials page in byte order, as in SQLite, whatever the database's locale.
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q,
      conn.Query(
          "SELECT " GPUFLEET_ASSET_COLUMNS " FROM assets WHERE serial COLLATE \"C\" > $1 "
          "AND ($2::text IS NULL OR site = $2) "
          "AND ($3::text IS NULL OR owner = $3 OR operator = $3) "
          "ORDER BY serial COLLATE \"C\" LIMIT $4",
          {PgText(f.after), PgOptional(f.site), PgOptional(f.organisation), PgInt(f.limit)}));
  std::vector<AssetRow> out;
  out.reserve(q.Rows());
  for (int r = 0; r < q.Rows(); ++r) out.push_back(Asset(q, r));
  return out;
}

Status InsertCheckpoint(PgConnection& conn, const CheckpointRecord& cp) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const int64_t size, SelectInventorySize(conn));
  if (cp.size > size) return CheckpointBeyondLog(cp.size, size);
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult existing,
      conn.Query("SELECT note FROM ledger_checkpoints WHERE size = $1", {PgInt(cp.size)}));
  if (existing.Rows() > 0) {
    return existing.Text(0, 0) == cp.note ? Status::Ok() : CheckpointTaken(cp.size);
  }
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("INSERT INTO ledger_checkpoints (size, note, created_ms) "
                             "VALUES ($1, $2, $3)",
                             {PgInt(cp.size), PgText(cp.note), PgInt(cp.created_ms)}));
  return Status::Ok();
}

Result<std::optional<CheckpointRecord>> SelectLatestCheckpoint(PgConnection& conn) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      PgResult q, conn.Query("SELECT size, note, created_ms FROM ledger_checkpoints "
                             "ORDER BY size DESC LIMIT 1"));
  if (q.Rows() == 0) return std::optional<CheckpointRecord>();
  return std::optional<CheckpointRecord>(
      CheckpointRecord{.size = q.Int(0, 0), .note = q.Text(0, 1), .created_ms = q.Int(0, 2)});
}

}  // namespace gpufleet::store
