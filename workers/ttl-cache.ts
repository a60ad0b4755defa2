/**
 * A small per-isolate cache with a time bound: an entry is answered for at most `ttlMs` after it was
 * stored, and at most `max` entries are kept (the oldest stored goes first). The Worker keeps facts
 * here that cost a Durable Object call to learn and may change only rarely (an API key is valid, a run
 * exists), so a change made elsewhere takes effect within `ttlMs` at the latest.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: { ttlMs: number; max: number; now?: () => number }) {
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.max;
    this.#now = opts.now ?? Date.now;
  }

  /** The value stored under `key` if it is younger than the bound, else undefined. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires > this.#now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expires: this.#now() + this.#ttlMs });
  }

  /** Drops every entry whose value matches (e.g. all keys of a workspace whose key was revoked). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
