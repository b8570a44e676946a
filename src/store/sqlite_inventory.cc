#include "store/sqlite_inventory.h"

#include "store/assign_or_return.h"
#include "store/validation.h"

namespace gpufleet::store {
namespace {

// One literal per statement: SQLite statements are cached by the address of their text.
#define GPUFLEET_ENTRY_COLUMNS "idx, subject, kind, effective_ms, recorded_ms, body, hashes"
#define GPUFLEET_ASSET_COLUMNS "serial, model, site, owner, operator, status, last_entry, record"

InventoryEntry ReadEntry(const Statement& q) {
  return {.index = q.Int(0),
          .subject = q.Text(1),
          .kind = q.Text(2),
          .effective_ms = q.Int(3),
          .recorded_ms = q.Int(4),
          .body = q.Text(5),
          .hashes = q.Text(6)};
}

AssetRow ReadAsset(const Statement& q) {
  return {.serial = q.Text(0),
          .model = q.Text(1),
          .site = q.Text(2),
          .owner = q.Text(3),
          .operator_org = q.Text(4),
          .status = q.Text(5),
          .last_entry = q.Int(6),
          .record = q.Text(7)};
}

Result<std::vector<InventoryEntry>> AllEntries(Statement& q) {
  std::vector<InventoryEntry> out;
  for (;;) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return out;
    out.push_back(ReadEntry(q));
  }
}

}  // namespace

Result<int64_t> SelectInventorySize(SqliteConnection& conn) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM inventory_entries"));
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
  return row ? q.Int(0) : 0;
}

Status InsertInventory(SqliteConnection& conn, const std::vector<InventoryEntry>& entries,
                       const std::vector<AssetRow>& assets) {
  for (const InventoryEntry& e : entries) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q, conn.Prepare("INSERT INTO inventory_entries (" GPUFLEET_ENTRY_COLUMNS
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    GPUFLEET_RETURN_IF_ERROR(q.Bind(1, e.index)
                                 .Bind(2, e.subject)
                                 .Bind(3, e.kind)
                                 .Bind(4, e.effective_ms)
                                 .Bind(5, e.recorded_ms)
                                 .Bind(6, e.body)
                                 .Bind(7, e.hashes)
                                 .Run());
  }
  for (const AssetRow& a : assets) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q, conn.Prepare("INSERT OR REPLACE INTO assets (" GPUFLEET_ASSET_COLUMNS
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    GPUFLEET_RETURN_IF_ERROR(q.Bind(1, a.serial)
                                 .Bind(2, a.model)
                                 .Bind(3, a.site)
                                 .Bind(4, a.owner)
                                 .Bind(5, a.operator_org)
                                 .Bind(6, a.status)
                                 .Bind(7, a.last_entry)
                                 .Bind(8, a.record)
                                 .Run());
  }
  return Status::Ok();
}

Result<std::vector<InventoryEntry>> SelectInventory(SqliteConnection& conn, int64_t from,
                                                    int32_t limit) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT " GPUFLEET_ENTRY_COLUMNS " FROM inventory_entries "
                                "WHERE idx >= ?1 ORDER BY idx LIMIT ?2"));
  q.Bind(1, from).Bind(2, int64_t{limit});
  return AllEntries(q);
}

Result<std::vector<InventoryEntry>> SelectInventoryAt(SqliteConnection& conn,
                                                      const std::vector<int64_t>& indexes) {
  // One statement text whatever the count (statements are cached by their text): the list
  // travels as a JSON array.
  std::string list = "[";
  for (size_t i = 0; i < indexes.size(); ++i) {
    list += (i ? "," : "") + std::to_string(indexes[i]);
  }
  list += "]";
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT " GPUFLEET_ENTRY_COLUMNS " FROM inventory_entries "
                                "WHERE idx IN (SELECT value FROM json_each(?1)) ORDER BY idx"));
  q.Bind(1, list);
  return AllEntries(q);
}

Result<std::vector<InventoryEntry>> SelectSubjectHistory(SqliteConnection& conn,
                                                         std::string_view subject) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT " GPUFLEET_ENTRY_COLUMNS " FROM inventory_entries "
                                "WHERE subject = ?1 ORDER BY idx"));
  q.Bind(1, subject);
  return AllEntries(q);
}

Result<std::optional<AssetRow>> SelectAsset(SqliteConnection& conn, std::string_view serial) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT " GPUFLEET_ASSET_COLUMNS " FROM assets WHERE serial = ?1"));
  q.Bind(1, serial);
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
  if (!row) return std::optional<AssetRow>();
  return std::optional<AssetRow>(ReadAsset(q));
}

Result<std::vector<AssetRow>> SelectAssets(SqliteConnection& conn, const AssetFilter& f) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q,
      conn.Prepare("SELECT " GPUFLEET_ASSET_COLUMNS " FROM assets WHERE serial > ?1 "
                   "AND (?2 IS NULL OR site = ?2) AND (?3 IS NULL OR owner = ?3 OR operator = ?3) "
                   "ORDER BY serial LIMIT ?4"));
  q.Bind(1, f.after);
  if (f.site) q.Bind(2, *f.site);
  if (f.organisation) q.Bind(3, *f.organisation);
  q.Bind(4, int64_t{f.limit});
  std::vector<AssetRow> out;
  for (;;) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return out;
    out.push_back(ReadAsset(q));
  }
}

Status InsertCheckpoint(SqliteConnection& conn, const CheckpointRecord& cp) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const int64_t size, SelectInventorySize(conn));
  if (cp.size > size) return CheckpointBeyondLog(cp.size, size);
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement existing, conn.Prepare("SELECT note FROM ledger_checkpoints WHERE size = ?1"));
  existing.Bind(1, cp.size);
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool found, existing.Step());
  if (found) return existing.Text(0) == cp.note ? Status::Ok() : CheckpointTaken(cp.size);
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("INSERT INTO ledger_checkpoints (size, note, created_ms) "
                                "VALUES (?1, ?2, ?3)"));
  return q.Bind(1, cp.size).Bind(2, cp.note).Bind(3, cp.created_ms).Run();
}

Result<std::optional<CheckpointRecord>> SelectLatestCheckpoint(SqliteConnection& conn) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT size, note, created_ms FROM ledger_checkpoints "
                                "ORDER BY size DESC LIMIT 1"));
  GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
  if (!row) return std::optional<CheckpointRecord>();
  return std::optional<CheckpointRecord>(
      CheckpointRecord{.size = q.Int(0), .note = q.Text(1), .created_ms = q.Int(2)});
}

}  // namespace gpufleet::store
