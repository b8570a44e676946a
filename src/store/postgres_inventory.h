#pragma once
// The PostgreSQL back end's statements on the inventory log and the assets table. Private to
// it. REQUIRES (writes): inside a transaction holding the write lock.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "store/pg_connection.h"

namespace gpufleet::store {

Result<int64_t> SelectInventorySize(PgConnection& conn);
Status InsertInventory(PgConnection& conn, const std::vector<InventoryEntry>& entries,
                       const std::vector<AssetRow>& assets);
Result<std::vector<InventoryEntry>> SelectInventory(PgConnection& conn, int64_t from,
                                                    int32_t limit);
Result<std::vector<InventoryEntry>> SelectInventoryAt(PgConnection& conn,
                                                      const std::vector<int64_t>& indexes);
Result<std::vector<InventoryEntry>> SelectSubjectHistory(PgConnection& conn,
                                                         std::string_view serial);
Result<std::optional<AssetRow>> SelectAsset(PgConnection& conn, std::string_view serial);
Result<std::vector<AssetRow>> SelectAssets(PgConnection& conn, const AssetFilter& filter);
// Store::PutCheckpoint's write; the caller holds the write transaction.
Status InsertCheckpoint(PgConnection& conn, const CheckpointRecord& checkpoint);
Result<std::optional<CheckpointRecord>> SelectLatestCheckpoint(PgConnection& conn);

}  // namespace gpufleet::store
