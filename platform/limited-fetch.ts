/**
 * The fetch a run uses: when a per-origin limit applies, each request first takes a slot from the
 * workspace's HostLimiter for that origin; with no limit configured it is plain fetch (off the hot path).
 * A reserved slot is committed right before the fetch (the limiter records actual sends), and the
 * wait ends early when the request's signal fires (cancel, run deadline, request timeout).
 */

import type { CallerReport, Grant, HostLimiter } from "../durable-objects/host-limiter";
import { sleep, whenAborted } from "../shared/engine/abort";
import type { Fetcher, FetchHooks } from "../shared/engine/types";
import type { RateLimit as LimitSpec } from "../shared/schemas/api";
import { wireFetch } from "./wire-fetch";

/** The platform's fetch, or HTTP/1.1 over a socket for what fetch cannot express (`hooks.wire`). */
function send(request: Request, hooks: FetchHooks | undefined): Promise<Response> {
  return hooks?.wire ? wireFetch(request, hooks.wire) : fetch(request);
}

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

type LimiterStub = DurableObjectStub<HostLimiter>;

interface SlotOptions {
  stub: LimiterStub;
  spec: LimitSpec;
  signal: AbortSignal;
  /** Runs a limiter call, measuring its round trip (reported with the next call). */
  timed(call: (report: CallerReport) => Promise<Grant>): Promise<Grant>;
  onWaited(ms: number): void;
}

/**
 * Waits for a send slot: acquire, sleep until a reserved slot, commit (the limiter re-checks the actual
 * sends), repeat if the caller was late. Every wait ends when `signal` fires; a lease or reservation
 * taken by then is given back.
 */
async function takeSlot({ stub, spec, signal, timed, onWaited }: SlotOptions): Promise<Grant> {
  // Taking a concurrency lease can wait for another run's request: a cancel must not wait with it.
  const acquiring = timed((report) => stub.acquire(spec, report));
  const aborted = whenAborted(signal);
  const first = await Promise.race([acquiring, aborted.promise.then(() => null)]).finally(aborted.dispose);
  if (first === null) {
    void acquiring.then(
      (late) => (late.leaseId ? stub.release(late.leaseId) : undefined),
      () => undefined,
    );
    throw signal.reason;
  }
  let grant = first;
  try {
    for (;;) {
      const wait = grant.at - Date.now();
      if (wait > 0) {
        const t0 = Date.now();
        await sleep(wait, signal);
        onWaited(Date.now() - t0);
      }
      if (signal.aborted) {
        if (grant.slotId) await stub.forget(grant.slotId);
        throw signal.reason;
      }
      const { slotId, leaseId } = grant;
      if (!slotId) return grant;
      grant = await timed((report) => stub.commit(spec, slotId, leaseId, report));
    }
  } catch (err) {
    if (grant.leaseId) await stub.release(grant.leaseId);
    throw err;
  }
}

/** The run's fetch, held to the workspace's per-origin limits (see the module comment). */
export function createLimitedFetch(env: Env, workspaceId: string, spec: LimitSpec | undefined): LimitedFetch {
  let waited = 0;
  /** Round trip of the last limiter call, reported with the next one (the limiter's margin follows it). */
  let lagMs: number | undefined;
  const timed = async (call: (report: CallerReport) => Promise<Grant>): Promise<Grant> => {
    const t0 = Date.now();
    const grant = await call(lagMs === undefined ? {} : { lagMs });
    lagMs = Date.now() - t0;
    return grant;
  };
  const active = spec && (spec.requestsPerSecond || spec.concurrency);
  const fetcher: Fetcher = async (request, hooks) => {
    if (!active) return send(request, hooks);
    hooks?.onQueue?.();
    const origin = new URL(request.url).origin;
    const stub = env.HOST_LIMITER.get(env.HOST_LIMITER.idFromName(`${workspaceId}|${origin}`));
    const grant = await takeSlot({
      stub,
      spec,
      signal: request.signal,
      timed,
      onWaited: (ms) => {
        waited += ms;
      },
    });
    try {
      hooks?.onSend?.();
      const response = await send(request, hooks);
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
