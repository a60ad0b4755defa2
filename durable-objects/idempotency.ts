/**
 * Idempotency-Key claims inside the Workspace object: the same key and request body within 24 h
 * replays the original run; the same key with another body is a conflict. Called from the object's
 * synchronous admission step, so a claim and the run's reservation are one atomic step.
 */
import { first } from "../platform/sql";

const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export type IdempotencyResult =
  | { kind: "new" }
  | { kind: "replay"; runId: string }
  | { kind: "conflict"; runId: string };

/** Claims `key` for a request body fingerprint and the run it would create. */
export function claimIdempotencyKey(
  sql: SqlStorage,
  claim: { key: string; fingerprint: string; runId: string },
): IdempotencyResult {
  const now = Date.now();
  sql.exec("DELETE FROM idempotency WHERE created_at < ?", now - IDEMPOTENCY_TTL_MS);
  const row = first<{ fingerprint: string; run_id: string }>(
    sql,
    "SELECT fingerprint, run_id FROM idempotency WHERE key = ?",
    claim.key,
  );
  if (row)
    return row.fingerprint === claim.fingerprint
      ? { kind: "replay", runId: row.run_id }
      : { kind: "conflict", runId: row.run_id };
  sql.exec(
    "INSERT INTO idempotency (key, fingerprint, run_id, created_at) VALUES (?, ?, ?, ?)",
    claim.key,
    claim.fingerprint,
    claim.runId,
    now,
  );
  return { kind: "new" };
}

/** Releases a claim when its run was not created, so a retry with the same key is not blocked. */
export function releaseIdempotencyKey(sql: SqlStorage, claim: { key: string; runId: string }): void {
  sql.exec("DELETE FROM idempotency WHERE key = ? AND run_id = ?", claim.key, claim.runId);
}
