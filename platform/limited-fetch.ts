/**
 * The fetch a run uses: when a per-origin limit applies, each request first takes a slot from the
 * workspace's HostLimiter for that origin; with no limit configured it is plain fetch (off the hot path).
 * A reserved slot is committed right before the fetch (the limiter records actual sends), and the
 * wait ends early when the request's signal fires (cancel, run deadline, request timeout).
 */

import type { Grant } from "../durable-objects/host-limiter";
import { sleep } from "../shared/engine/abort";
import type { Fetcher } from "../shared/engine/types";
import type { RateLimit as LimitSpec } from "../shared/schemas/api";

export interface LimitedFetch {
  fetch: Fetcher;
  /** Total ms spent waiting for limiter slots since the last call (shown in request timings). */
  takeWaited(): number;
}

function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.min(secs, 3600) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - now), 3600_000) : null;
}

export function createLimitedFetch(env: Env, workspaceId: string, spec: LimitSpec | undefined): LimitedFetch {
  let waited = 0;
  /** Round trip of the last limiter call, reported with the next one (the limiter's margin follows it). */
  let lagMs: number | undefined;
  const active = spec && (spec.requestsPerSecond || spec.concurrency);
  const fetcher: Fetcher = async (request) => {
    if (!active) return fetch(request);
    const origin = new URL(request.url).origin;
    const stub = env.HOST_LIMITER.get(env.HOST_LIMITER.idFromName(`${workspaceId}|${origin}`));
    const timed = async (call: () => Promise<Grant>): Promise<Grant> => {
      const t0 = Date.now();
      const grant = await call();
      lagMs = Date.now() - t0;
      return grant;
    };
    const report = () => (lagMs === undefined ? {} : { lagMs });
    let grant = await timed(() => stub.acquire(spec, report()));
    try {
      for (;;) {
        const wait = grant.at - Date.now();
        if (wait > 0) {
          const t0 = Date.now();
          await sleep(wait, request.signal);
          waited += Date.now() - t0;
        }
        if (request.signal.aborted) {
          if (grant.slotId) await stub.forget(grant.slotId);
          throw request.signal.reason;
        }
        const slotId = grant.slotId;
        if (!slotId) break;
        grant = await timed(() => stub.commit(spec, slotId, grant.leaseId, report()));
      }
    } catch (err) {
      if (grant.leaseId) await stub.release(grant.leaseId);
      throw err;
    }
    try {
      const response = await fetch(request);
      if (response.status === 429 || response.status === 503) {
        const ms = retryAfterMs(response.headers.get("retry-after"), Date.now());
        if (ms !== null) await stub.backOff(Date.now() + ms);
      }
      return response;
    } finally {
      if (grant.leaseId) await stub.release(grant.leaseId);
    }
  };
  return {
    fetch: fetcher,
    takeWaited: () => {
      const w = waited;
      waited = 0;
      return w;
    },
  };
}
