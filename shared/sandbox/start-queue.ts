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

/** A FIFO of starts, `concurrency` at a time (one per isolate: see above). */
export class StartQueue {
  readonly #concurrency: number;
  readonly #waiting: Array<() => void> = [];
  #active = 0;

  constructor(concurrency = 1) {
    this.#concurrency = concurrency;
  }

  /** Starts held now plus those waiting (for tests and diagnostics). */
  get size(): number {
    return this.#active + this.#waiting.length;
  }

  /** Waits for this start's turn, then for a turn of the event loop; the caller must `release()`. */
  async enter(): Promise<StartSlot> {
    if (this.#active < this.#concurrency) this.#active++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve)); // the slot is handed over
    let held = true;
    const slot: StartSlot = {
      turn: loopTurn,
      release: () => {
        if (!held) return;
        held = false;
        const next = this.#waiting.shift();
        if (next) next();
        else this.#active--;
      },
    };
    await loopTurn();
    return slot;
  }
}
