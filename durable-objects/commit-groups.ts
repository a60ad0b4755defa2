/**
 * The group-commit policy of a run's slice. Every SQLite write holds the Durable Object's output gate,
 * so the next outbound request waits until storage confirms it: committing after every request costs
 * one confirmation per request (locally ≈ 0.4 ms, in production a replicated write). A group is as many
 * steps as fit `intervalMs` at the pace of the last step, at most MAX_GROUP_STEPS; a step that took
 * longer than the interval is a group of its own, so slow requests commit one by one.
 *
 * Crash semantics: before a group runs, the object records how many steps it may send; after a crash
 * that many re-executed steps carry `resent: true` ("may have reached the target before"). Events are
 * never lost or repeated either way: they are committed with the cursor that produced them.
 */

/**
 * Default upper bound of one group (it also bounds how many requests a crash may re-send);
 * `COMMIT_GROUP_STEPS` changes it (the CLI's ephemeral runtime, which never resumes, raises it).
 */
export const MAX_GROUP_STEPS = 16;

export class CommitGroups {
  readonly #intervalMs: number;
  readonly #maxSteps: number;
  #stepMs: number;
  #resendLeft: number;
  #groupStart = 0;

  /**
   * `resend`: steps of the group that was in flight when the object last stopped (0 if none).
   * `stepMs`: the pace the previous slice of this object ended with (`stepMs` below); without it the
   * first group is one step, its pace unknown (a new object, or one that restarted).
   * `maxSteps`: the largest group (default MAX_GROUP_STEPS).
   */
  constructor(opts: {
    intervalMs: number;
    resend: number;
    stepMs?: number | undefined;
    maxSteps?: number | undefined;
  }) {
    this.#intervalMs = opts.intervalMs;
    this.#maxSteps = opts.maxSteps ?? MAX_GROUP_STEPS;
    this.#stepMs = opts.stepMs ?? opts.intervalMs;
    this.#resendLeft = opts.resend;
  }

  /** The duration of the last step: the next slice starts at this pace instead of with a 1-step group. */
  get stepMs(): number {
    return this.#stepMs;
  }

  /** Size of the next group (at most `remaining` steps) and the in-flight count to record for it. */
  begin(remaining: number, now: number): { size: number; inflight: number } {
    this.#groupStart = now;
    const size = Math.min(remaining, this.#paced());
    return { size, inflight: Math.max(size, this.#resendLeft) };
  }

  /** The in-flight count `begin(remaining)` will give next: the commit before it records it. */
  nextInflight(remaining: number): number {
    return Math.max(Math.min(remaining, this.#paced()), this.#resendLeft);
  }

  /** Whether the next step re-sends a request of the crashed group (consumes one). */
  takeResend(): boolean {
    if (this.#resendLeft <= 0) return false;
    this.#resendLeft--;
    return true;
  }

  /** Records a step's duration; true when the group has used its interval and should commit now. */
  stepDone(stepMs: number, now: number): boolean {
    this.#stepMs = stepMs;
    return now - this.#groupStart >= this.#intervalMs;
  }

  #paced(): number {
    if (this.#intervalMs <= 0 || this.#stepMs >= this.#intervalMs) return 1;
    const steps = Math.floor(this.#intervalMs / Math.max(this.#stepMs, 0.5));
    return Math.min(this.#maxSteps, Math.max(1, steps));
  }
}
