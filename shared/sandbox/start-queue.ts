/**
 * One QuickJS run start at a time per isolate, each of its long synchronous stages after a turn of the
 * event loop.
 *
 * A run's start parses the prelude into a fresh context (≈ 6–8 ms of CPU) and its first script loads
 * chai (≈ 10–12 ms): stretches that hold the isolate's one thread. When many runs start together (local
 * workerd runs every Durable Object of a class in one isolate), their starts are all ready at once and
 * every other object's work — the events streaming to clients — queues behind all of them: the
 * concurrent bench's SSE tail (p99 ≈ 200 ms, every late event one of a run's first; bench/README
 * "Round 13"). Taking the starts one by one, and letting the event loop turn before each stage, bounds
 * what an event waits for to one stage of one start. The CPU spent is the same.
 *
 * The queue only orders work, it guards nothing: a start that holds it longer than `leaseMs` (its
 * object was aborted while the start was handed to it, say) stops holding back the others.
 */

/** A held start: `turn()` lets the event loop run once; `release()` hands the start on (idempotent). */
export interface StartSlot {
  turn(): Promise<void>;
  release(): void;
}

/** Resolves after the event loop has had a turn (a timer: queued I/O and other objects' tasks go first). */
export function loopTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

interface Waiter {
  token: symbol;
  wake(): void;
}

/** A FIFO of starts, one at a time (one queue per isolate: see above). */
export class StartQueue {
  readonly #leaseMs: number;
  readonly #waiting: Waiter[] = [];
  #holder: symbol | undefined;
  #since = 0;

  constructor(options: { leaseMs?: number } = {}) {
    this.#leaseMs = options.leaseMs ?? 1000;
  }

  /** The start held now plus those waiting (for tests and diagnostics). */
  get size(): number {
    return (this.#holder ? 1 : 0) + this.#waiting.length;
  }

  /** Waits for this start's turn, then for a turn of the event loop; the caller must `release()`. */
  async enter(): Promise<StartSlot> {
    const token = Symbol("start");
    if (this.#holder && !this.#expired()) await this.#wait(token);
    else this.#hold(token);
    const slot: StartSlot = {
      turn: loopTurn,
      release: () => {
        if (this.#holder !== token) return; // released already, or its lease was taken over
        const next = this.#waiting.shift();
        if (next) {
          this.#hold(next.token); // handed over now, so no later arrival overtakes it
          next.wake();
        } else this.#holder = undefined;
      },
    };
    await loopTurn();
    return slot;
  }

  #hold(token: symbol): void {
    this.#holder = token;
    this.#since = Date.now();
  }

  #expired(): boolean {
    return Date.now() - this.#since > this.#leaseMs;
  }

  /** Queues `token` until a release hands it the start, or the holder's lease runs out. */
  #wait(token: symbol): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        token,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const check = () => {
        if (!this.#expired()) {
          timer = setTimeout(check, this.#leaseMs);
          return;
        }
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        this.#hold(token);
        resolve();
      };
      this.#waiting.push(waiter);
      timer = setTimeout(check, this.#leaseMs);
    });
  }
}
