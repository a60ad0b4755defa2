/**
 * The wall deadline of a V8 script call (platform/script-host-v8.ts): a call still waiting that long
 * (a script awaiting an engine call that never answers, where the isolate's CPU limit cannot fire)
 * fails instead of holding the run. Calls run one at a time, so one timer serves them all: it is armed
 * by the first call after `reset()` (the host resets it at each slice, so the timer belongs to the
 * request or alarm running the slice) and, when it fires early, re-armed for the call then in flight.
 * A `setTimeout`, `Promise.race` and `clearTimeout` per call cost ≈ 0.013 ms of the Durable Object's
 * CPU per script (bench/README.md, H30).
 */
export class WallDeadline {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires. */
  #firesAt = 0;
  #inflight: { deadline: number; fail: () => void } | undefined;

  /**
   * `call` as it settles, or rejected with `error()` once `ms` have passed (as Date.now() reads, which
   * in workerd moves with I/O, as the timer does).
   */
  async within<T>(call: Promise<T>, ms: number, error: () => Error): Promise<T> {
    const deadline = Date.now() + ms;
    if (this.#timer === undefined || deadline < this.#firesAt) this.#arm(ms);
    try {
      return await new Promise<T>((resolve, reject) => {
        this.#inflight = { deadline, fail: () => reject(error()) };
        call.then(resolve, reject);
      });
    } finally {
      this.#inflight = undefined;
    }
  }

  /** Drops the timer: the next call arms one in its own request's context. */
  reset(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.reset();
    this.#firesAt = Date.now() + ms;
    this.#timer = setTimeout(() => this.#fire(), ms);
  }

  #fire(): void {
    this.#timer = undefined;
    const call = this.#inflight;
    if (!call) return;
    const left = call.deadline - Date.now();
    if (left > 0) this.#arm(left);
    else call.fail();
  }
}
