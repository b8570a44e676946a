// observed_nodes in the SQLite back end (store/observed_rows.h).

#include "store/observed_rows.h"
#include "store/validation.h"

namespace gpufleet::store {

Status UpsertObservedNode(SqliteConnection& conn, const ObservedNodeRow& row) {
  GPUFLEET_RETURN_IF_ERROR(ValidateObservedNode(row));
  // first_seen_ms is the stored one when there is a row: it never moves.
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q,
      conn.Prepare("INSERT INTO observed_nodes (node, report, first_seen_ms, last_change_ms, "
                   "last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (node) DO UPDATE SET "
                   "report = excluded.report, last_change_ms = excluded.last_change_ms, "
                   "last_seen_ms = MAX(last_seen_ms, excluded.last_seen_ms) "
                   "WHERE excluded.last_change_ms >= observed_nodes.last_change_ms"));
  return q.Bind(1, row.node)
      .Bind(2, row.report)
      .Bind(3, row.first_seen_ms)
      .Bind(4, row.last_change_ms)
      .Bind(5, row.last_seen_ms)
      .Run();
}

Status UpdateLastSeen(SqliteConnection& conn, const std::vector<NodeLastSeen>& seen) {
  for (const NodeLastSeen& s : seen) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(Statement q,
                                    conn.Prepare("UPDATE observed_nodes SET last_seen_ms = ?2 "
                                                 "WHERE node = ?1 AND last_seen_ms < ?2"));
    GPUFLEET_RETURN_IF_ERROR(q.Bind(1, s.node).Bind(2, s.last_seen_ms).Run());
  }
  return Status::Ok();
}

Result<std::vector<ObservedNodeRow>> SelectObservedNodes(SqliteConnection& conn) {
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("SELECT node, report, first_seen_ms, last_change_ms, last_seen_ms "
                                "FROM observed_nodes ORDER BY node"));
  std::vector<ObservedNodeRow> out;
  for (;;) {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) return out;
    out.push_back({.node = q.Text(0),
                   .report = q.Text(1),
                   .first_seen_ms = q.Int(2),
                   .last_change_ms = q.Int(3),
                   .last_seen_ms = q.Int(4)});
  }
}

}  // namespace gpufleet::store
