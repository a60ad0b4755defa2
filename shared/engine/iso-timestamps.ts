/**
 * Event timestamps: `new Date(now).toISOString()` for every event, which in workerd was ≈ 1 % of a
 * busy run object's CPU (a `Date` and its formatting per event, and a step takes about a millisecond).
 */

/** Formats times as `toISOString()` does, with a `Date` once per second and the milliseconds by hand. */
export class IsoTimestamps {
  #second = Number.NaN;
  /** `toISOString()` of `#second` up to its milliseconds (`…T19:10:05.`). */
  #prefix = "";

  /** Exactly `new Date(now).toISOString()`. */
  format(now: number): string {
    const ms = now % 1000;
    const second = now - ms;
    if (second !== this.#second || !Number.isInteger(ms)) {
      const iso = new Date(now).toISOString();
      // Whole non-negative milliseconds only (a fake clock may give others): then it is exact.
      this.#second = Number.isInteger(now) && now >= 0 ? second : Number.NaN;
      this.#prefix = iso.slice(0, -4);
      return iso;
    }
    return `${this.#prefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
  }
}
