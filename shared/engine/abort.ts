/**
 * Abort plumbing for the engine: the owner of a run hands the engine an `AbortSignal` (cancel, run
 * deadline); the engine derives narrower signals from it (one per request hop, one per script for its
 * `pm.sendRequest` calls) so that every wait — fetch, body read, retry backoff — ends when any of them
 * fires. Plain Web APIs only, so the same code runs in Node and workerd.
 */

export interface LinkedSignal {
  signal: AbortSignal;
  /** Aborts the derived signal (the parents are untouched). */
  abort(reason?: unknown): void;
  /** Whether the derived signal fired because of its own timer (not a parent or `abort`). */
  timedOut(): boolean;
  /** Starts the timer again with `timeoutMs` from now, or stops it without one (no-op once fired). */
  restart(timeoutMs?: number): void;
  /** Clears the timer and detaches from the parents; call when the guarded work is over. */
  dispose(): void;
}

interface Timeout {
  at: number;
  fire(): void;
}

/**
 * Timeouts of one owner (a Durable Object's slice) on one platform timer, armed for the earliest of
 * them. Why: every request hop has a timeout, and a platform `setTimeout` + `clearTimeout` per hop was
 * ≈ 3 % of a busy run object's CPU, though a request almost never reaches its timeout; here a finished
 * hop only leaves the set, and the timer is re-armed when it fires (at most once per timeout length).
 * Per owner, never module-wide: in workerd a timer belongs to the object that set it, and it may only
 * abort that object's requests. `dispose()` clears the timer when the owner's work is over.
 */
export class SharedTimer {
  readonly #pending = new Set<Timeout>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedAt = Number.POSITIVE_INFINITY;

  /** Calls `fire` after `ms` unless the returned function is called first. */
  schedule(ms: number, fire: () => void): () => void {
    const timeout = { at: Date.now() + ms, fire };
    this.#pending.add(timeout);
    if (timeout.at < this.#armedAt) this.#arm(timeout.at);
    return () => {
      this.#pending.delete(timeout);
    };
  }

  /** Clears the platform timer and forgets every pending timeout. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    this.#pending.clear();
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#due(), Math.max(1, at - Date.now()));
  }

  #due(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const due: Timeout[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const timeout of this.#pending) {
      if (timeout.at <= now) due.push(timeout);
      else next = Math.min(next, timeout.at);
    }
    // In deadline order, also when a starved event loop let several fall due at once.
    for (const timeout of due.sort((a, b) => a.at - b.at)) {
      this.#pending.delete(timeout);
      timeout.fire();
    }
    if (next < this.#armedAt) this.#arm(next);
  }
}

/** Abort callbacks of one signal (see `onAbort`), removed by their disposers or when they run. */
interface Hub {
  callbacks: Set<() => void>;
}
/**
 * Where a signal keeps its hub: a property of its own rather than a WeakMap (a weak collection's
 * insert was most of `onAbort`'s time in workerd's profile, and it adds ephemeron work to every GC).
 */
const HUB = Symbol("edgerun.abortHub");
type HubbedSignal = AbortSignal & { [HUB]?: Hub };

function runHub(signal: AbortSignal): void {
  const hub = (signal as HubbedSignal)[HUB];
  if (!hub || hub.callbacks.size === 0) return;
  const callbacks = [...hub.callbacks];
  hub.callbacks.clear();
  for (const callback of callbacks) {
    try {
      callback();
    } catch (err) {
      // Reported as a throwing event listener would be, without stopping the others.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/**
 * Calls `callback` once when `signal` (not aborted yet) fires; the returned function unregisters it.
 * Why not `addEventListener` per call: every request hop linked the run's signal and its body read
 * linked the hop's, and each add/remove pair is a call into the runtime (≈ 4–7 % of a busy run
 * object's JS time in workerd's profile); here a signal gets at most one platform listener, made the
 * first time, and each registration is a `Set` entry. A `linkSignal` signal gets none at all.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  const hubbed = signal as HubbedSignal;
  let hub = hubbed[HUB];
  if (!hub) {
    hub = { callbacks: new Set() };
    hubbed[HUB] = hub;
    signal.addEventListener("abort", () => runHub(signal), { once: true });
  }
  const entry = () => callback();
  const callbacks = hub.callbacks;
  callbacks.add(entry);
  return () => {
    callbacks.delete(entry);
  };
}

/**
 * A signal that fires when any parent fires, when `timeoutMs` elapses (if given) or on `abort()`.
 * Why not `AbortSignal.any`/`AbortSignal.timeout`: their timers cannot be cleared, and a run's deadline
 * can be hours away; this one leaves no timer or listener behind after `dispose()`. `opts.timer`: the
 * owner's shared timer for the timeout (else a platform timer of its own).
 */
export function linkSignal(
  parents: Array<AbortSignal | undefined>,
  timeoutMs?: number,
  opts: { timer?: SharedTimer | undefined } = {},
): LinkedSignal {
  const controller = new AbortController();
  const signal = controller.signal as HubbedSignal;
  // Its hub from the start: `abort` below runs it, so `onAbort` adds no platform listener.
  signal[HUB] = { callbacks: new Set() };
  let fired = false;
  // Platform listeners (the fetch's) run inside abort(), `onAbort` callbacks (body reads) right after.
  const abort = (reason: unknown) => {
    if (signal.aborted) return;
    controller.abort(reason);
    runHub(signal);
  };
  const detach: Array<() => void> = [];
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      abort(parent.reason);
      break;
    }
    detach.push(onAbort(parent, () => abort(parent.reason)));
  }
  let cancel: (() => void) | undefined;
  const arm = (ms?: number) => {
    cancel?.();
    cancel = undefined;
    if (signal.aborted || ms === undefined) return;
    const fire = () => {
      fired = true;
      abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError"));
    };
    if (opts.timer) cancel = opts.timer.schedule(Math.max(1, ms), fire);
    else {
      const timer = setTimeout(fire, Math.max(1, ms));
      cancel = () => clearTimeout(timer);
    }
  };
  if (timeoutMs !== undefined) arm(timeoutMs);
  return {
    signal,
    abort,
    timedOut: () => fired,
    restart: arm,
    dispose: () => {
      cancel?.();
      for (const off of detach) off();
    },
  };
}

/**
 * A `linkSignal` made only when `signal()` is first called, its timer counted from `lazyLink` itself:
 * a script gets a signal for its `pm.sendRequest` calls, and most scripts never send one, so most
 * never pay for a controller, a parent listener and a timer. `end()` aborts and disposes it (if made).
 */
export function lazyLink(
  parent: AbortSignal | undefined,
  opts: { timeoutMs?: number | undefined; now(): number },
): { signal(): AbortSignal; end(): void } {
  const started = opts.now();
  let link: LinkedSignal | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;
  return {
    signal: () => {
      if (ended) return AbortSignal.abort();
      if (link) return link.signal;
      const made = linkSignal([parent]);
      link = made;
      const ms = opts.timeoutMs;
      // The timer linkSignal would have armed at `started`, with the same reason.
      if (ms !== undefined && !made.signal.aborted)
        timer = setTimeout(
          () => made.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")),
          Math.max(1, ms - (opts.now() - started)),
        );
      return made.signal;
    },
    end: () => {
      ended = true;
      if (timer !== undefined) clearTimeout(timer);
      link?.abort();
      link?.dispose();
    },
  };
}

/** Human text for an abort reason (`controller.abort("cancelled by request")` or an Error). */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === "string" && reason) return reason;
  if (reason instanceof Error && reason.message) return reason.message;
  return "run aborted";
}

/** The error result of a request the run's signal aborted (cancel or run deadline). */
export function abortedError(signal: AbortSignal): { name: string; message: string } {
  return { name: "AbortError", message: `request aborted: ${abortReason(signal)}` };
}

/** Resolves once `signal` fires; never rejects, so it can be raced without unhandled rejections. */
export function whenAborted(signal: AbortSignal): { promise: Promise<void>; dispose(): void } {
  let off: (() => void) | undefined;
  const promise = new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    off = onAbort(signal, resolve);
  });
  return { promise, dispose: () => off?.() };
}

/** `setTimeout` as a promise that ends early when `signal` fires (retry backoff must not outlive a cancel). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  const aborted = whenAborted(signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), aborted.promise]);
  } finally {
    clearTimeout(timer);
    aborted.dispose();
  }
}
