#pragma once
// The statements on observed_nodes (Store::PutObservedNode, SetLastSeen, ListObservedNodes),
// one set per back end. Private to the back ends.
// REQUIRES (writes): inside a write transaction on `conn` (SQLite: the writer).

#include <vector>

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"
#include "store/pg_connection.h"
#include "store/sqlite_connection.h"

namespace gpufleet::store {

Status UpsertObservedNode(SqliteConnection& conn, const ObservedNodeRow& row);
Status UpdateLastSeen(SqliteConnection& conn, const std::vector<NodeLastSeen>& seen);
Result<std::vector<ObservedNodeRow>> SelectObservedNodes(SqliteConnection& conn);

Status UpsertObservedNode(PgConnection& conn, const ObservedNodeRow& row);
Status UpdateLastSeen(PgConnection& conn, const std::vector<NodeLastSeen>& seen);
Result<std::vector<ObservedNodeRow>> SelectObservedNodes(PgConnection& conn);

}  // namespace gpufleet::store
