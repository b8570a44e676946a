#pragma once
// The SQLite back end's statements on the inventory log and the assets table. Private to it.
// REQUIRES (writes): `conn` is the writer, inside a write transaction.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "store/sqlite_connection.h"

namespace gpufleet::store {

Result<int64_t> SelectInventorySize(SqliteConnection& conn);
// Store::AppendInventory's writes; the caller checked the first index.
Status InsertInventory(SqliteConnection& conn, const std::vector<InventoryEntry>& entries,
                       const std::vector<AssetRow>& assets);
Result<std::vector<InventoryEntry>> SelectInventory(SqliteConnection& conn, int64_t from,
                                                    int32_t limit);
Result<std::vector<InventoryEntry>> SelectInventoryAt(SqliteConnection& conn,
                                                      const std::vector<int64_t>& indexes);
Result<std::vector<InventoryEntry>> SelectSubjectHistory(SqliteConnection& conn,
                                                         std::string_view serial);
Result<std::optional<AssetRow>> SelectAsset(SqliteConnection& conn, std::string_view serial);
Result<std::vector<AssetRow>> SelectAssets(SqliteConnection& conn, const AssetFilter& filter);
// Store::PutCheckpoint's write; the caller holds the write transaction.
Status InsertCheckpoint(SqliteConnection& conn, const CheckpointRecord& checkpoint);
Result<std::optional<CheckpointRecord>> SelectLatestCheckpoint(SqliteConnection& conn);

}  // namespace gpufleet::store
