/**
 * SIGINT/SIGTERM while a run is followed. The first signal asks the server to cancel and gives it a
 * short deadline to confirm on the event stream; after that the CLI stops following on its own (a
 * server that drains or hangs must not keep CI waiting), so the whole stop stays within a few seconds.
 * A second signal exits at once.
 */
import type { Output } from "./cli-reporter";

/** Thrown into the event stream when the cancel deadline passes without the terminal event. */
export class Interrupted extends Error {
  constructor() {
    super("the run was interrupted");
    this.name = "Interrupted";
  }
}

export interface InterruptOptions {
  /** Asks the server to cancel; given a signal that aborts after `cancelMs`. */
  cancel(signal: AbortSignal): Promise<void>;
  /** Stops following the stream (called with an Interrupted once the deadline passes). */
  abort(reason: Error): void;
  /** The second signal: leave now. */
  quit(): void;
  stderr: Output;
  /** Time allowed for the cancel request itself. */
  cancelMs?: number;
  /** Time from the signal until the CLI stops waiting for the terminal event. */
  deadlineMs?: number;
}

export interface InterruptHandle {
  /** True once a signal arrived: later server calls must be bounded too. */
  readonly interrupted: boolean;
  detach(): void;
}

/**
 * Owns SIGINT and SIGTERM until `detach()`. The embedded server installs handlers that end the process
 * on these signals; while a run is followed the CLI replaces them (it cancels, then stops the stack itself).
 */
export function onInterrupt(opts: InterruptOptions): InterruptHandle {
  const { cancelMs = 2000, deadlineMs = 3000 } = opts;
  let count = 0;
  let deadline: NodeJS.Timeout | undefined;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) {
      opts.quit();
      return;
    }
    const key = signal === "SIGINT" ? "Ctrl-C" : "the signal";
    opts.stderr.write(`\nCancelling the run… (${key} again to quit now)\n`);
    opts.cancel(AbortSignal.timeout(cancelMs)).catch(() => {
      // The deadline below decides; a failed cancel only means the server will not confirm it.
    });
    deadline = setTimeout(() => opts.abort(new Interrupted()), deadlineMs);
  };
  const saved = (["SIGINT", "SIGTERM"] as const).map((sig) => [sig, process.listeners(sig)] as const);
  for (const [sig, listeners] of saved) {
    for (const l of listeners) process.off(sig, l);
    process.on(sig, handler);
  }
  return {
    get interrupted() {
      return count > 0;
    },
    detach() {
      clearTimeout(deadline);
      for (const [sig, listeners] of saved) {
        process.off(sig, handler);
        for (const l of listeners) process.on(sig, l);
      }
    },
  };
}
