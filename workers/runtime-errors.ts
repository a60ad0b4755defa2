/**
 * workerd's own failures, as JavaScript sees them: an opaque `internal error; reference = …` (the cause
 * is only in the runtime's log). Locally the usual one is running out of file descriptors — every
 * Durable Object used in the last ≈ 10 s keeps its SQLite database, -wal and -shm files open, so a
 * burst of thousands of runs can exhaust `ulimit -n`, and the next object's storage fails to open
 * (`SQLITE_CANTOPEN` in the log). That is the platform's limit, not a bug in the request: a 503 that
 * says what ran out and when to retry, instead of a bare 500.
 */
import { ProblemError } from "../platform/problem";

const INTERNAL = /internal error; reference = ([a-z0-9]+)/;
/** Idle objects close their files ≈ 10 s after their last request (workerd's inactivity eviction). */
export const RUNTIME_RETRY_AFTER_S = 15;

/** A problem for a runtime-internal error (see above), or undefined for any other error. */
export function runtimeProblem(err: unknown): ProblemError | undefined {
  const reference = INTERNAL.exec(String(err))?.[1];
  if (!reference) return undefined;
  return new ProblemError(
    503,
    "Runtime Unavailable",
    `The runtime failed internally (reference ${reference}; the cause is in its log). On a local stack ` +
      "this is usually workerd out of file descriptors: each Durable Object used in the last ≈ 10 s " +
      "holds 3 open files (SQLite db, -wal, -shm). Retry after a few seconds, or raise `ulimit -n`.",
    { headers: { "retry-after": String(RUNTIME_RETRY_AFTER_S) } },
  );
}
