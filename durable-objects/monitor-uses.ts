/**
 * Which stored collection and environment each of a workspace's monitors runs, inside the Workspace
 * object: deleting a resource a monitor runs would make every later tick of it fail, so the delete
 * asks here first. Monitors write their row when configured and remove it when deleted.
 */
import { all } from "../platform/sql";
import type { ResourceKind } from "../shared/schemas/resources";

/** A monitor's stored resources; `null` ids for inline ones. */
export interface MonitorUses {
  collectionId: string | null;
  environmentId: string | null;
}

/** Records (or, with `null` or no stored resource, forgets) what a monitor runs. */
export function setMonitorUses(sql: SqlStorage, monitorId: string, uses: MonitorUses | null): void {
  if (!uses || (!uses.collectionId && !uses.environmentId)) {
    sql.exec("DELETE FROM monitor_uses WHERE monitor_id = ?", monitorId);
    return;
  }
  sql.exec(
    "INSERT OR REPLACE INTO monitor_uses (monitor_id, collection_id, environment_id) VALUES (?, ?, ?)",
    monitorId,
    uses.collectionId,
    uses.environmentId,
  );
}

/** The monitors (at most 20, by id) that run a stored resource. */
export function monitorsUsing(sql: SqlStorage, kind: ResourceKind, id: string): string[] {
  const column = kind === "collection" ? "collection_id" : "environment_id";
  return all<{ monitor_id: string }>(
    sql,
    `SELECT monitor_id FROM monitor_uses WHERE ${column} = ? ORDER BY monitor_id LIMIT 20`,
    id,
  ).map((r) => r.monitor_id);
}
