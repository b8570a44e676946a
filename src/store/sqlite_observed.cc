// observed_nodes in the SQLite back end (store/observed_rows.h).

#include "store/observed_rows.h"
#include "store/validation.h"

namespace gpufleet::store {

Status UpsertObservedNode(SqliteConnection& conn, const ObservedNodeRow& row) {
  GPUFLEET_RETURN_IF_ERROR(ValidateObservedNode(row));
  // first_seen_ms is the stored one when there is a row: it never moves. A row comes back
  // only when written (inserted, or updated by a change at least as late as the stored one).
  {
    GPUFLEET_STORE_ASSIGN_OR_RETURN(
        Statement q,
        conn.Prepare("INSERT INTO observed_nodes (node, first_seen_ms, last_change_ms, "
                     "last_seen_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (node) DO UPDATE SET "
                     "last_change_ms = excluded.last_change_ms, "
                     "last_seen_ms = MAX(last_seen_ms, excluded.last_seen_ms) "
                     "WHERE excluded.last_change_ms >= observed_nodes.last_change_ms "
                     "RETURNING node"));
    q.Bind(1, row.node).Bind(2, row.first_seen_ms).Bind(3, row.last_change_ms);
    q.Bind(4, row.last_seen_ms);
    GPUFLEET_STORE_ASSIGN_OR_RETURN(const bool written, q.Step());
    if (!written) return Status::Ok();
    GPUFLEET_RETURN_IF_ERROR(q.Run());  // to the end, so the statement is done
  }
  GPUFLEET_STORE_ASSIGN_OR_RETURN(
      Statement q, conn.Prepare("INSERT INTO observed_reports (node, report) VALUES (?1, ?2) "
                                "ON CONFLICT (node) DO UPDATE SET report = excluded.report"));
  return q.Bind(1, row.node).Bind(2, row.report).Run();
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
      Statement q, conn.Prepare("SELECT n.node, r.report, n.first_seen_ms, n.last_change_ms, "
                                "n.last_seen_ms FROM observed_nodes n "
                                "JOIN observed_reports r ON r.node = n.node ORDER BY n.node"));
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
