/**
 * Caps on `pm.sendRequest` (issue 11): one script cannot flood a target or exhaust the invocation's
 * subrequests and file descriptors. Documented in docs/security.md ("Runtime limits").
 */

/** Caps on `pm.sendRequest` calls. */
export interface SendRequestLimits {
  /** Calls one script may make; the next call throws a ScriptLimitError. */
  perScript: number;
  /** Requests in flight at once; later calls wait in a queue. */
  concurrent: number;
  /** Calls all scripts together may make until `beginSlice()` (one alarm slice of a run). */
  perSlice: number;
}

export const SEND_REQUEST_LIMITS: SendRequestLimits = { perScript: 200, concurrent: 6, perSlice: 500 };

/** The slice size SEND_REQUEST_LIMITS.perSlice was set for (a run's default SLICE_REQUESTS). */
const DEFAULT_SLICE_REQUESTS = 40;

/**
 * The per-slice cap for slices of `sliceRequests` requests: the same allowance per request as 500 per
 * 40, so a collection that stays within it in 40-request slices does in larger ones too.
 */
export function perSliceSends(sliceRequests: number): number {
  return Math.max(
    SEND_REQUEST_LIMITS.perSlice,
    Math.ceil((SEND_REQUEST_LIMITS.perSlice * sliceRequests) / DEFAULT_SLICE_REQUESTS),
  );
}

/** Thrown into the script (as a QuickJS error named ScriptLimitError) when it exceeds a cap. */
export class ScriptLimitError extends Error {
  override name = "ScriptLimitError";
}

/** Counts and queues one host's pm.sendRequest calls: per script, per slice, and in flight. */
export class SendRequestGate {
  readonly #limits: SendRequestLimits;
  #script = 0;
  #slice = 0;
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(limits: Partial<SendRequestLimits> = {}) {
    this.#limits = { ...SEND_REQUEST_LIMITS, ...limits };
  }

  /** A new script starts: its own count starts at zero. */
  beginScript(): void {
    this.#script = 0;
  }

  /** A new slice (alarm invocation) starts: the run-wide count starts at zero. */
  beginSlice(): void {
    this.#slice = 0;
  }

  /** Counts one call against the caps; throws a ScriptLimitError beyond them. */
  admit(): void {
    const { perScript, perSlice } = this.#limits;
    if (this.#script >= perScript)
      throw new ScriptLimitError(
        `pm.sendRequest: a script may send at most ${perScript} requests (limit reached)`,
      );
    if (this.#slice >= perSlice)
      throw new ScriptLimitError(
        `pm.sendRequest: the run's scripts may send at most ${perSlice} requests per slice (limit reached)`,
      );
    this.#script++;
    this.#slice++;
  }

  /** Resolves when fewer than `concurrent` requests are in flight (FIFO); pair with release(). */
  acquire(): Promise<void> {
    if (this.#active < this.#limits.concurrent) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#queue.push(() => {
        this.#active++;
        resolve();
      });
    });
  }

  release(): void {
    this.#active--;
    this.#queue.shift()?.();
  }
}
